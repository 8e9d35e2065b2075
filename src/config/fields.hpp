// The field-list machinery every config file kind shares (see docs/config.md):
// value checks (Range, Count), the Reader that reads and validates one TOML
// table, and the Writer that writes the same keys back for effective_toml().
//
// The keys of each file kind are listed once, in a *_fields() template over an
// "IO" object (src/config/schema.hpp): Reader reads a TOML table, validates
// every value and rejects unknown keys; Writer emits the same keys for
// effective_toml(). What is read and what is written therefore cannot drift
// apart. Every error message starts with `file:line: dotted.key: reason, got
// value`, followed by toml11's excerpt.
#pragma once

#include <toml.hpp>

#include <cstdint>
#include <cstddef>
#include <limits>
#include <ostream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "src/config/config.hpp"
#include "src/config/toml_io.hpp"

namespace limitsim {
namespace fields {

using Value = toml::value;
using toml_io::describe;
using toml_io::fail_at;
using toml_io::fmt_double;
using toml_io::join;
using toml_io::quote;
using toml_io::syntax_failure;
using toml_io::to_text;
using toml_io::toml_double;
using toml_io::where;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kInt32Max = std::numeric_limits<std::int32_t>::max();
constexpr double kMaxMoney = 1e12;       // currency units; keeps cents exact in a double
constexpr double kSumTolerance = 1e-9;   // opening_bucket_shares must sum to 1 within this
constexpr double kProbTolerance = 1e-12; // roll[b] + cure[b] <= 1 within this

// ---------------------------------------------------------------- formatting

// x to four significant digits, for derived numbers in messages (e.g. -0.2, not -0.19999999999999996).
std::string fmt_short(double x);

// Cents as an exact decimal in currency units, e.g. 500000 -> "5000.00".
std::string fmt_money(std::int64_t cents);

// A TOML array; a long one (a scenario series) is written 12 values a line, so that a file of many
// long series stays within the TOML reader's bound on long lines (toml_io::kMaxTomlLineWork).
template <class T, class Fmt>
std::string toml_array(const std::vector<T>& items, Fmt fmt) {
  constexpr std::size_t kPerLine = 12;
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += items.size() > kPerLine && i % kPerLine == 0 ? ",\n    " : ", ";
    out += fmt(items[i]);
  }
  return out + "]";
}

// ---------------------------------------------------------------- checks

struct Range {
  double lo = -kInf, hi = kInf;
  bool lo_open = false, hi_open = false;
};
constexpr Range any_number() { return {}; }
constexpr Range at_least(double lo) { return {lo, kInf, false, false}; }
constexpr Range above(double lo) { return {lo, kInf, true, false}; }
constexpr Range closed(double lo, double hi) { return {lo, hi, false, false}; }
constexpr Range closed_open(double lo, double hi) { return {lo, hi, false, true}; }
constexpr Range open_closed(double lo, double hi) { return {lo, hi, true, false}; }
constexpr Range open_open(double lo, double hi) { return {lo, hi, true, true}; }

// "" when x lies in r; else the reason. Integers name the violated bound
// ("must be >= 1"), real numbers the whole interval ("must be in [0, 1)").
std::string range_error(double x, Range r, bool integral);

struct Count {
  std::size_t min, max;
};
constexpr Count exactly(std::size_t n) { return {n, n}; }
constexpr Count at_most(std::size_t n) { return {0, n}; }
constexpr Count non_empty(std::size_t max = std::numeric_limits<std::size_t>::max()) { return {1, max}; }

std::string count_error(std::size_t n, Count c);
std::string choice_error(const std::string& s, const std::vector<std::string>& allowed);
// Policy and scenario names become HDF5 group names.
std::string name_error(const std::string& s);

double to_number(const Value& v, const std::string& key, Range r);
// The value's text as written in the file.
std::string literal(const Value& v);
std::int64_t to_integer(const Value& v, const std::string& key, Range r);
// Money is written in currency units and kept in cents.
std::int64_t to_cents(const Value& v, const std::string& key, Range r);

inline void trim_repeats(std::vector<double>& v) {
  while (v.size() > 1 && v[v.size() - 1] == v[v.size() - 2]) v.pop_back();
}

// Why `file` cannot be opened, in a few words.
using toml_io::open_error;

// ---------------------------------------------------------------- Reader

// Reads one TOML table into config structs: the shared table reader (known
// keys, error positions, done() rejecting every key nobody asked for) plus
// typed getters, each leaving its output untouched when the key is absent (so
// outputs carry the defaults) and validating it otherwise.
class Reader : public toml_io::TableReader {
 public:
  using TableReader::TableReader;

  // Is the optional table `key` in the file? (A Writer answers whether it has one to write.)
  bool present(const std::string& key, bool) const { return peek(key) != nullptr; }

  void forbid(const std::string& key, const std::string& reason) {
    if (const Value* v = find(key)) fail_at(*v, path(key), reason + ", got " + describe(*v));
  }
  // An optional key left out here: still named among the allowed ones in an unknown key's error.
  void allow(const std::string& key) { find(key); }

  Reader sub(const std::string& key) {
    const Value* v = sub_table(key);
    return Reader(v, path(key), v ? *v : anchor());
  }

  void number(const std::string& key, double& out, Range r) {
    if (const Value* v = find(key)) out = to_number(*v, path(key), r);
  }
  template <class Int>
  void integer(const std::string& key, Int& out, Range r) {
    if (const Value* v = find(key)) out = static_cast<Int>(to_integer(*v, path(key), r));
  }
  void money(const std::string& key, std::int64_t& cents, Range r) {
    if (const Value* v = find(key)) cents = to_cents(*v, path(key), r);
  }
  void text(const std::string& key, std::string& out) {
    if (const Value* v = find(key)) out = to_text(*v, path(key));
  }
  void boolean(const std::string& key, bool& out) {
    const Value* v = find(key);
    if (!v) return;
    if (!v->is_boolean()) fail_at(*v, path(key), "must be true or false, got " + describe(*v));
    out = v->as_boolean();
  }
  void choice(const std::string& key, std::string& out, const std::vector<std::string>& allowed) {
    const Value* v = find(key);
    if (!v) return;
    const std::string s = to_text(*v, path(key));
    const std::string bad = choice_error(s, allowed);
    if (!bad.empty()) fail_at(*v, path(key), bad);
    out = s;
  }

  // An array whose elements are converted by elem(value, "key[i]").
  template <class T, class Elem>
  void list(const std::string& key, std::vector<T>& out, Count n, Elem elem) {
    const Value* v = find(key);
    if (!v) return;
    if (!v->is_array()) fail_at(*v, path(key), "must be an array, got " + describe(*v));
    const auto& a = v->as_array();
    const std::string bad = count_error(a.size(), n);
    if (!bad.empty()) fail_at(*v, path(key), bad);
    std::vector<T> items;
    for (std::size_t i = 0; i < a.size(); ++i) items.push_back(elem(a[i], path(key) + "[" + std::to_string(i) + "]"));
    out = std::move(items);
  }
  void numbers(const std::string& key, std::vector<double>& out, Count n, Range r) {
    list(key, out, n, [r](const Value& e, const std::string& k) { return to_number(e, k, r); });
  }
  template <class Int>
  void integers(const std::string& key, std::vector<Int>& out, Count n, Range r) {
    list(key, out, n, [r](const Value& e, const std::string& k) { return static_cast<Int>(to_integer(e, k, r)); });
  }
  void texts(const std::string& key, std::vector<std::string>& out, Count n) {
    list(key, out, n, [](const Value& e, const std::string& k) { return to_text(e, k); });
  }
  // An array that may be left out (an empty one is written as nothing).
  void optional_numbers(const std::string& key, std::vector<double>& out, Count n, Range r) { numbers(key, out, n, r); }
  // An array of tables, each read by fields(Reader&, Row&).
  template <class Row, class Fields>
  void rows(const std::string& key, std::vector<Row>& out, Count n, Fields fields) {
    list(key, out, n, [&fields](const Value& e, const std::string& k) {
      if (!e.is_table()) fail_at(e, k, "must be a table, got " + describe(e));
      Reader row(&e, k, e);
      Row r{};
      fields(row, r);
      row.done();
      return r;
    });
  }
  // A number (every month) or a non-empty array (month 1, 2, ..., last held).
  void series(const std::string& key, std::vector<double>& out, Range r) {
    const Value* v = find(key);
    if (!v) return;
    if (v->is_array()) {
      numbers(key, out, non_empty(), r);
    } else {
      out = {to_number(*v, path(key), r)};
    }
    trim_repeats(out);
  }

  // A number (every pair) or a square array of arrays of numbers.
  void correlation(const std::string& key, double& scalar, std::vector<std::vector<double>>& matrix, Range r) {
    const Value* v = find(key);
    if (!v) return;
    if (!v->is_array()) {
      scalar = to_number(*v, path(key), r);
      matrix.clear();
      return;
    }
    if (v->as_array().empty())
      fail_at(*v, path(key), "must be a number or an array of rows (one per region), got an empty array");
    std::vector<std::vector<double>> rows;
    for (std::size_t i = 0; i < v->as_array().size(); ++i) {
      const Value& row = v->as_array()[i];
      const std::string k = path(key) + "[" + std::to_string(i) + "]";
      if (!row.is_array()) fail_at(row, k, "must be an array of numbers (one row of the matrix), got " + describe(row));
      std::vector<double> out;
      for (std::size_t j = 0; j < row.as_array().size(); ++j)
        out.push_back(to_number(row.as_array()[j], k + "[" + std::to_string(j) + "]", r));
      rows.push_back(std::move(out));
    }
    matrix = std::move(rows);
  }
};

// ---------------------------------------------------------------- Writer

// Emits `key = value` lines (or `key = value, ...` inside an inline table)
// with the same getter names as Reader, for effective_toml().
class Writer {
 public:
  Writer(std::ostream& os, std::string prefix, bool inline_table = false)
      : os_(&os), prefix_(std::move(prefix)), inline_(inline_table) {}

  std::string path(const std::string& key) const { return prefix_.empty() ? key : prefix_ + "." + key; }

  // A configuration built in code may still be inconsistent: refuse to write it.
  void check(bool ok, const std::string& key, const std::string& reason, int index = -1) const {
    if (!ok)
      throw ConfigError("effective_toml: " + path(key) + (index >= 0 ? "[" + std::to_string(index) + "]" : "") +
                        ": " + reason);
  }
  void need(const std::string&) const {}
  void forbid(const std::string&, const std::string&) const {}
  void allow(const std::string&) const {}
  void done() const {}
  bool present(const std::string&, bool have) const { return have; }

  Writer sub(const std::string& key) {
    *os_ << "\n[" << path(key) << "]\n";
    return Writer(*os_, path(key));
  }

  void number(const std::string& key, const double& v, Range) { put(key, toml_double(v)); }
  template <class Int>
  void integer(const std::string& key, const Int& v, Range) {
    put(key, std::to_string(v));
  }
  void money(const std::string& key, const std::int64_t& cents, Range) { put(key, fmt_money(cents)); }
  void text(const std::string& key, const std::string& s) { put(key, quote(s)); }
  void boolean(const std::string& key, const bool& v) { put(key, v ? "true" : "false"); }
  void choice(const std::string& key, const std::string& s, const std::vector<std::string>&) { put(key, quote(s)); }
  void numbers(const std::string& key, const std::vector<double>& v, Count, Range) { put(key, toml_array(v, toml_double)); }
  template <class Int>
  void integers(const std::string& key, const std::vector<Int>& v, Count, Range) {
    put(key, toml_array(v, [](Int x) { return std::to_string(x); }));
  }
  void texts(const std::string& key, const std::vector<std::string>& v, Count) { put(key, toml_array(v, quote)); }
  void optional_numbers(const std::string& key, const std::vector<double>& v, Count n, Range r) {
    if (!v.empty()) numbers(key, v, n, r);
  }
  template <class Row, class Fields>
  void rows(const std::string& key, std::vector<Row>& v, Count, Fields fields) {
    std::ostringstream s;
    s << "[\n";
    for (std::size_t i = 0; i < v.size(); ++i) {
      s << "  { ";
      Writer row(s, path(key) + "[" + std::to_string(i) + "]", true);
      fields(row, v[i]);
      s << " },\n";
    }
    s << "]";
    put(key, s.str());
  }
  // An empty series is an optional one left out (unemployment_rate).
  void series(const std::string& key, const std::vector<double>& v, Range r) {
    if (!v.empty()) numbers(key, v, non_empty(), r);
  }
  void correlation(const std::string& key, const double& scalar, const std::vector<std::vector<double>>& matrix,
                   Range r) {
    if (matrix.empty()) return number(key, scalar, r);
    std::vector<std::string> rows;
    for (const auto& row : matrix) rows.push_back(toml_array(row, toml_double));
    put(key, "[" + join(rows, ", ") + "]");
  }

 private:
  void put(const std::string& key, const std::string& value) {
    if (inline_) {
      *os_ << (first_ ? "" : ", ") << key << " = " << value;
      first_ = false;
    } else {
      *os_ << key << " = " << value << "\n";
    }
  }

  std::ostream* os_;
  std::string prefix_;
  bool inline_;
  bool first_ = true;
};

// Reads (or writes) subtable `key` of t with fields(IO&, Cfg&), then rejects its unknown keys.
template <class IO, class Cfg>
void subtable(IO& t, const std::string& key, Cfg& c, void (*fields)(IO&, Cfg&)) {
  IO s = t.sub(key);
  fields(s, c);
  s.done();
}

}  // namespace fields
}  // namespace limitsim
