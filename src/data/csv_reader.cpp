// The CSV reader: a streaming record parser over a fixed buffer, feeding the row checks (panel_builder.hpp).
//
// CSV is read through a fixed 1 MiB buffer (grown only for a single record
// longer than it) and parsed record by record in place; only the parsed numeric
// arrays grow with the file.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <filesystem>
#include <string_view>

#include "src/data/data_file.hpp"
#include "src/data/panel_builder.hpp"
#include "src/data/sha256.hpp"

namespace limitsim {
namespace loading {

namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxRecordBytes = std::size_t{64} << 20;  // one CSV record; longer is an unterminated quote
constexpr std::int64_t kReserveAfterRows = 4096;  // CSV: rows read before the arrays are sized from the file size

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

class CsvReader {
 public:
  CsvReader(const std::string& path, char delimiter, Sha256* hash)
      : in_(path), path_(path), delim_(delimiter), hash_(hash), buf_(kReadBuffer) {
    if (!in_.f) throw ConfigError(path + ": cannot open the data file: " + open_error(path));
    refill();
    if (end_ >= 3 && std::memcmp(buf_.data(), "\xEF\xBB\xBF", 3) == 0) begin_ = 3;  // a UTF-8 byte-order mark
  }

  // The next non-blank record; false at the end of the file.
  bool next() {
    for (;;) {
      const Scan s = scan();
      if (s == Scan::kMore) {
        refill();
        continue;
      }
      if (s == Scan::kEnd) return false;
      if (fields_.size() == 1 && fields_[0].empty() && !quoted_ && !malformed_) continue;  // a blank line
      return true;
    }
  }

  const std::vector<std::string_view>& fields() const { return fields_; }
  std::int64_t line() const { return line_; }
  // A record whose quoting is broken: the reason, and the field (0-based) it is in.
  bool malformed() const { return malformed_; }
  const std::string& malformed_reason() const { return reason_; }
  std::size_t malformed_field() const { return fields_.size(); }
  // Bytes of the file before the next record.
  std::uint64_t consumed() const { return bytes_ - (end_ - begin_); }

 private:
  enum class Scan { kDone, kMore, kEnd };

  void refill() {
    if (begin_ > 0) {
      std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
    }
    if (end_ == buf_.size()) {  // one record fills the buffer
      if (buf_.size() >= kMaxRecordBytes)
        throw ConfigError(path_ + ":" + std::to_string(next_line_) + ": a record longer than " +
                          std::to_string(kMaxRecordBytes >> 20) + " MiB (an unterminated quoted field?)");
      buf_.resize(buf_.size() * 2);
    }
    const std::size_t n = std::fread(buf_.data() + end_, 1, buf_.size() - end_, in_.f);
    if (n == 0) {
      if (std::ferror(in_.f)) throw ConfigError(path_ + ": read error: " + std::strerror(errno));
      eof_ = true;
    }
    if (hash_) hash_->update(buf_.data() + end_, n);
    end_ += n;
    bytes_ += n;
  }

  // Parses the record at begin_ in place; kMore when the buffer ends inside it.
  Scan scan() {
    const char* b = buf_.data();
    std::size_t pos = begin_;
    std::int64_t newlines = 0;
    fields_.clear();
    scratch_used_ = 0;
    quoted_ = malformed_ = false;
    if (pos == end_) return eof_ ? Scan::kEnd : Scan::kMore;
    {
      // The usual record: no quote before the line end; split it with memchr.
      const void* nl = std::memchr(b + pos, '\n', end_ - pos);
      if (!nl && !eof_) return Scan::kMore;
      const std::size_t stop = nl ? static_cast<const char*>(nl) - b : end_;
      if (!std::memchr(b + pos, '"', stop - pos)) {
        std::size_t last = stop;
        if (last > pos && b[last - 1] == '\r') --last;
        for (;;) {
          const void* d = std::memchr(b + pos, delim_, last - pos);
          const std::size_t fend = d ? static_cast<const char*>(d) - b : last;
          fields_.push_back(trim(std::string_view(b + pos, fend - pos)));
          if (!d) break;
          pos = fend + 1;
        }
        return nl ? done(stop + 1, 1) : done(stop, 0);
      }
    }
    for (;;) {
      if (pos == end_ && !eof_) return Scan::kMore;
      if (pos < end_ && b[pos] == '"') {
        quoted_ = true;
        const std::size_t start = pos + 1;
        std::size_t q = start;
        bool doubled = false;
        std::size_t close = 0;
        for (;;) {
          const void* hit = std::memchr(b + q, '"', end_ - q);
          if (!hit) {
            if (!eof_) return Scan::kMore;
            newlines += std::count(b + q, b + end_, '\n');
            return broken(end_, newlines, "unterminated quoted field: the file ends inside it");
          }
          const std::size_t h = static_cast<const char*>(hit) - b;
          newlines += std::count(b + q, b + h, '\n');
          if (h + 1 == end_ && !eof_) return Scan::kMore;
          if (h + 1 < end_ && b[h + 1] == '"') {
            doubled = true;
            q = h + 2;
            continue;
          }
          close = h;
          break;
        }
        std::string_view content(b + start, close - start);
        if (doubled) content = unescape(content);
        pos = close + 1;
        if (pos < end_ && b[pos] == '\r') {
          if (pos + 1 == end_ && !eof_) return Scan::kMore;
          if (pos + 1 < end_ && b[pos + 1] == '\n') ++pos;
        }
        if (pos == end_) {
          if (!eof_) return Scan::kMore;
          fields_.push_back(content);
          return done(pos, newlines);
        }
        if (b[pos] == delim_) {
          fields_.push_back(content);
          ++pos;
          continue;
        }
        if (b[pos] == '\n') {
          fields_.push_back(content);
          return done(pos + 1, newlines + 1);
        }
        const char after = b[pos];
        const void* nl = std::memchr(b + pos, '\n', end_ - pos);
        if (!nl && !eof_) return Scan::kMore;
        const std::size_t stop = nl ? static_cast<const char*>(nl) - b + 1 : end_;
        return broken(stop, newlines + (nl ? 1 : 0),
                      "a quoted field must end at the delimiter or the line end, got " + show(std::string(1, after)) +
                          " after its closing quote");
      }
      std::size_t q = pos;
      while (q < end_ && b[q] != delim_ && b[q] != '\n') ++q;
      if (q == end_ && !eof_) return Scan::kMore;
      std::size_t stop = q;
      if ((q == end_ || b[q] == '\n') && stop > pos && b[stop - 1] == '\r') --stop;
      fields_.push_back(trim(std::string_view(b + pos, stop - pos)));
      if (q == end_) return done(q, newlines);
      if (b[q] == '\n') return done(q + 1, newlines + 1);
      pos = q + 1;
    }
  }

  Scan done(std::size_t next, std::int64_t newlines) {
    begin_ = next;
    line_ = next_line_;
    next_line_ += newlines;
    return Scan::kDone;
  }

  Scan broken(std::size_t next, std::int64_t newlines, std::string reason) {
    malformed_ = true;
    reason_ = std::move(reason);
    return done(next, newlines);
  }

  std::string_view unescape(std::string_view s) {
    if (scratch_used_ == scratch_.size()) scratch_.emplace_back();
    std::string& out = scratch_[scratch_used_++];
    out.clear();
    for (std::size_t i = 0; i < s.size(); ++i) {
      out += s[i];
      if (s[i] == '"') ++i;  // "" -> "
    }
    return out;
  }

  File in_;
  std::string path_;
  char delim_;
  Sha256* hash_;
  std::vector<char> buf_;
  std::size_t begin_ = 0, end_ = 0;
  bool eof_ = false;
  std::uint64_t bytes_ = 0;
  std::int64_t line_ = 0, next_line_ = 1;
  std::vector<std::string_view> fields_;
  std::deque<std::string> scratch_;  // unescaped quoted fields (a deque: views into it survive growth)
  std::size_t scratch_used_ = 0;
  bool quoted_ = false, malformed_ = false;
  std::string reason_;
};

}  // namespace

void read_csv(const std::string& file, const Mapping& m, Builder& out, Sha256* hash) {
  CsvReader csv(file, m.delimiter, hash);
  std::vector<Slot> slots = plan(m);
  if (!csv.next()) throw ConfigError(file + ": empty file: no header row");
  if (csv.malformed())
    throw ConfigError(file + ":" + std::to_string(csv.line()) + ": header: " + csv.malformed_reason());
  const std::vector<std::string> header(csv.fields().begin(), csv.fields().end());
  for (const std::string& h : header)
    if (h.find('\r') != std::string::npos)
      throw ConfigError(file + ":" + std::to_string(csv.line()) +
                        ": header: a carriage return (CR) inside it: the file's lines seem to end in CR alone "
                        "(classic Mac OS); convert them to LF or CR LF");
  for (Slot& s : slots) {
    const auto it = std::find(header.begin(), header.end(), s.column);
    if (it == header.end())
      throw ConfigError(file + ":" + std::to_string(csv.line()) + ": column '" + s.column + "' (" + s.key + " in " +
                        m.source + "): not in the header");
    const auto again = std::find(it + 1, header.end(), s.column);
    if (again != header.end())
      throw ConfigError(file + ":" + std::to_string(csv.line()) + ": column '" + s.column + "' (" + s.key + " in " +
                        m.source + "): the header has it twice (fields " + std::to_string(it - header.begin() + 1) +
                        " and " + std::to_string(again - header.begin() + 1) + ")");
    s.field = static_cast<std::size_t>(it - header.begin());
  }
  // Checked in the file's column order, so a row's first bad value is the leftmost.
  std::sort(slots.begin(), slots.end(), [](const Slot& a, const Slot& b) { return a.field < b.field; });
  const std::size_t width = header.size();

  std::error_code ec;
  const auto size = fs::file_size(file, ec);
  bool reserved = false;
  std::string why;
  Panel& p = out.panel();
  const std::string id_column = Builder::id_column(m);
  while (csv.next()) {
    ++p.rows_read;
    const auto& f = csv.fields();
    const std::int64_t line = csv.line();
    if (csv.malformed()) {
      const std::size_t k = csv.malformed_field();
      out.bad(file + ":" + std::to_string(line) + ": column " +
              (k < width ? "'" + header[k] + "'" : "#" + std::to_string(k + 1)) + ": " + csv.malformed_reason());
      continue;
    }
    if (f.size() != width) {
      const std::string what = "the row has " + std::to_string(f.size()) + " fields, the header " + std::to_string(width);
      out.bad(f.size() < width ? out.where(line, header[f.size()]) + ": missing: " + what
                               : file + ":" + std::to_string(line) + ": column #" + std::to_string(width + 1) +
                                     " (beyond the header): " + what);
      continue;
    }
    bool ok = true;
    for (const Slot& s : slots) {
      Cell c;
      c.text = f[s.field];
      if (!out.set(s, c, why)) {
        out.bad(out.where(line, s.column) + ": " + why);
        ok = false;
        break;
      }
    }
    if (ok) out.commit(line);
    // Reserve once from the first rows' bytes, so the arrays do not double past the file's needs.
    if (!reserved && !ec && p.rows_read == kReserveAfterRows) {
      reserved = true;
      const double per_row = static_cast<double>(csv.consumed()) / kReserveAfterRows;
      if (csv.consumed() < size && per_row > 0.0)
        out.reserve(static_cast<std::size_t>(static_cast<double>(size) / per_row * 1.02) + kReserveAfterRows);
    }
  }
  out.finish(id_column);
}

}  // namespace loading
}  // namespace limitsim
