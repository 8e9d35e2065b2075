// Plain-text formatting shared by the summary, compare and sweep output:
// numbers with thousands separators, fixed-width columns, CSV cells.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace limitsim {

// `v` with `decimals` decimals and thousands separators; "n/a" for NaN,
// "inf"/"-inf" for infinities; never "-0.00".
std::string format_number(double v, int decimals);

// A share (fraction) as a percentage with 2 decimals, e.g. 0.0123 -> "1.23%"; "n/a" for NaN.
std::string format_percent(double share);

// Shortest text that reads back to the same double (17 significant digits at most).
std::string exact_number(double v);

// A CSV cell: exact_number, or empty for NaN and infinities.
std::string csv_number(double v);

// A CSV field quoted as RFC 4180 requires (comma, quote, CR/LF, surrounding spaces).
std::string csv_field(const std::string& s);

// A JSON number: exact_number, or null for NaN and infinities.
std::string json_number(double v);

// A JSON string: quotes, backslashes and control characters escaped; bytes that
// are not valid UTF-8 become U+FFFD, so the document is always valid JSON.
std::string json_string(const std::string& s);

// The name of `names` closest to a mistyped `word` (edit distance, ignoring
// case, a transposition counting as one edit), or "" when none is close enough
// to be the one meant: at most 1 edit for words of up to 4 characters, 2 up to
// 8, 3 beyond. For "did you mean" hints.
std::string closest_name(const std::string& word, const std::vector<std::string>& names);

// Display width of UTF-8 text: code points, not bytes.
std::size_t display_width(const std::string& s);

// Columns padded to their widest cell; align holds one 'l' or 'r' per column.
// Rows may be shorter than align (missing cells are empty).
class TextTable {
 public:
  explicit TextTable(std::string align) : align_(std::move(align)) {}
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  std::string render(const std::string& indent) const;

 private:
  std::string align_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace limitsim
