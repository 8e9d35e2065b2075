// One value of a data file as read (CSV text or an HDF5 number), and its checked conversions.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace limitsim {
namespace loading {

inline constexpr double kMaxMoney = 1e12;       // currency units, as in src/config/fields.hpp
inline constexpr double kExactInteger = 9007199254740992.0;  // 2^53: integers above it are not exact in a double

inline std::string show(std::string_view s) {
  constexpr std::size_t kMax = 40;
  std::string out = "'";
  for (std::size_t i = 0; i < s.size() && i < kMax; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    out += (c < 0x20 || c == 0x7f) ? '?' : s[i];
  }
  return out + (s.size() > kMax ? "...'" : "'");
}

inline std::string fmt_double(double x) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, r.ptr);
}

// A value as read: CSV text, or an HDF5 element converted to one of three native types.
struct Cell {
  enum Kind { kText, kInt, kUInt, kReal } kind = kText;
  std::string_view text;
  std::int64_t i = 0;
  std::uint64_t u = 0;
  double d = 0.0;
};

inline std::string cell_text(const Cell& c) {
  switch (c.kind) {
    case Cell::kText: return show(c.text);
    case Cell::kInt: return std::to_string(c.i);
    case Cell::kUInt: return std::to_string(c.u);
    default: return fmt_double(c.d);
  }
}

// A finite number. Text: an optional sign, then what std::from_chars reads, and nothing after it.
inline bool to_real(const Cell& c, double& x, std::string& why) {
  switch (c.kind) {
    case Cell::kInt: x = static_cast<double>(c.i); return true;
    case Cell::kUInt: x = static_cast<double>(c.u); return true;
    case Cell::kReal: x = c.d; break;
    case Cell::kText: {
      if (c.text.empty()) {
        why = "empty: a number is required";
        return false;
      }
      const char* b = c.text.data();
      const char* e = b + c.text.size();
      // Most money columns hold whole numbers: read them without std::from_chars (same value).
      if (c.text.size() <= 16) {
        const char* d = b + (*b == '-' || *b == '+');
        std::int64_t v = 0;
        const char* q = d;
        while (q < e && *q >= '0' && *q <= '9') v = v * 10 + (*q++ - '0');
        if (q == e && q > d) {
          x = static_cast<double>(*b == '-' ? -v : v);
          return true;
        }
      }
      if (*b == '+' && e - b > 1 && b[1] != '-') ++b;
      const auto r = std::from_chars(b, e, x);
      if (r.ec == std::errc::invalid_argument) {
        why = "not a number: " + show(c.text);
        return false;
      }
      if (r.ptr != e) {
        why = "trailing characters after the number: " + show(c.text);
        return false;
      }
      if (r.ec == std::errc::result_out_of_range) {
        why = "number out of range: " + show(c.text);
        return false;
      }
      break;
    }
  }
  if (std::isnan(x)) {
    why = "NaN is not allowed: " + cell_text(c);
    return false;
  }
  if (!std::isfinite(x)) {
    why = "an infinite value is not allowed: " + cell_text(c);
    return false;
  }
  return true;
}

// An integer: integer text or an integral number (e.g. "2.0", exact below 2^53).
inline bool to_int(const Cell& c, std::int64_t& x, std::string& why) {
  if (c.kind == Cell::kInt) {
    x = c.i;
    return true;
  }
  if (c.kind == Cell::kUInt) {
    if (c.u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      why = "integer out of range: " + cell_text(c);
      return false;
    }
    x = static_cast<std::int64_t>(c.u);
    return true;
  }
  if (c.kind == Cell::kText && !c.text.empty()) {
    const char* b = c.text.data();
    const char* e = b + c.text.size();
    if (*b == '+' && e - b > 1 && b[1] != '-') ++b;
    const auto r = std::from_chars(b, e, x);
    if (r.ec == std::errc() && r.ptr == e) return true;
  }
  double d = 0.0;
  if (!to_real(c, d, why)) return false;
  if (d != std::floor(d) || std::fabs(d) > kExactInteger) {
    why = "must be an integer, got " + cell_text(c);
    return false;
  }
  x = static_cast<std::int64_t>(d);
  return true;
}

// A customer id: a non-negative integer, all 64 bits.
inline bool to_id(const Cell& c, std::uint64_t& x, std::string& why) {
  if (c.kind == Cell::kUInt) {
    x = c.u;
    return true;
  }
  if (c.kind == Cell::kText && !c.text.empty() && c.text[0] != '-') {
    const char* b = c.text.data();
    const char* e = b + c.text.size();
    if (*b == '+' && e - b > 1) ++b;
    const auto r = std::from_chars(b, e, x);
    if (r.ec == std::errc() && r.ptr == e) return true;
  }
  std::int64_t i = 0;
  if (!to_int(c, i, why)) {
    if (c.kind == Cell::kText && !c.text.empty()) why = "an id must be a non-negative integer, got " + show(c.text);
    return false;
  }
  if (i < 0) {
    why = "an id must be a non-negative integer, got " + cell_text(c);
    return false;
  }
  x = static_cast<std::uint64_t>(i);
  return true;
}

// Money in the file's units -> cents.
inline bool to_cents(const Cell& c, double scale, std::int64_t& cents, std::string& why) {
  double x = 0.0;
  if (!to_real(c, x, why)) return false;
  const double units = x * scale;
  if (std::fabs(units) > kMaxMoney) {
    why = "amount out of range: " + cell_text(c) + " is more than 1e12 currency units";
    return false;
  }
  cents = std::llround(units * 100.0);
  return true;
}

}  // namespace loading
}  // namespace limitsim
