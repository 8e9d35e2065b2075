// The non-template part of the field-list machinery (fields.hpp): formatting, checks, value conversions.
#include "src/config/fields.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>

namespace limitsim {
namespace fields {

namespace fs = std::filesystem;

std::string fmt_short(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", x);
  return buf;
}

std::string fmt_money(std::int64_t cents) {
  const bool negative = cents < 0;
  const std::uint64_t a = negative ? 0 - static_cast<std::uint64_t>(cents) : static_cast<std::uint64_t>(cents);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s%llu.%02llu", negative ? "-" : "", static_cast<unsigned long long>(a / 100),
                static_cast<unsigned long long>(a % 100));
  return buf;
}

std::string range_error(double x, Range r, bool integral) {
  if (!std::isfinite(x)) return "must be a finite number, got " + fmt_double(x);
  const bool low = r.lo_open ? !(x > r.lo) : !(x >= r.lo);
  const bool high = r.hi_open ? !(x < r.hi) : !(x <= r.hi);
  if (!low && !high) return "";
  const std::string lo = std::string(r.lo_open ? "> " : ">= ") + fmt_double(r.lo);
  const std::string hi = std::string(r.hi_open ? "< " : "<= ") + fmt_double(r.hi);
  std::string want;
  if (integral || !std::isfinite(r.lo) || !std::isfinite(r.hi)) {
    want = low ? lo : hi;
  } else {
    want = std::string("in ") + (r.lo_open ? "(" : "[") + fmt_double(r.lo) + ", " + fmt_double(r.hi) +
           (r.hi_open ? ")" : "]");
  }
  return "must be " + want + ", got " + fmt_double(x);
}

std::string count_error(std::size_t n, Count c) {
  if (n >= c.min && n <= c.max) return "";
  std::string want;
  if (c.min == c.max) {
    want = "exactly " + std::to_string(c.min);
  } else if (c.max == std::numeric_limits<std::size_t>::max()) {
    want = "at least " + std::to_string(c.min);
  } else {
    want = std::to_string(c.min) + " to " + std::to_string(c.max);
  }
  return "must have " + want + " entries, got " + std::to_string(n);
}

std::string choice_error(const std::string& s, const std::vector<std::string>& allowed) {
  if (std::find(allowed.begin(), allowed.end(), s) != allowed.end()) return "";
  return "must be one of " + join(allowed, ", ") + ", got " + quote(s);
}

std::string name_error(const std::string& s) {
  const bool charset_ok = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  });
  if (charset_ok && s.find_first_not_of('.') != std::string::npos) return "";
  return "name must match [A-Za-z0-9_.-]+ and not be only dots (it becomes an HDF5 group name), got " + quote(s);
}

double to_number(const Value& v, const std::string& key, Range r) {
  const double x = toml_io::to_number(v, key);
  const std::string bad = range_error(x, r, false);
  if (!bad.empty()) fail_at(v, key, bad);
  return x;
}

std::string literal(const Value& v) {
  const auto& loc = v.location();
  return loc.column() >= 1 ? loc.line_str().substr(loc.column() - 1, loc.region()) : "";
}

std::int64_t to_integer(const Value& v, const std::string& key, Range r) {
  if (!v.is_integer()) fail_at(v, key, "must be an integer, got " + describe(v));
  const std::int64_t x = v.as_integer();
  if (x == std::numeric_limits<std::int64_t>::max() || x == std::numeric_limits<std::int64_t>::min()) {
    // toml11 saturates decimal literals that overflow int64; catch them here.
    std::string text = literal(v);
    text.erase(std::remove(text.begin(), text.end(), '_'), text.end());
    if (!text.empty() && text[0] == '+') text.erase(0, 1);
    if (text.find_first_not_of("-0123456789") == std::string::npos && text != std::to_string(x))
      fail_at(v, key, "must fit in a 64-bit signed integer, got " + literal(v));
  }
  const std::string bad = range_error(static_cast<double>(x), r, true);
  if (!bad.empty()) fail_at(v, key, bad);
  return x;
}

std::int64_t to_cents(const Value& v, const std::string& key, Range r) {
  const double x = to_number(v, key, r);
  if (std::fabs(x) > kMaxMoney) fail_at(v, key, "must be at most " + fmt_double(kMaxMoney) + " in size, got " + fmt_double(x));
  const std::int64_t cents = std::llround(x * 100.0);
  if (!range_error(static_cast<double>(cents) / 100.0, r, false).empty())
    fail_at(v, key, "must be at least one cent (0.01), got " + fmt_double(x));
  return cents;
}


}  // namespace fields
}  // namespace limitsim
