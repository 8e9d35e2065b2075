// The TOML conventions every file limitsim reads or writes shares (toml_io.hpp): numbers, strings, errors.
#include "src/config/toml_io.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

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
    case toml::value_t::floating: return fmt_double(v.as_floating());
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

void fail_at(const Value& v, const std::string& key, const std::string& reason) {
  std::string excerpt = toml::format_error("", v, "here", {}, false);
  excerpt.erase(0, excerpt.find('\n'));  // drop toml11's own (empty) headline, keep " --> file" and the caret
  throw ConfigError(where(v) + ": " + key + ": " + reason + excerpt);
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
  return ConfigError(file + ":" + std::to_string(e.location().line()) + ": syntax error: " + headline + rest);
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
