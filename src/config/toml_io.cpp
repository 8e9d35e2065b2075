// The TOML conventions every file limitsim reads or writes shares (toml_io.hpp): numbers, strings, errors.
#include "src/config/toml_io.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "src/util/text.hpp"

namespace limitsim {
namespace toml_io {

std::string fmt_double(double x) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, r.ptr);
}

std::string toml_double(double x) {
  std::string s = fmt_double(x);
  if (s.find_first_of(".en") == std::string::npos) s += ".0";
  return s;
}

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\f': out += "\\f"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += ch;
        }
    }
  }
  return out + "\"";
}

std::string join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? sep : "") + items[i];
  return out;
}

std::string describe(const Value& v) {
  switch (v.type()) {
    case toml::value_t::string: return "string " + quote(v.as_string().str);
    case toml::value_t::integer: return std::to_string(v.as_integer());
    case toml::value_t::floating: return toml_double(v.as_floating());  // 4.0, not 4: a float as written
    case toml::value_t::boolean: return v.as_boolean() ? "true" : "false";
    case toml::value_t::array: return "an array";
    case toml::value_t::table: return "a table";
    default: return "a date/time";
  }
}

double to_number(const Value& v, const std::string& key) {
  double x = 0.0;
  if (v.is_floating()) {
    x = v.as_floating();
  } else if (v.is_integer()) {
    x = static_cast<double>(v.as_integer());
  } else {
    fail_at(v, key, "must be a number, got " + describe(v));
  }
  if (!std::isfinite(x)) fail_at(v, key, "must be a finite number, got " + fmt_double(x));
  return x;
}

std::string to_text(const Value& v, const std::string& key) {
  if (!v.is_string()) fail_at(v, key, "must be a string, got " + describe(v));
  return v.as_string().str;
}

std::string where(const Value& v) { return v.location().file_name() + ":" + std::to_string(v.location().line()); }

std::string excerpt(const std::string& lines, std::size_t column) {
  std::size_t longest = 0;
  for (std::size_t at = 0; at < lines.size();) {
    const std::size_t nl = std::min(lines.find('\n', at), lines.size());
    longest = std::max(longest, nl - at);
    at = nl + 1;
  }
  if (longest <= kMaxExcerptLine) return lines;
  return "\n  (the line is too long to show; the error is at column " + std::to_string(column) + ")";
}

void fail_at(const Value& v, const std::string& key, const std::string& reason) {
  std::string lines;
  if (may_quote(v.location().file_name())) {
    lines = toml::format_error("", v, "here", {}, false);
    lines.erase(0, lines.find('\n'));  // drop toml11's own (empty) headline, keep " --> file" and the caret
    lines = excerpt(lines, v.location().column());
  }
  throw ConfigError(where(v) + ": " + key + ": " + reason + lines);
}

ConfigError syntax_failure(const toml::exception& e, const std::string& file) {
  std::string what = e.what();
  const std::size_t nl = what.find('\n');
  std::string headline = what.substr(0, nl);
  const std::string rest = nl == std::string::npos ? "" : what.substr(nl);
  for (const char* prefix : {"[error]", " ", "toml::"}) {
    if (headline.rfind(prefix, 0) == 0) headline.erase(0, std::strlen(prefix));
  }
  const std::size_t colon = headline.find(": ");
  if (colon != std::string::npos && headline.find(' ') > colon) headline.erase(0, colon + 2);  // "parse_array: x" -> "x"
  return ConfigError(file + ":" + std::to_string(e.location().line()) + ": syntax error: " + headline +
                     (may_quote(file) ? excerpt(rest, e.location().column()) : ""));
}

// ---------------------------------------------------------------- reading a TOML file safely

namespace {

namespace fs = std::filesystem;

thread_local std::string t_scope;  // the innermost ContentScope's folder (canonical)
thread_local bool t_has_scope = false;

[[noreturn]] void refuse(const std::string& name, std::size_t line, const std::string& reason) {
  throw ConfigError(name + ":" + std::to_string(line) + ": " + reason);
}

std::string hex_byte(unsigned char c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02X", c);
  return buf;
}

// Length of the UTF-8 sequence at s[i] (1..4), or 0 when it is not valid UTF-8
// (overlong forms, surrogates and code points above U+10FFFF are invalid).
std::size_t utf8_length(const std::string& s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return 1;
  std::size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (b(i + 1) < lo || b(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < n; ++k)
    if (b(i + k) < 0x80 || b(i + k) > 0xBF) return 0;
  return n;
}

// The checks of parse_stream that need no lexing: UTF-8, line endings, and
// the parse work of long lines (values on a line x the bytes toml11 scans for
// each: the line, and the block of '#' lines right above it).
void check_bytes(const std::string& text, const std::string& name) {
  std::size_t line = 1, line_start = 0, values = 1, hash_block = 0;
  bool hash_line = false, leading = true;
  double work = 0.0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == '\n') {
      const std::size_t length = i - line_start;
      work += static_cast<double>(values) * static_cast<double>(length + hash_block);
      if (work > kMaxTomlLineWork)
        refuse(name, line,
               "this line holds about " + std::to_string(values) + " values in " + std::to_string(length) +
                   " bytes, and the file's long lines of many values would take the TOML parser too long (its "
                   "time grows with values x line length): write long arrays over several lines (a newline may "
                   "follow any comma)");
      hash_block = hash_line ? hash_block + length + 1 : 0;
      ++line;
      line_start = i + 1;
      values = 1;
      hash_line = false;
      leading = true;
      continue;
    }
    const char c = text[i];
    if (c == '\r' && (i + 1 == text.size() || text[i + 1] != '\n'))
      refuse(name, line,
             "a carriage return (CR) not followed by a line feed (LF): TOML lines end in LF or CR LF, and this "
             "file's seem to end in CR alone (classic Mac OS); convert its line endings");
    if (c == ',' || c == '=' || c == '[' || c == '{') ++values;
    if (leading && c != ' ' && c != '\t') {
      hash_line = c == '#';
      leading = false;
    }
    if (static_cast<unsigned char>(c) >= 0x80) {
      const std::size_t n = utf8_length(text, i);
      if (n == 0)
        refuse(name, line,
               "invalid UTF-8: byte " + hex_byte(static_cast<unsigned char>(c)) + " at column " +
                   std::to_string(i - line_start + 1) + " (TOML files must be UTF-8: save the file as UTF-8)");
      i += n - 1;
    }
  }
}

// Nesting of arrays and inline tables, outside strings and comments: the
// depth toml11 will recurse to. Refuses, at its line, the bracket that goes
// deeper than kMaxTomlNesting.
void check_nesting(const std::string& text, const std::string& name) {
  enum class In { kCode, kComment, kBasic, kLiteral, kMultiBasic, kMultiLiteral };
  In in = In::kCode;
  int depth = 0;
  std::size_t line = 1;
  const std::size_t n = text.size();
  auto triple = [&](std::size_t i, char q) { return i + 2 < n && text[i] == q && text[i + 1] == q && text[i + 2] == q; };
  for (std::size_t i = 0; i < n; ++i) {
    const char c = text[i];
    if (c == '\n') {
      ++line;
      if (in == In::kComment || in == In::kBasic || in == In::kLiteral) in = In::kCode;  // a string ends at the line
      continue;
    }
    switch (in) {
      case In::kComment:
        break;
      case In::kBasic:
        if (c == '"') in = In::kCode;
        if (c == '\\' && i + 1 < n && text[i + 1] != '\n') ++i;  // an escaped character, never the line's end
        break;
      case In::kLiteral:
        if (c == '\'') in = In::kCode;
        break;
      case In::kMultiBasic:
        if (c == '\\') {
          ++i;
          if (i < n && text[i] == '\n') ++line;
        } else if (triple(i, '"')) {
          i += 2;
          while (i + 1 < n && text[i + 1] == '"') ++i;  // """" or """"": quotes before the closing three
          in = In::kCode;
        }
        break;
      case In::kMultiLiteral:
        if (triple(i, '\'')) {
          i += 2;
          while (i + 1 < n && text[i + 1] == '\'') ++i;
          in = In::kCode;
        }
        break;
      case In::kCode:
        if (c == '#') {
          in = In::kComment;
        } else if (c == '"') {
          if (triple(i, '"')) {
            in = In::kMultiBasic;
            i += 2;
          } else {
            in = In::kBasic;
          }
        } else if (c == '\'') {
          if (triple(i, '\'')) {
            in = In::kMultiLiteral;
            i += 2;
          } else {
            in = In::kLiteral;
          }
        } else if (c == '[' || c == '{') {
          if (++depth > kMaxTomlNesting)
            refuse(name, line,
                   "arrays and inline tables nested more than " + std::to_string(kMaxTomlNesting) +
                       " deep (no limitsim file needs more than a few levels)");
        } else if ((c == ']' || c == '}') && depth > 0) {
          --depth;
        }
        break;
    }
  }
}

}  // namespace

std::string open_error(const std::string& file) {
  std::error_code ec;
  if (!fs::exists(file, ec)) return "no such file";
  if (!fs::is_regular_file(file, ec)) return "not a regular file";
  return "cannot read it";
}

Value parse_file(const std::string& path, const std::string& kind) {
  std::ifstream in;
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) in.open(path, std::ios::binary);
  if (!in.is_open() || !in) throw ConfigError(path + ": cannot open the " + kind + ": " + open_error(path));
  return parse_stream(in, path);
}

Value parse_stream(std::istream& in, const std::string& name) {
  std::string text(kMaxTomlBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) throw ConfigError(name + ": cannot read the file");
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxTomlBytes)
    throw ConfigError(name + ": the file is larger than " + std::to_string(kMaxTomlBytes >> 20) +
                      " MiB; a limitsim config is a few KiB (data belong in a CSV or HDF5 file)");
  check_bytes(text, name);
  check_nesting(text, name);
  std::istringstream s(text);
  try {
    return toml::parse(s, name);
  } catch (const toml::exception& e) {
    throw syntax_failure(e, name);
  }
}

ContentScope::ContentScope(const std::string& folder) : saved_(t_scope), had_(t_has_scope) {
  std::error_code ec;
  const fs::path f = fs::weakly_canonical(fs::absolute(folder.empty() ? "." : folder, ec), ec);
  t_scope = f.string();
  t_has_scope = true;
}

ContentScope::~ContentScope() {
  t_scope = saved_;
  t_has_scope = had_;
}

bool may_quote(const std::string& file) {
  if (!t_has_scope) return true;
  std::error_code ec;
  const fs::path f = fs::weakly_canonical(fs::absolute(file, ec), ec);
  if (ec) return false;
  const fs::path rel = f.lexically_relative(t_scope);
  return !rel.empty() && *rel.begin() != "..";
}

const Value* TableReader::peek(const std::string& key) const {
  if (!table_) return nullptr;
  const auto& t = table_->as_table();
  const auto it = t.find(key);
  return it == t.end() ? nullptr : &it->second;
}

const Value* TableReader::find(const std::string& key) {
  if (std::find(known_.begin(), known_.end(), key) == known_.end()) known_.push_back(key);
  return peek(key);
}

void TableReader::fail(const std::string& key, const std::string& reason, int index) {
  const Value* v = find(key);
  if (v && index >= 0 && v->is_array() && static_cast<std::size_t>(index) < v->as_array().size())
    fail_at(v->as_array()[static_cast<std::size_t>(index)], path(key) + "[" + std::to_string(index) + "]", reason);
  fail_at(v ? *v : *anchor_, path(key), reason);
}

const Value* TableReader::sub_table(const std::string& key) {
  const Value* v = find(key);
  if (v && !v->is_table()) fail_at(*v, path(key), "must be a table, got " + describe(*v));
  return v;
}

void TableReader::done() const {
  if (!table_) return;
  const Value* first = nullptr;
  std::string first_key;
  for (const auto& kv : table_->as_table()) {
    if (std::find(known_.begin(), known_.end(), kv.first) != known_.end()) continue;
    const auto& loc = kv.second.location();
    if (!first || std::make_pair(loc.line(), loc.column()) <
                      std::make_pair(first->location().line(), first->location().column())) {
      first = &kv.second;
      first_key = kv.first;
    }
  }
  if (!first) return;
  const std::string hint = closest_name(first_key, known_);
  fail_at(*first, path(first_key),
          "unknown key" + (hint.empty() ? std::string() : "; did you mean '" + hint + "'?") + " (allowed here: " +
              join(known_, ", ") + ")");
}

}  // namespace toml_io
}  // namespace limitsim
