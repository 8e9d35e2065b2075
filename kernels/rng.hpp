// Counter-based random numbers keyed by ids, never by thread or launch shape.
//
// Generator: Philox4x32-10 (Salmon et al., SC'11), exactly as cuRAND's
// curandStatePhilox4_32_10_t produces it. On the GPU each block is cuRAND's
// device-API bijection curand_Philox4x32_10(counter, key), on the counter that
// curand_init(seed, subsequence = id, offset) sets (below), without the
// stateful curand4's look-ahead block (fewer registers); on the CPU the
// portable implementation below gives the same bits (checked by a known-answer
// test against Random123's vectors and, on a GPU, against curand_init +
// curand4 themselves).
//
// Keying (the whole contract; see docs/model.md "Random numbers"):
//   key        = seed (64 bits: key.x = low word, key.y = high word)
//   ctr.z:ctr.w = entity id (customer id; the factor index for systematic draws)
//   ctr.y       = Monte Carlo path (0 for path-independent draws)
//   ctr.x       = stream << 24 | block index within that stream
// This is cuRAND's curand_init(seed, subsequence = id,
// offset = 4 * (path << 32 | stream << 24 | block)).
// Each block yields four 32-bit words. A customer-month uses exactly
// kBlocksPerMonth blocks whatever branch it takes, so that two policies or
// scenarios consume identical numbers.
#pragma once

#include <cstdint>

#include "hd.hpp"

#if defined(__CUDACC__)
#include <curand_kernel.h>
#endif

namespace limitsim {

struct Block4 {
  std::uint32_t x, y, z, w;
};

enum Stream : std::uint32_t {
  kStreamPopulation = 0,    // synthetic customer attributes (path 0)
  kStreamCustomerMonth = 1, // behaviour draws, blocks 2*month, 2*month+1
  kStreamSystematic = 2,    // systematic factor draws, block = month
};

constexpr int kBlocksPerMonth = 2;     // 8 uniforms per customer-month
constexpr int kDrawsPerMonth = 4 * kBlocksPerMonth;
constexpr std::uint32_t kMaxBlockIndex = (1u << 24) - 1;

// Philox4x32-10 bijection, written once for both backends.
LIMITSIM_INLINE Block4 philox4x32_10(Block4 c, std::uint32_t k0, std::uint32_t k1) {
  constexpr std::uint32_t M0 = 0xD2511F53u, M1 = 0xCD9E8D57u;
  constexpr std::uint32_t W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;
  for (int r = 0; r < 10; ++r) {
    const std::uint64_t p0 = static_cast<std::uint64_t>(M0) * c.x;
    const std::uint64_t p1 = static_cast<std::uint64_t>(M1) * c.z;
    const std::uint32_t hi0 = static_cast<std::uint32_t>(p0 >> 32), lo0 = static_cast<std::uint32_t>(p0);
    const std::uint32_t hi1 = static_cast<std::uint32_t>(p1 >> 32), lo1 = static_cast<std::uint32_t>(p1);
    c = Block4{hi1 ^ c.y ^ k0, lo1, hi0 ^ c.w ^ k1, lo0};
    k0 += W0;
    k1 += W1;
  }
  return c;
}

// A sequential view of one keyed stream: block, block+1, ...
// Trivially copyable; lives in registers inside the kernels.
class KeyedPhilox {
 public:
  LIMITSIM_INLINE KeyedPhilox(std::uint64_t seed, std::uint64_t id, std::uint32_t path,
                              std::uint32_t stream, std::uint32_t first_block = 0) {
    const std::uint32_t x = (stream << 24) | (first_block & kMaxBlockIndex);
    ctr_ = Block4{x, path, static_cast<std::uint32_t>(id), static_cast<std::uint32_t>(id >> 32)};
    k0_ = static_cast<std::uint32_t>(seed);
    k1_ = static_cast<std::uint32_t>(seed >> 32);
  }

  // The next block of four 32-bit words.
  LIMITSIM_INLINE Block4 next() {
#if defined(__CUDA_ARCH__)
    const uint4 r = curand_Philox4x32_10(make_uint4(ctr_.x, ctr_.y, ctr_.z, ctr_.w), make_uint2(k0_, k1_));
    ++ctr_.x;  // never wraps: stream blocks are < 2^24
    return Block4{r.x, r.y, r.z, r.w};
#else
    const Block4 r = philox4x32_10(ctr_, k0_, k1_);
    ++ctr_.x;  // never wraps: stream blocks are < 2^24
    return r;
#endif
  }

 private:
  Block4 ctr_;
  std::uint32_t k0_, k1_;
};

// Uniform on the open interval (0, 1): (x + 1/2) / 2^32. Never 0 or 1, so
// inverse CDFs stay finite. Exact in double on both backends.
LIMITSIM_INLINE double u01(std::uint32_t x) {
  return (static_cast<double>(x) + 0.5) * (1.0 / 4294967296.0);
}

}  // namespace limitsim
