// SHA-256 of a data file (FIPS 180-4), with the x86 SHA instructions where the CPU has them, or on a thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <string>
#include <thread>

namespace limitsim {
namespace loading {

// Whether the CPU has the SHA extensions (CPUID leaf 7, EBX bit 29).
bool cpu_has_sha();

#if defined(__x86_64__) || defined(__i386__)
// The compression of one 64-byte block with the SHA-NI instructions.
void compress_shani(std::uint32_t state[8], const unsigned char* p, const std::uint32_t k[64]);
#endif

// The SHA-256 round constants.
extern const std::uint32_t kSha256K[64];

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

// The file's SHA-256 as 64 lowercase hex digits; "" when *cancel turns true first.
std::string hash_file(const std::string& path, const std::atomic<bool>* cancel, bool portable_only = false);

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

}  // namespace loading
}  // namespace limitsim
