// Real customer data (docs/data.md): a data file read through a mapping into a
// Panel, streaming, and the Panel's state at one month turned into a Population.
//
// CSV is read through a fixed 1 MiB buffer (grown only for a single record
// longer than it) and parsed record by record in place; only the parsed numeric
// arrays grow with the file. HDF5 column datasets are read in hyperslabs of
// kH5ChunkRows rows. Both feed the same row checks (Builder), so a value is
// accepted or refused for the same reason whatever the format.

#include <hdf5.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>
#endif

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <deque>
#include <exception>
#include <filesystem>
#include <limits>
#include <numeric>
#include <string_view>
#include <thread>
#include <utility>

#include "src/data/panel.hpp"
#include "kernels/special.hpp"

namespace limitsim {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kReadBuffer = std::size_t{1} << 20;     // CSV read buffer: 1 MiB
constexpr std::size_t kMaxRecordBytes = std::size_t{64} << 20;  // one CSV record; longer is an unterminated quote
constexpr hsize_t kH5ChunkRows = 65536;  // HDF5 rows per hyperslab read: ~0.5 MiB per column
constexpr std::int64_t kReserveAfterRows = 4096;  // CSV: rows read before the arrays are sized from the file size
constexpr std::size_t kMaxExamples = 5;  // skipped-row messages kept in Panel::skipped_examples
constexpr double kMaxMoney = 1e12;       // currency units, as in src/config.cpp
constexpr double kExactInteger = 9007199254740992.0;  // 2^53: integers above it are not exact in a double

// ================================================================ SHA-256 (FIPS 180-4)

// Whether the CPU has the SHA extensions (CPUID leaf 7, EBX bit 29).
bool cpu_has_sha() {
#if defined(__x86_64__) || defined(__i386__)
  unsigned a = 0, b = 0, c = 0, d = 0;
  return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 29)) != 0 && __builtin_cpu_supports("sse4.1") &&
         __builtin_cpu_supports("ssse3");
#else
  return false;
#endif
}

#if defined(__x86_64__) || defined(__i386__)
// The same compression with the SHA-NI instructions: 16 groups of four rounds,
// the message schedule kept in four registers (Intel's reference layout).
__attribute__((target("sha,sse4.1,ssse3"))) void compress_shani(std::uint32_t state[8], const unsigned char* p,
                                                                const std::uint32_t k[64]) {
  const __m128i mask = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  __m128i tmp = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(&state[0])), 0xB1);  // CDAB
  __m128i s1 = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(&state[4])), 0x1B);   // EFGH
  __m128i s0 = _mm_alignr_epi8(tmp, s1, 8);     // ABEF
  s1 = _mm_blend_epi16(s1, tmp, 0xF0);          // CDGH
  const __m128i abef = s0, cdgh = s1;
  __m128i w[4];
  for (int i = 0; i < 4; ++i)
    w[i] = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * i)), mask);
  for (int i = 0; i < 16; ++i) {
    __m128i msg = _mm_add_epi32(w[i % 4], _mm_loadu_si128(reinterpret_cast<const __m128i*>(k + 4 * i)));
    s1 = _mm_sha256rnds2_epu32(s1, s0, msg);
    if (i >= 3 && i <= 14) {
      const __m128i t = _mm_alignr_epi8(w[i % 4], w[(i + 3) % 4], 4);
      w[(i + 1) % 4] = _mm_sha256msg2_epu32(_mm_add_epi32(w[(i + 1) % 4], t), w[i % 4]);
    }
    msg = _mm_shuffle_epi32(msg, 0x0E);
    s0 = _mm_sha256rnds2_epu32(s0, s1, msg);
    if (i >= 1 && i <= 12) w[(i - 1) % 4] = _mm_sha256msg1_epu32(w[(i - 1) % 4], w[i % 4]);
  }
  s0 = _mm_add_epi32(s0, abef);
  s1 = _mm_add_epi32(s1, cdgh);
  tmp = _mm_shuffle_epi32(s0, 0x1B);      // FEBA
  s1 = _mm_shuffle_epi32(s1, 0xB1);       // DCHG
  s0 = _mm_blend_epi16(tmp, s1, 0xF0);    // DCBA
  s1 = _mm_alignr_epi8(s1, tmp, 8);       // ABEF
  _mm_storeu_si128(reinterpret_cast<__m128i*>(&state[0]), s0);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(&state[4]), s1);
}
#endif

const std::uint32_t kSha256K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

// SHA-256 with the SHA-NI instructions where the CPU has them (about 6x
// faster here), else portable C++; both give the same digest (tested).
class Sha256 {
 public:
  explicit Sha256(bool portable_only = false) : shani_(!portable_only && cpu_has_sha()) {}

  void update(const void* data, std::size_t n) {
    const auto* p = static_cast<const unsigned char*>(data);
    bytes_ += n;
    if (fill_ > 0) {
      const std::size_t take = std::min(n, sizeof block_ - fill_);
      std::memcpy(block_ + fill_, p, take);
      fill_ += take;
      p += take;
      n -= take;
      if (fill_ < sizeof block_) return;
      compress(block_);
      fill_ = 0;
    }
    for (; n >= 64; p += 64, n -= 64) compress(p);
    std::memcpy(block_, p, n);
    fill_ = n;
  }

  std::string hex() {
    const std::uint64_t bits = bytes_ * 8;
    const unsigned char pad = 0x80;
    update(&pad, 1);
    const unsigned char zero[64] = {};
    update(zero, (fill_ <= 56 ? 56 - fill_ : 120 - fill_));
    unsigned char len[8];
    for (int i = 0; i < 8; ++i) len[i] = static_cast<unsigned char>(bits >> (56 - 8 * i));
    update(len, 8);
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (const std::uint32_t w : h_)
      for (int s = 28; s >= 0; s -= 4) out += digits[(w >> s) & 0xf];
    return out;
  }

 private:
  static std::uint32_t rotr(std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

  void compress(const unsigned char* p) {
#if defined(__x86_64__) || defined(__i386__)
    if (shani_) return compress_shani(h_, p, kSha256K);
#endif
    const std::uint32_t* k = kSha256K;
    std::uint32_t w[64];
    for (int i = 0; i < 16; ++i)
      w[i] = (std::uint32_t{p[4 * i]} << 24) | (std::uint32_t{p[4 * i + 1]} << 16) |
             (std::uint32_t{p[4 * i + 2]} << 8) | std::uint32_t{p[4 * i + 3]};
    for (int i = 16; i < 64; ++i) {
      const std::uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
      const std::uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    std::uint32_t a = h_[0], b = h_[1], c = h_[2], d = h_[3], e = h_[4], f = h_[5], g = h_[6], h = h_[7];
    for (int i = 0; i < 64; ++i) {
      const std::uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + k[i] + w[i];
      const std::uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
      h = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
    }
    h_[0] += a; h_[1] += b; h_[2] += c; h_[3] += d; h_[4] += e; h_[5] += f; h_[6] += g; h_[7] += h;
  }

  std::uint32_t h_[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  unsigned char block_[64] = {};
  std::size_t fill_ = 0;
  std::uint64_t bytes_ = 0;
  bool shani_;
};

// A FILE* closed on every path.
struct File {
  std::FILE* f = nullptr;
  explicit File(const std::string& path) : f(std::fopen(path.c_str(), "rb")) {}
  ~File() {
    if (f) std::fclose(f);
  }
  File(const File&) = delete;
  File& operator=(const File&) = delete;
};

// Why a file could not be opened; call it right after the failed open (it reads errno).
std::string open_error(const std::string& path) {
  const int err = errno;
  std::error_code ec;
  if (!fs::exists(path, ec)) return "no such file";
  if (!fs::is_regular_file(path, ec)) return "not a regular file";
  return std::strerror(err);
}

std::string hash_file(const std::string& path, const std::atomic<bool>* cancel, bool portable_only = false) {
  File in(path);
  if (!in.f) throw ConfigError(path + ": cannot open the data file: " + open_error(path));
  std::vector<unsigned char> buf(kReadBuffer);
  Sha256 h(portable_only);
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), in.f)) > 0) {
    if (cancel && cancel->load(std::memory_order_relaxed)) return "";
    h.update(buf.data(), n);
  }
  if (std::ferror(in.f)) throw ConfigError(path + ": read error while hashing the data file");
  return h.hex();
}

// Hashes a file on a second thread while the caller parses it. The destructor
// cancels and joins, so an exception in the parser never leaves a thread behind.
class BackgroundHash {
 public:
  explicit BackgroundHash(const std::string& path)
      : thread_([this, path] {
          try {
            result_ = hash_file(path, &cancel_);
          } catch (...) {
            error_ = std::current_exception();
          }
        }) {}
  ~BackgroundHash() {
    cancel_ = true;
    if (thread_.joinable()) thread_.join();
  }
  BackgroundHash(const BackgroundHash&) = delete;
  BackgroundHash& operator=(const BackgroundHash&) = delete;

  std::string get() {
    thread_.join();
    if (error_) std::rethrow_exception(error_);
    return result_;
  }

 private:
  std::atomic<bool> cancel_{false};
  std::string result_;
  std::exception_ptr error_;
  std::thread thread_;  // last: starts after the members it uses exist
};

// ================================================================ text helpers

std::string show(std::string_view s) {
  constexpr std::size_t kMax = 40;
  std::string out = "'";
  for (std::size_t i = 0; i < s.size() && i < kMax; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    out += (c < 0x20 || c == 0x7f) ? '?' : s[i];
  }
  return out + (s.size() > kMax ? "...'" : "'");
}

std::string fmt_double(double x) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, r.ptr);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// ================================================================ columns and values

// One mapped column and what it fills.
struct Slot {
  enum Kind { kId, kLimit, kScore, kIncome, kMob, kRegion, kLabel, kStatus, kBalance, kPayment } kind;
  std::int32_t month;   // series month (0 for a snapshot's balance / status)
  std::string column;   // CSV header name or HDF5 dataset path
  std::string key;      // the mapping key that names it, for messages
  std::size_t field = 0;  // CSV: position in the header
};

std::vector<Slot> plan(const Mapping& m) {
  std::vector<Slot> s;
  auto add = [&](Slot::Kind k, const char* field) {
    const auto it = m.columns.find(field);
    if (it != m.columns.end()) s.push_back({k, 0, it->second, std::string("fields.") + field});
  };
  add(Slot::kId, "id");
  add(Slot::kLimit, "limit");
  add(Slot::kScore, "score");
  add(Slot::kIncome, "income");
  add(Slot::kMob, "months_on_book");
  add(Slot::kRegion, "region");
  add(Slot::kLabel, "label");
  add(Slot::kStatus, "status");
  add(Slot::kBalance, "balance");
  auto series = [&](Slot::Kind k, const std::vector<std::string>& cols, const char* name) {
    for (std::size_t t = 0; t < cols.size(); ++t)
      s.push_back({k, static_cast<std::int32_t>(t), cols[t], std::string("panel.") + name + "[" + std::to_string(t) + "]"});
  };
  series(Slot::kStatus, m.status_columns, "status");
  series(Slot::kBalance, m.balance_columns, "balance");
  series(Slot::kPayment, m.payment_columns, "payment");
  return s;
}

// A value as read: CSV text, or an HDF5 element converted to one of three native types.
struct Cell {
  enum Kind { kText, kInt, kUInt, kReal } kind = kText;
  std::string_view text;
  std::int64_t i = 0;
  std::uint64_t u = 0;
  double d = 0.0;
};

std::string cell_text(const Cell& c) {
  switch (c.kind) {
    case Cell::kText: return show(c.text);
    case Cell::kInt: return std::to_string(c.i);
    case Cell::kUInt: return std::to_string(c.u);
    default: return fmt_double(c.d);
  }
}

// A finite number. Text: an optional sign, then what std::from_chars reads, and nothing after it.
bool to_real(const Cell& c, double& x, std::string& why) {
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
bool to_int(const Cell& c, std::int64_t& x, std::string& why) {
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
bool to_id(const Cell& c, std::uint64_t& x, std::string& why) {
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
bool to_cents(const Cell& c, double scale, std::int64_t& cents, std::string& why) {
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

// ================================================================ Builder: the row checks and the Panel

class Builder {
 public:
  Builder(const Mapping& m, BadRowPolicy policy, std::string file, bool csv)
      : m_(m), policy_(policy), file_(std::move(file)), csv_(csv) {
    p_.source = file_;
    panel_ = !m.months.empty();
    p_.month_names = m.months;
    p_.months = panel_ ? static_cast<std::int32_t>(m.months.size()) : 1;
    p_.region_names = m.region_names;
    has_status_ = panel_ ? !m.status_columns.empty() : m.columns.count("status") > 0;
    has_balance_ = panel_ ? !m.balance_columns.empty() : m.columns.count("balance") > 0;
    has_payment_ = panel_ && !m.payment_columns.empty();
    has_score_ = m.columns.count("score") > 0;
    has_income_ = m.columns.count("income") > 0;
    has_mob_ = m.columns.count("months_on_book") > 0;
    has_region_ = m.columns.count("region") > 0;
    has_label_ = m.columns.count("label") > 0;
    const std::size_t T = static_cast<std::size_t>(p_.months);
    row_.status.assign(T, 0);
    row_.bucket.assign(T, 0);
    row_.type.assign(T, UsageType::kNone);
    row_.balance.assign(T, 0);
    row_.payment.assign(T, 0);
    // Status codes -> a dense table when their range is small (the usual case).
    if (!m.codes.empty()) {
      code_min_ = m.codes.begin()->first;
      const std::int64_t span = m.codes.rbegin()->first - code_min_;
      if (span >= 0 && span < 4096) {
        code_table_.assign(static_cast<std::size_t>(span) + 1, StatusCode{-1, UsageType::kNone});
        for (const auto& [code, sc] : m.codes) code_table_[static_cast<std::size_t>(code - code_min_)] = sc;
      }
    }
  }

  Panel& panel() { return p_; }
  std::int32_t months() const { return p_.months; }

  void reserve(std::size_t n) {
    const std::size_t T = static_cast<std::size_t>(p_.months);
    p_.id.reserve(n); p_.limit.reserve(n); p_.score.reserve(n); p_.income.reserve(n);
    p_.months_on_book.reserve(n); p_.region.reserve(n);
    if (has_label_) p_.label.reserve(n);
    if (has_status_) { p_.status_code.reserve(n * T); p_.bucket.reserve(n * T); p_.type.reserve(n * T); }
    if (has_balance_) p_.balance.reserve(n * T);
    if (has_payment_) p_.payment.reserve(n * T);
  }

  // Reads one value into the staged row; false with the reason when it is refused.
  bool set(const Slot& s, const Cell& c, std::string& why) {
    Row& r = row_;
    switch (s.kind) {
      case Slot::kId: return to_id(c, r.id, why);
      case Slot::kLimit:
        if (!to_cents(c, m_.money_scale, r.limit, why)) return false;
        if (r.limit < 0) return fail(why, "a limit must not be negative, got " + cell_text(c));
        return true;
      case Slot::kScore: {
        double x = 0.0;
        if (!to_real(c, x, why)) return false;
        if (x < 350.0 || x > 950.0) return fail(why, "a score must be in [350, 950], got " + cell_text(c));
        r.score = static_cast<float>(x);
        return true;
      }
      case Slot::kIncome:
        if (!to_cents(c, m_.money_scale, r.income, why)) return false;
        if (r.income < 0) return fail(why, "an income must not be negative, got " + cell_text(c));
        return true;
      case Slot::kMob: {
        std::int64_t x = 0;
        if (!to_int(c, x, why)) return false;
        if (x < 0 || x > std::numeric_limits<std::int32_t>::max())
          return fail(why, "months on book must be a non-negative 32-bit integer, got " + cell_text(c));
        r.mob = static_cast<std::int32_t>(x);
        return true;
      }
      case Slot::kRegion: return region(c, why);
      case Slot::kLabel: {
        if (c.kind == Cell::kText && c.text.empty()) {
          r.label = -1;  // not known for this customer
          return true;
        }
        std::int64_t x = 0;
        if (!to_int(c, x, why) || x < -1 || x > 1)
          return fail(why, "a label must be 0 or 1 (-1 or empty: unknown), got " + cell_text(c));
        r.label = static_cast<std::int8_t>(x);
        return true;
      }
      case Slot::kStatus: return status(s.month, c, why);
      case Slot::kBalance: return to_cents(c, m_.money_scale, r.balance[s.month], why);
      case Slot::kPayment:
        if (!to_cents(c, m_.money_scale, r.payment[s.month], why)) return false;
        if (r.payment[s.month] < 0) return fail(why, "a payment must not be negative, got " + cell_text(c));
        return true;
    }
    return true;
  }

  // Appends the staged row; pos is its line (CSV) or row (HDF5).
  void commit(std::int64_t pos) {
    const Row& r = row_;
    const std::size_t i = p_.id.size();
    if (pos != next_pos_) jumps_.emplace_back(i, pos);
    next_pos_ = pos + 1;
    if (i > 0 && r.id <= p_.id.back()) ids_ascending_ = false;
    p_.id.push_back(r.id);
    p_.limit.push_back(r.limit);
    p_.score.push_back(has_score_ ? r.score
                                  : (m_.score.kind == ScoreRule::Kind::kConstant ? static_cast<float>(m_.score.value)
                                                                                 : std::numeric_limits<float>::quiet_NaN()));
    std::int64_t income = m_.income;
    if (has_income_) {
      income = r.income;
    } else if (m_.income_limit_multiple > 0.0) {
      income = std::llround(static_cast<double>(r.limit) / m_.income_limit_multiple);
    }
    p_.income.push_back(income);
    p_.months_on_book.push_back(has_mob_ ? r.mob : m_.months_on_book);
    p_.region.push_back(has_region_ ? r.region : 0);
    if (has_label_) p_.label.push_back(r.label);
    if (has_status_) {
      p_.status_code.insert(p_.status_code.end(), r.status.begin(), r.status.end());
      p_.bucket.insert(p_.bucket.end(), r.bucket.begin(), r.bucket.end());
      p_.type.insert(p_.type.end(), r.type.begin(), r.type.end());
    }
    if (has_balance_) p_.balance.insert(p_.balance.end(), r.balance.begin(), r.balance.end());
    if (has_payment_) p_.payment.insert(p_.payment.end(), r.payment.begin(), r.payment.end());
  }

  // "file:line: column 'X'" (CSV) or "file: row N: dataset 'X'" (HDF5).
  std::string where(std::int64_t pos, const std::string& column) const {
    return csv_ ? file_ + ":" + std::to_string(pos) + ": column '" + column + "'"
                : file_ + ": row " + std::to_string(pos) + ": dataset '" + column + "'";
  }

  // A refused row: throws (kError) or counts it (kSkip).
  void bad(const std::string& message) {
    if (policy_ == BadRowPolicy::kError) throw ConfigError(message);
    ++p_.rows_skipped;
    if (p_.skipped_examples.size() < kMaxExamples) p_.skipped_examples.push_back(message);
  }

  // Duplicate ids, the zero-good-rows check and the rank scores, once every row is in.
  void finish(const std::string& id_column) {
    if (p_.id.empty()) {
      std::string why = p_.rows_read == 0 ? "no data rows" : "no usable rows: all " + std::to_string(p_.rows_read) +
                                                                 " data rows were refused";
      if (!p_.skipped_examples.empty()) why += " (the first: " + p_.skipped_examples.front() + ")";
      throw ConfigError(file_ + ": " + why);
    }
    duplicates(id_column);
    if (!has_score_ && m_.score.kind == ScoreRule::Kind::kLimitRank) rank_scores();
  }

 private:
  struct Row {
    std::uint64_t id = 0;
    std::int64_t limit = 0, income = 0;
    float score = 0.0f;
    std::int32_t mob = 0, region = 0;
    std::int8_t label = -1;
    std::vector<std::int64_t> status;
    std::vector<std::int8_t> bucket;
    std::vector<UsageType> type;
    std::vector<std::int64_t> balance, payment;
  };

  static bool fail(std::string& why, std::string reason) {
    why = std::move(reason);
    return false;
  }

  bool status(std::int32_t t, const Cell& c, std::string& why) {
    std::int64_t code = 0;
    if (!to_int(c, code, why)) return fail(why, "a status must be an integer code, got " + cell_text(c));
    StatusCode sc{-1, UsageType::kNone};
    if (!code_table_.empty()) {
      if (code >= code_min_ && code - code_min_ < static_cast<std::int64_t>(code_table_.size()))
        sc = code_table_[static_cast<std::size_t>(code - code_min_)];
    } else {
      const auto it = m_.codes.find(code);
      if (it != m_.codes.end()) sc = it->second;
    }
    if (sc.bucket < 0) {
      std::string listed;
      for (const auto& kv : m_.codes) listed += (listed.empty() ? "" : ", ") + std::to_string(kv.first);
      return fail(why, "status code " + std::to_string(code) + " is not in status.codes (" + listed + ")");
    }
    row_.status[t] = code;
    row_.bucket[t] = static_cast<std::int8_t>(sc.bucket);
    row_.type[t] = sc.type;
    return true;
  }

  bool region(const Cell& c, std::string& why) {
    const auto& names = m_.region_names;
    if (c.kind == Cell::kText) {
      const auto it = std::find(names.begin(), names.end(), c.text);
      if (it == names.end()) {
        std::string listed;
        for (const auto& n : names) listed += (listed.empty() ? "" : ", ") + n;
        return fail(why, "region " + show(c.text) + " is not in regions.names (" + listed + ")");
      }
      row_.region = static_cast<std::int32_t>(it - names.begin());
      return true;
    }
    std::int64_t x = 0;
    if (!to_int(c, x, why) || x < 0 || x >= static_cast<std::int64_t>(names.size()))
      return fail(why, "a region index must be 0.." + std::to_string(names.size() - 1) + " (into regions.names), got " +
                           cell_text(c));
    row_.region = static_cast<std::int32_t>(x);
    return true;
  }

  std::int64_t position(std::size_t i) const {
    auto it = std::upper_bound(jumps_.begin(), jumps_.end(), i,
                               [](std::size_t v, const std::pair<std::size_t, std::int64_t>& j) { return v < j.first; });
    --it;  // the first row is always a jump
    return it->second + static_cast<std::int64_t>(i - it->first);
  }

  // Sorting the ids finds every repeat without a hash of all of them; the
  // first occurrence (in file order) is kept.
  void duplicates(const std::string& id_column) {
    if (ids_ascending_) return;
    const std::size_t n = p_.id.size();
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return p_.id[a] != p_.id[b] ? p_.id[a] < p_.id[b] : a < b;
    });
    std::vector<std::pair<std::size_t, std::size_t>> dup;  // (repeat, first)
    for (std::size_t k = 1, first = order[0]; k < n; ++k) {
      if (p_.id[order[k]] == p_.id[first]) {
        dup.emplace_back(order[k], first);
      } else {
        first = order[k];
      }
    }
    if (dup.empty()) return;
    std::sort(dup.begin(), dup.end());  // file order: kError reports the first repeat in the file
    const char* unit = csv_ ? "line " : "row ";
    std::vector<char> keep(n, 1);
    for (const auto& [again, first] : dup) {
      bad(where(position(again), id_column) + ": id " + std::to_string(p_.id[again]) + " is repeated: it is also on " +
          unit + std::to_string(position(first)));
      keep[again] = 0;
    }
    compact(keep);
  }

  template <class T>
  static void compact(std::vector<T>& v, const std::vector<char>& keep, std::size_t stride) {
    if (v.empty()) return;
    std::size_t out = 0;
    for (std::size_t i = 0; i < keep.size(); ++i) {
      if (!keep[i]) continue;
      if (out != i) std::copy_n(v.begin() + i * stride, stride, v.begin() + out * stride);
      ++out;
    }
    v.resize(out * stride);
  }

  void compact(const std::vector<char>& keep) {
    const std::size_t T = static_cast<std::size_t>(p_.months);
    compact(p_.id, keep, 1); compact(p_.limit, keep, 1); compact(p_.score, keep, 1); compact(p_.income, keep, 1);
    compact(p_.months_on_book, keep, 1); compact(p_.region, keep, 1); compact(p_.label, keep, 1);
    compact(p_.status_code, keep, T); compact(p_.bucket, keep, T); compact(p_.type, keep, T);
    compact(p_.balance, keep, T); compact(p_.payment, keep, T);
  }

  // score = mean + sd * Phi^-1((rank - 0.5) / n) by limit, ties sharing their
  // mean rank, clamped to the model's 350..950.
  void rank_scores() {
    const std::size_t n = p_.id.size();
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return p_.limit[a] < p_.limit[b]; });
    for (std::size_t a = 0; a < n;) {
      std::size_t b = a;
      while (b + 1 < n && p_.limit[order[b + 1]] == p_.limit[order[a]]) ++b;
      const double rank = 0.5 * static_cast<double>(a + 1 + b + 1);
      const double z = norm_inv((rank - 0.5) / static_cast<double>(n));
      const float score = static_cast<float>(std::clamp(m_.score.mean + m_.score.sd * z, 350.0, 950.0));
      for (std::size_t k = a; k <= b; ++k) p_.score[order[k]] = score;
      a = b + 1;
    }
  }

  const Mapping& m_;
  BadRowPolicy policy_;
  std::string file_;
  bool csv_;
  Panel p_;
  Row row_;
  bool panel_ = false, has_status_ = false, has_balance_ = false, has_payment_ = false, has_score_ = false;
  bool has_income_ = false, has_mob_ = false, has_region_ = false, has_label_ = false;
  std::int64_t code_min_ = 0;
  std::vector<StatusCode> code_table_;  // code_min_ + k -> its bucket and type; bucket -1 where not listed
  bool ids_ascending_ = true;
  // Rows whose position is not the previous row's + 1 (the first row, rows
  // after skipped or multi-line records): enough to name any row's line.
  std::vector<std::pair<std::size_t, std::int64_t>> jumps_;
  std::int64_t next_pos_ = -1;
};

// ================================================================ CSV

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

void read_csv(const std::string& file, const Mapping& m, Builder& out, Sha256* hash) {
  CsvReader csv(file, m.delimiter, hash);
  std::vector<Slot> slots = plan(m);
  if (!csv.next()) throw ConfigError(file + ": empty file: no header row");
  if (csv.malformed())
    throw ConfigError(file + ":" + std::to_string(csv.line()) + ": header: " + csv.malformed_reason());
  const std::vector<std::string> header(csv.fields().begin(), csv.fields().end());
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
  const std::string id_column = m.columns.at("id");
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

// ================================================================ HDF5

// Switches HDF5's automatic error printing off for a scope.
class H5Quiet {
 public:
  H5Quiet() : saved_(H5Eget_auto2(H5E_DEFAULT, &func_, &data_) >= 0) { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }
  ~H5Quiet() {
    if (saved_) H5Eset_auto2(H5E_DEFAULT, func_, data_);
  }
  H5Quiet(const H5Quiet&) = delete;
  H5Quiet& operator=(const H5Quiet&) = delete;

 private:
  H5E_auto2_t func_ = nullptr;
  void* data_ = nullptr;
  bool saved_;
};

class H5Id {
 public:
  H5Id(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  H5Id(H5Id&& o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = H5I_INVALID_HID; }
  H5Id(const H5Id&) = delete;
  H5Id& operator=(const H5Id&) = delete;
  H5Id& operator=(H5Id&&) = delete;
  ~H5Id() {
    if (id_ >= 0) close_(id_);
  }
  hid_t get() const { return id_; }
  bool ok() const { return id_ >= 0; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

// One mapped dataset and the buffer its current chunk is read into.
struct H5Column {
  H5Column(const Slot* s, H5Id d, H5Id t, Cell::Kind k, bool v = false, std::size_t size = 0)
      : slot(s), ds(std::move(d)), mem_type(std::move(t)), kind(k), vlen(v), str_size(size) {}
  const Slot* slot;
  H5Id ds;
  H5Id mem_type;
  Cell::Kind kind;
  bool vlen = false;           // variable-length strings
  std::size_t str_size = 0;    // fixed-length strings
  std::vector<std::int64_t> i;
  std::vector<std::uint64_t> u;
  std::vector<double> d;
  std::vector<char> s;
  std::vector<char*> vs;
};

void read_hdf5(const std::string& file, const Mapping& m, Builder& out) {
  H5Quiet quiet;
  {
    std::FILE* f = std::fopen(file.c_str(), "rb");
    if (!f) throw ConfigError(file + ": cannot open the data file: " + open_error(file));
    std::fclose(f);
  }
  if (H5Fis_hdf5(file.c_str()) <= 0) throw ConfigError(file + ": not an HDF5 file");
  H5Id h5(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!h5.ok()) throw ConfigError(file + ": cannot open the HDF5 file");
  const std::vector<Slot> slots = plan(m);
  std::vector<H5Column> cols;
  cols.reserve(slots.size());
  hsize_t rows = 0;
  const Slot* first = nullptr;
  for (const Slot& s : slots) {
    const std::string what = file + ": dataset '" + s.column + "' (" + s.key + " in " + m.source + ")";
    const htri_t exists = H5Lexists(h5.get(), s.column.c_str(), H5P_DEFAULT);
    H5Id ds(exists > 0 ? H5Dopen2(h5.get(), s.column.c_str(), H5P_DEFAULT) : H5I_INVALID_HID, H5Dclose);
    if (!ds.ok()) throw ConfigError(what + ": not found (no dataset at that path)");
    H5Id space(H5Dget_space(ds.get()), H5Sclose);
    if (!space.ok() || H5Sget_simple_extent_ndims(space.get()) != 1)
      throw ConfigError(what + ": must be a 1-D dataset (one value per customer), it has rank " +
                        std::to_string(space.ok() ? H5Sget_simple_extent_ndims(space.get()) : -1));
    hsize_t n = 0;
    H5Sget_simple_extent_dims(space.get(), &n, nullptr);
    if (!first) {
      rows = n;
      first = &s;
    } else if (n != rows) {
      throw ConfigError(what + ": has " + std::to_string(n) + " rows, but dataset '" + first->column + "' has " +
                        std::to_string(rows));
    }
    H5Id ftype(H5Dget_type(ds.get()), H5Tclose);
    const H5T_class_t cls = H5Tget_class(ftype.get());
    if (cls == H5T_INTEGER) {
      const bool is_unsigned = H5Tget_sign(ftype.get()) == H5T_SGN_NONE;
      cols.emplace_back(&s, std::move(ds), H5Id(H5Tcopy(is_unsigned ? H5T_NATIVE_UINT64 : H5T_NATIVE_INT64), H5Tclose),
                        is_unsigned ? Cell::kUInt : Cell::kInt);
    } else if (cls == H5T_FLOAT) {
      cols.emplace_back(&s, std::move(ds), H5Id(H5Tcopy(H5T_NATIVE_DOUBLE), H5Tclose), Cell::kReal);
    } else if (cls == H5T_STRING && s.kind == Slot::kRegion) {
      const bool vlen = H5Tis_variable_str(ftype.get()) > 0;
      H5Id mt(H5Tcopy(H5T_C_S1), H5Tclose);
      const std::size_t size = vlen ? 0 : H5Tget_size(ftype.get());
      H5Tset_size(mt.get(), vlen ? H5T_VARIABLE : size);
      cols.emplace_back(&s, std::move(ds), std::move(mt), Cell::kText, vlen, size);
    } else {
      throw ConfigError(what + (cls == H5T_STRING ? ": holds strings; only a region column may (by name)"
                                                  : ": must hold numbers (an integer or float type)"));
    }
  }
  out.reserve(static_cast<std::size_t>(rows));
  Panel& p = out.panel();
  std::string why;
  for (hsize_t r0 = 0; r0 < rows; r0 += kH5ChunkRows) {
    const hsize_t k = std::min(kH5ChunkRows, rows - r0);
    H5Id mem(H5Screate_simple(1, &k, nullptr), H5Sclose);
    for (H5Column& c : cols) {
      H5Id fspace(H5Dget_space(c.ds.get()), H5Sclose);
      H5Sselect_hyperslab(fspace.get(), H5S_SELECT_SET, &r0, nullptr, &k, nullptr);
      void* dst = nullptr;
      switch (c.kind) {
        case Cell::kInt: c.i.resize(k); dst = c.i.data(); break;
        case Cell::kUInt: c.u.resize(k); dst = c.u.data(); break;
        case Cell::kReal: c.d.resize(k); dst = c.d.data(); break;
        case Cell::kText:
          if (c.vlen) {
            c.vs.assign(k, nullptr);
            dst = c.vs.data();
          } else {
            c.s.resize(k * c.str_size);
            dst = c.s.data();
          }
          break;
      }
      if (H5Dread(c.ds.get(), c.mem_type.get(), mem.get(), fspace.get(), H5P_DEFAULT, dst) < 0)
        throw ConfigError(file + ": dataset '" + c.slot->column + "': cannot read rows " + std::to_string(r0 + 1) +
                          ".." + std::to_string(r0 + k));
    }
    for (hsize_t j = 0; j < k; ++j) {
      ++p.rows_read;
      const std::int64_t row = static_cast<std::int64_t>(r0 + j + 1);
      bool ok = true;
      for (const H5Column& c : cols) {
        Cell cell;
        cell.kind = c.kind;
        switch (c.kind) {
          case Cell::kInt: cell.i = c.i[j]; break;
          case Cell::kUInt: cell.u = c.u[j]; break;
          case Cell::kReal: cell.d = c.d[j]; break;
          case Cell::kText:
            if (c.vlen) {
              cell.text = c.vs[j] ? std::string_view(c.vs[j]) : std::string_view();
            } else {
              std::string_view v(c.s.data() + j * c.str_size, c.str_size);
              v = v.substr(0, std::min(v.size(), v.find('\0')));
              while (!v.empty() && v.back() == ' ') v.remove_suffix(1);  // space-padded strings
              cell.text = v;
            }
            break;
        }
        if (!out.set(*c.slot, cell, why)) {
          out.bad(out.where(row, c.slot->column) + ": " + why);
          ok = false;
          break;
        }
      }
      if (ok) out.commit(row);
    }
    for (H5Column& c : cols) {
      if (c.kind == Cell::kText && c.vlen) {
#if H5_VERSION_GE(1, 12, 0)
        H5Treclaim(c.mem_type.get(), mem.get(), H5P_DEFAULT, c.vs.data());
#else
        H5Dvlen_reclaim(c.mem_type.get(), mem.get(), H5P_DEFAULT, c.vs.data());
#endif
      }
    }
  }
  out.finish(m.columns.at("id"));
}

std::string lower_extension(const std::string& file) {
  std::string ext = fs::path(file).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

// ================================================================ population

// Sums of values in [0, a few] as 2^-40 fixed point: exact, so a panel-wide
// mean is the same whatever the row order (a double sum is not).
class ExactSum {
 public:
  void add(double x) { sum_ += static_cast<__int128>(std::llround(std::ldexp(x, 40))); }
  double value() const { return std::ldexp(static_cast<double>(sum_), -40); }

 private:
  __int128 sum_ = 0;
};

// Model-consistent type from the score alone: the likelier type of the
// synthetic population's logistic rule (docs/model.md "Behaviour type").
bool likely_transactor(double score, const PopulationConfig& pc) {
  return pc.transactor_logit_intercept + pc.transactor_logit_slope * (score - 650.0) / 100.0 > 0.0;
}

}  // namespace

// ================================================================ public API

std::string sha256_file(const std::string& path, bool portable_only) { return hash_file(path, nullptr, portable_only); }

Panel load_panel(const std::string& data_file, const Mapping& m, BadRowPolicy bad_rows, HashMode hash) {
  std::string format = m.format;
  if (format.empty()) {
    const std::string ext = lower_extension(data_file);
    if (ext == ".csv") {
      format = "csv";
    } else if (ext == ".h5" || ext == ".hdf5") {
      format = "hdf5";
    } else {
      throw ConfigError(data_file + ": cannot tell the format from the extension '" + ext +
                        "' (.csv, .h5, .hdf5): set [source] format in " + m.source);
    }
  }
  const bool csv = format == "csv";
  Builder out(m, bad_rows, data_file, csv);
  if (csv && hash == HashMode::kInline) {
    Sha256 h;
    read_csv(data_file, m, out, &h);
    out.panel().sha256 = h.hex();
  } else if (hash == HashMode::kConcurrent) {
    BackgroundHash h(data_file);
    if (csv) {
      read_csv(data_file, m, out, nullptr);
    } else {
      read_hdf5(data_file, m, out);
    }
    out.panel().sha256 = h.get();
  } else {  // a second pass (HDF5 reads are not one sequential pass, so kInline means this for HDF5)
    if (csv) {
      read_csv(data_file, m, out, nullptr);
    } else {
      read_hdf5(data_file, m, out);
    }
    out.panel().sha256 = sha256_file(data_file);
  }
  return std::move(out.panel());
}

Panel load_panel(const std::string& data_file, const Mapping& m, BadRowPolicy bad_rows) {
  return load_panel(data_file, m, bad_rows, HashMode::kConcurrent);
}

Population population_from_panel(const Panel& p, std::int32_t as_of, const PopulationConfig& pc,
                                 const BehaviourParams& bp, std::vector<std::int64_t>* rows_in_population) {
  const std::int32_t T = p.months;
  if (T < 1) throw ConfigError(p.source + ": the panel has no months");
  const std::int32_t A = as_of < 0 ? T - 1 : as_of;
  if (A >= T)
    throw ConfigError(p.source + ": as-of month " + std::to_string(as_of) + " is past the panel's last month (0.." +
                      std::to_string(T - 1) + ")");
  if (!p.region_names.empty() && p.region_names != pc.region_names) {
    std::string data, config;
    for (const auto& n : p.region_names) data += (data.empty() ? "" : ", ") + n;
    for (const auto& n : pc.region_names) config += (config.empty() ? "" : ", ") + n;
    throw ConfigError(p.source + ": the data's regions (" + data + ") differ from the population's regions (" + config +
                      "): set [population] regions to the mapping's regions.names, in the same order");
  }
  const std::int32_t regions = static_cast<std::int32_t>(std::max<std::size_t>(1, pc.region_names.size()));
  const std::int64_t n = p.size();
  const std::size_t N = static_cast<std::size_t>(n);
  const bool typed = !p.type.empty();
  const bool flows = !p.balance.empty() && !p.payment.empty() && A >= 1;

  // Pass 1: each customer's own counts and sums over months 0..A.
  struct Own {
    std::int32_t transactor_months = 0, revolver_months = 0;
    std::int32_t active = 0;          // months 1..A with spend > 0
    std::int32_t shares = 0;          // months with a revolver payment share
    double spend = 0.0;               // spend of the active months, cents
    double share_sum = 0.0;
  };
  std::vector<Own> own(N);
  std::int64_t typed_customers = 0, typed_transactors = 0;
  // Customers are independent, and the counts are integers: any thread count gives the same population.
#pragma omp parallel for schedule(static) reduction(+ : typed_customers, typed_transactors)
  for (std::size_t i = 0; i < N; ++i) {
    Own& o = own[i];
    if (typed) {
      for (std::int32_t t = 0; t <= A; ++t) {
        const UsageType u = p.type[p.at(static_cast<std::int64_t>(i), t)];
        o.transactor_months += u == UsageType::kTransactor;
        o.revolver_months += u == UsageType::kRevolver;
      }
      if (o.transactor_months + o.revolver_months > 0) {
        ++typed_customers;
        typed_transactors += o.transactor_months > o.revolver_months;
      }
    }
    if (flows) {
      for (std::int32_t t = 1; t <= A; ++t) {
        const std::int64_t prev = p.balance[p.at(static_cast<std::int64_t>(i), t - 1)];
        const std::int64_t bal = p.balance[p.at(static_cast<std::int64_t>(i), t)];
        const std::int64_t pay = p.payment[p.at(static_cast<std::int64_t>(i), t)];
        const std::int64_t spend = bal - prev + pay;  // interest and fees ignored
        if (spend > 0) {
          ++o.active;
          o.spend += static_cast<double>(spend);
        }
        // The payment of month t pays the statement of month t-1.
        if (prev > 0) {
          const std::int64_t min_due = std::min(
              prev, std::max<std::int64_t>(bp.min_payment_floor, std::llround(bp.min_payment_rate * static_cast<double>(prev))));
          if (prev > min_due && pay >= min_due) {
            ++o.shares;
            o.share_sum += std::min(1.0, static_cast<double>(pay - min_due) / static_cast<double>(prev - min_due));
          }
        }
      }
    }
  }
  // The panel-wide majority type, for customers with no typed month.
  const bool majority_transactor = typed_customers > 0 && 2 * typed_transactors > typed_customers;
  std::vector<std::uint8_t> transactor(N);
  for (std::size_t i = 0; i < N; ++i) {
    const Own& o = own[i];
    if (o.transactor_months + o.revolver_months > 0) {
      transactor[i] = o.transactor_months > o.revolver_months;
    } else {
      transactor[i] = typed_customers > 0 ? majority_transactor : likely_transactor(p.score[i], pc);
    }
  }

  // Panel-wide means (the shrinkage targets), exact in any row order.
  const double activity_default = logistic(pc.activity_logit_mean);
  const double shape_default = pc.revolve_shape_median;
  double activity_mean = activity_default, propensity_mean = pc.spend_propensity_median;
  double share_mean = 1.0 / (1.0 + shape_default);
  if (flows) {
    std::int64_t active = 0, with_income = 0;
    ExactSum propensity;
    std::int64_t shares_rev = 0, shares_all = 0;
    ExactSum share_rev, share_all;
    for (std::size_t i = 0; i < N; ++i) {
      active += own[i].active;
      if (p.income[i] > 0) {
        ++with_income;
        propensity.add(std::min(3.0, own[i].spend / A / static_cast<double>(p.income[i])));
      }
      shares_all += own[i].shares;
      share_all.add(own[i].share_sum);
      if (!transactor[i]) {
        shares_rev += own[i].shares;
        share_rev.add(own[i].share_sum);
      }
    }
    activity_mean = static_cast<double>(active) / (static_cast<double>(A) * static_cast<double>(n));
    if (with_income > 0) propensity_mean = propensity.value() / static_cast<double>(with_income);
    if (shares_rev > 0) {
      share_mean = share_rev.value() / static_cast<double>(shares_rev);
    } else if (shares_all > 0) {
      share_mean = share_all.value() / static_cast<double>(shares_all);
    }
  }

  Population pop;
  pop.resize(N);
#pragma omp parallel for schedule(static)
  for (std::size_t i = 0; i < N; ++i) {
    const std::int64_t ii = static_cast<std::int64_t>(i);
    const Own& o = own[i];
    pop.id[i] = p.id[i];
    pop.score[i] = p.score[i];
    pop.income[i] = p.income[i];
    pop.limit[i] = p.limit[i];
    pop.balance[i] = p.balance.empty() ? 0 : p.balance[p.at(ii, A)];
    pop.bucket[i] = p.bucket.empty() ? 0 : p.bucket[p.at(ii, A)];
    const std::int32_t mob = p.months_on_book[i];
    pop.months_on_book[i] = std::max(std::min(mob, 1), mob - (T - 1 - A));
    // Payment history up to as_of: the months since the latest month that ended
    // past due (charged-off included). A customer current in every observed
    // month is taken to have been current since opening.
    pop.months_current[i] = pop.months_on_book[i];
    pop.since_missed[i] = kLongAgo;
    if (!p.bucket.empty()) {
      for (std::int32_t t = A; t >= 0; --t) {
        if (p.bucket[p.at(ii, t)] >= 1) {
          pop.months_current[i] = A - t;
          pop.since_missed[i] = A - t;
          break;
        }
      }
    }
    pop.risk[i] = static_cast<float>(-(static_cast<double>(p.score[i]) - pc.score_mean) / pc.score_sd);
    CustomerHabits h{transactor[i] != 0, static_cast<float>(activity_default),
                     static_cast<float>(pc.spend_propensity_median), static_cast<float>(shape_default)};
    if (flows) {
      // Own months and kHabitPseudoMonths months at the panel-wide mean.
      const double months = static_cast<double>(A), k = kHabitPseudoMonths;
      h.activity = static_cast<float>((o.active + k * activity_mean) / (months + k));
      const double own_propensity =
          p.income[i] > 0 ? std::min(3.0, o.spend / months / static_cast<double>(p.income[i])) : propensity_mean;
      h.spend_propensity = static_cast<float>(std::min(3.0, (months * own_propensity + k * propensity_mean) / (months + k)));
      const double share = (o.share_sum + k * share_mean) / (o.shares + k);
      h.revolve_shape = static_cast<float>(
          share > 0.0 ? std::clamp(1.0 / share - 1.0, kMinRevolveShape, kMaxRevolveShape) : kMaxRevolveShape);
    }
    pop.transactor[i] = h.transactor ? 1 : 0;
    pop.activity[i] = h.activity;
    pop.spend_propensity[i] = h.spend_propensity;
    pop.revolve_shape[i] = h.revolve_shape;
    pop.region[i] = p.region.empty() ? 0 : p.region[i];
    pop.segment[i] = segment_of(pop.score[i], pc.segment_edges) * regions + pop.region[i];
  }
  // Accounts charged off by as_of are not part of the book any more.
  std::vector<std::int64_t> rows;
  rows.reserve(N);
  for (std::size_t i = 0; i < N; ++i)
    if (pop.bucket[i] != kChargedOffBucket) rows.push_back(static_cast<std::int64_t>(i));
  if (rows.size() < N) {
    Population kept;
    kept.resize(rows.size());
    for (std::size_t k = 0; k < rows.size(); ++k) {
      const auto i = static_cast<std::size_t>(rows[k]);
      kept.id[k] = pop.id[i]; kept.score[k] = pop.score[i]; kept.spend_propensity[k] = pop.spend_propensity[i];
      kept.activity[k] = pop.activity[i]; kept.revolve_shape[k] = pop.revolve_shape[i]; kept.risk[k] = pop.risk[i];
      kept.income[k] = pop.income[i]; kept.limit[k] = pop.limit[i]; kept.balance[k] = pop.balance[i];
      kept.transactor[k] = pop.transactor[i]; kept.segment[k] = pop.segment[i]; kept.region[k] = pop.region[i];
      kept.months_on_book[k] = pop.months_on_book[i]; kept.bucket[k] = pop.bucket[i];
      kept.months_current[k] = pop.months_current[i]; kept.since_missed[k] = pop.since_missed[i];
    }
    pop = std::move(kept);
  }
  if (rows_in_population) *rows_in_population = std::move(rows);
  return pop;
}

}  // namespace limitsim
