// SHA-256 of a data file: the CPU check, the SHA-NI compression, the round constants and the file hash (sha256_file).
#include "src/data/sha256.hpp"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>
#endif

#include <vector>

#include "src/data/data_file.hpp"
#include "src/data/panel.hpp"

namespace limitsim {
namespace loading {

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

std::string hash_file(const std::string& path, const std::atomic<bool>* cancel, bool portable_only) {
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

}  // namespace loading

std::string sha256_file(const std::string& path, bool portable_only) { return loading::hash_file(path, nullptr, portable_only); }

}  // namespace limitsim
