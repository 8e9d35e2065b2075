// The TOML conventions that every file limitsim reads or writes shares (run
// files and their parts in src/config/*_file.cpp, mapping files in
// src/config/mapping.cpp, calibrated behaviour files in
// src/analysis/calibrate_report.cpp): how numbers and strings
// are written back, and how an error names `file:line: dotted.key: reason`
// followed by toml11's excerpt of the line with a caret.
#pragma once

#include <toml.hpp>

#include <algorithm>
#include <cstddef>
#include <istream>
#include <string>
#include <vector>

#include "src/config/config.hpp"

namespace limitsim {
namespace toml_io {

using Value = toml::value;

// Shortest decimal text that reads back as exactly x ("680", "0.02", "1e+20").
std::string fmt_double(double x);

// A TOML float literal (always has a '.' or an exponent) that reads back as exactly x.
std::string toml_double(double x);

// A TOML basic string literal: quotes, backslashes and control characters escaped.
std::string quote(const std::string& s);

std::string join(const std::vector<std::string>& items, const char* sep);

// A value as error messages show it: `string "x"`, `12`, `0.5`, `an array`, ...
std::string describe(const Value& v);

// A number (integer or float) that must be finite; else fail_at names the key.
double to_number(const Value& v, const std::string& key);

// A string; else fail_at names the key.
std::string to_text(const Value& v, const std::string& key);

// `file:line` of a value.
std::string where(const Value& v);

// Throws ConfigError `file:line: key: reason`, then toml11's excerpt of the line.
[[noreturn]] void fail_at(const Value& v, const std::string& key, const std::string& reason);

// A toml11 syntax error as `file:line: syntax error: reason`, then toml11's excerpt.
ConfigError syntax_failure(const toml::exception& e, const std::string& file);

// toml11's excerpt of a file (the lines after an error's headline), unless a line of it is longer than
// kMaxExcerptLine: then a note with the error's column instead, so that a message
// never repeats a 25 KB line.
inline constexpr std::size_t kMaxExcerptLine = 240;
std::string excerpt(const std::string& lines, std::size_t column);

// ---------------------------------------------------------------- reading a TOML file safely
//
// Every TOML file limitsim reads goes through parse_stream, which refuses,
// before toml11 sees it, what would crash or stall the parser, and what toml11
// would report under a misleading message (docs/config.md, "Limits"):

// A config file larger than this is refused (configs are a few KiB; data go in CSV or HDF5).
inline constexpr std::size_t kMaxTomlBytes = std::size_t{1} << 20;
// Arrays and inline tables nested deeper than this are refused (toml11 parses them by recursion).
inline constexpr int kMaxTomlNesting = 32;
// toml11 scans the whole line once per value on it, so many values on one long
// line cost (values x line length): the file's sum of that is bounded (about 0.3 s).
// The fuzz harnesses' build (LIMITSIM_FUZZ, sanitizers and coverage: toml11 some
// 50x slower) bounds it 50x lower, so that the bound means the same time there
// and a long-line input cannot reach libFuzzer's per-input timeout.
#ifdef LIMITSIM_FUZZ_BUILD
inline constexpr double kMaxTomlLineWork = 1e7;
#else
inline constexpr double kMaxTomlLineWork = 5e8;
#endif

// Reads the TOML text of `in` (named `name` in messages: a file name) and
// parses it. Besides toml11's own syntax errors (syntax_failure), refuses with
// `name:line: reason`: a file over kMaxTomlBytes, bytes that are not UTF-8, a
// carriage return not followed by a line feed (CR-only line endings), nesting
// deeper than kMaxTomlNesting, and lines whose values would take toml11 more
// than kMaxTomlLineWork to parse.
Value parse_stream(std::istream& in, const std::string& name);

// Why `file` cannot be opened, in a few words ("no such file", "not a regular file", "cannot read it").
std::string open_error(const std::string& file);

// The TOML file `path`, through parse_stream; a file that cannot be opened is refused as
// "PATH: cannot open the KIND: reason" (kind: "mapping file", "product file", ...).
Value parse_file(const std::string& path, const std::string& kind);

// Error messages show lines of a file (toml11's excerpt with a caret) only when
// the file lies inside the folder of the innermost ContentScope (after
// resolving symbolic links), or when there is no scope. A file outside it (an
// include such as "../../etc/passwd") is named with its line and the reason,
// never quoted. A scope is set by whoever reads a file that names other files
// (the run file's loader: the run file's folder).
class ContentScope {
 public:
  explicit ContentScope(const std::string& folder);
  ~ContentScope();
  ContentScope(const ContentScope&) = delete;
  ContentScope& operator=(const ContentScope&) = delete;

 private:
  std::string saved_;
  bool had_;
};

// Whether messages may quote lines of `file` (see ContentScope).
bool may_quote(const std::string& file);

// Runs `read()` and turns every failure into a ConfigError that names the
// file (and the line, where toml11 knows it); ConfigErrors pass unchanged.
template <typename F>
auto with_file_errors(const std::string& path, F&& read) -> decltype(read()) {
  try {
    return read();
  } catch (const ConfigError&) {
    throw;
  } catch (const toml::exception& e) {
    std::string what = e.what();
    const std::size_t nl = std::min(what.size(), what.find('\n'));
    if (!may_quote(e.location().file_name())) {
      what.erase(nl);  // no excerpt
    } else {
      what = what.substr(0, nl) + excerpt(what.substr(nl), e.location().column());
    }
    throw ConfigError(e.location().file_name() + ":" + std::to_string(e.location().line()) + ": " + what);
  } catch (const std::exception& e) {
    throw ConfigError(path + ": " + e.what());
  }
}

// One TOML table being read: find() records the keys asked for, done()
// rejects the first (by position) key that nothing asked for. `table` may be
// null (the table is absent); `anchor` is where errors about absent keys
// point (the table itself, or its nearest present ancestor).
class TableReader {
 public:
  TableReader(const Value* table, std::string prefix, const Value& anchor)
      : table_(table), prefix_(std::move(prefix)), anchor_(&anchor) {}

  std::string path(const std::string& key) const { return prefix_.empty() ? key : prefix_ + "." + key; }
  bool present() const { return table_ != nullptr; }
  const Value& anchor() const { return *anchor_; }

  const Value* peek(const std::string& key) const;
  const Value* find(const std::string& key);

  // Points at element `index` of an array value when given, else at the value,
  // else (key absent) at the anchor.
  [[noreturn]] void fail(const std::string& key, const std::string& reason, int index = -1);
  void check(bool ok, const std::string& key, const std::string& reason, int index = -1) {
    if (!ok) fail(key, reason, index);
  }
  void need(const std::string& key) {
    if (!find(key)) fail(key, "is required here");
  }

  // The sub-table `key` (null when absent); a value that is not a table is an error.
  const Value* sub_table(const std::string& key);
  // A reader of that sub-table (absent: a reader of nothing, anchored here).
  TableReader sub(const std::string& key) {
    const Value* v = sub_table(key);
    return TableReader(v, path(key), v ? *v : anchor());
  }

  void done() const;

 private:
  const Value* table_;
  std::string prefix_;
  const Value* anchor_;
  std::vector<std::string> known_;
};

}  // namespace toml_io
}  // namespace limitsim
