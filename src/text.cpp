// Plain-text formatting for terminal tables (see text.hpp).
#include "text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace limitsim {

std::string format_number(double v, int decimals) {
  if (std::isnan(v)) return "n/a";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  std::string s = buf;
  const bool neg = s[0] == '-';
  if (neg) s.erase(0, 1);
  if (s.find_first_not_of("0.") == std::string::npos) return s;  // no "-0.00"
  std::size_t int_end = s.find('.');
  if (int_end == std::string::npos) int_end = s.size();
  for (std::size_t i = int_end; i > 3; i -= 3) s.insert(i - 3, ",");
  return neg ? "-" + s : s;
}

std::string format_percent(double share) {
  return std::isnan(share) ? "n/a" : format_number(100.0 * share, 2) + "%";
}

std::size_t display_width(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char ch : s) n += (ch & 0xC0) != 0x80;
  return n;
}

std::string TextTable::render(const std::string& indent) const {
  std::vector<std::size_t> width(align_.size(), 0);
  for (const auto& row : rows_)
    for (std::size_t i = 0; i < row.size() && i < width.size(); ++i)
      width[i] = std::max(width[i], display_width(row[i]));
  std::string out;
  for (const auto& row : rows_) {
    std::string line = indent;
    for (std::size_t i = 0; i < align_.size(); ++i) {
      const std::string cell = i < row.size() ? row[i] : "";
      const std::string pad(width[i] - display_width(cell), ' ');
      line += (i ? "  " : "") + (align_[i] == 'l' ? cell + pad : pad + cell);
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out += line + "\n";
  }
  return out;
}

// Shortest text that reads back to the same double (17 significant digits at most).
std::string exact_number(double v) {
  char buf[40];
  for (int digits = 15; digits <= 17; ++digits) {
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

std::string csv_number(double v) { return std::isfinite(v) ? exact_number(v) : ""; }

// RFC 4180: quote a field holding a comma, quote, CR or LF, or surrounding spaces.
std::string csv_field(const std::string& s) {
  const bool quote = s.find_first_of(",\"\r\n") != std::string::npos ||
                     (!s.empty() && (s.front() == ' ' || s.back() == ' '));
  if (!quote) return s;
  std::string out = "\"";
  for (char ch : s) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return out + "\"";
}

}  // namespace limitsim
