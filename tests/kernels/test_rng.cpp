// Known-answer tests of the random stream: a change to any draw fails here.
#include <gtest/gtest.h>

#include <cmath>

#include "kernels/rng.hpp"
#include "kernels/special.hpp"

using namespace limitsim;

// Random123's published known-answer vectors for philox4x32-10 (kat_vectors),
// which cuRAND's curand_Philox4x32_10 reproduces.
TEST(Philox, Random123KnownAnswers) {
  struct Kat {
    Block4 ctr;
    std::uint32_t k0, k1;
    Block4 out;
  } kats[] = {
      {{0, 0, 0, 0}, 0, 0, {0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u}},
      {{0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}, 0xffffffffu, 0xffffffffu,
       {0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu}},
      {{0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}, 0xa4093822u, 0x299f31d0u,
       {0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u}},
  };
  for (const Kat& k : kats) {
    const Block4 r = philox4x32_10(k.ctr, k.k0, k.k1);
    EXPECT_EQ(r.x, k.out.x);
    EXPECT_EQ(r.y, k.out.y);
    EXPECT_EQ(r.z, k.out.z);
    EXPECT_EQ(r.w, k.out.w);
  }
}

// The keying contract: (seed, id, path, stream, block) -> counter and key.
TEST(KeyedPhilox, CounterLayoutMatchesContract) {
  const std::uint64_t seed = 0x0123456789abcdefull, id = 0xfedcba9876543210ull;
  KeyedPhilox rng(seed, id, 7, kStreamCustomerMonth, 5);
  const Block4 expect = philox4x32_10({(1u << 24) | 5u, 7u, 0x76543210u, 0xfedcba98u}, 0x89abcdefu, 0x01234567u);
  const Block4 got = rng.next();
  EXPECT_EQ(got.x, expect.x);
  EXPECT_EQ(got.w, expect.w);
  const Block4 next = philox4x32_10({(1u << 24) | 6u, 7u, 0x76543210u, 0xfedcba98u}, 0x89abcdefu, 0x01234567u);
  EXPECT_EQ(rng.next().y, next.y);
}

// Pinned first draws of the customer-month stream for seed 42, customer 1000,
// path 3. Regenerate only on a deliberate change of the random stream.
TEST(KeyedPhilox, PinnedStream) {
  KeyedPhilox rng(42, 1000, 3, kStreamCustomerMonth);
  const Block4 a = rng.next();
  const Block4 b = rng.next();
  const std::uint32_t got[8] = {a.x, a.y, a.z, a.w, b.x, b.y, b.z, b.w};
  const std::uint32_t pinned[8] = {0xc31579a5u, 0xe1efa35du, 0x2afc5556u, 0xe25a19b2u,
                                 0x3e1dd7d7u, 0xde26e85au, 0xe139347du, 0x6fe37c3cu};
  for (int i = 0; i < 8; ++i) EXPECT_EQ(got[i], pinned[i]) << "draw " << i;
}

TEST(KeyedPhilox, DistinctKeysGiveDistinctStreams) {
  const std::uint32_t base = KeyedPhilox(1, 2, 3, kStreamCustomerMonth).next().x;
  EXPECT_NE(base, KeyedPhilox(2, 2, 3, kStreamCustomerMonth).next().x);
  EXPECT_NE(base, KeyedPhilox(1, 3, 3, kStreamCustomerMonth).next().x);
  EXPECT_NE(base, KeyedPhilox(1, 2, 4, kStreamCustomerMonth).next().x);
  EXPECT_NE(base, KeyedPhilox(1, 2, 3, kStreamSystematic).next().x);
}

TEST(Uniform, OpenInterval) {
  EXPECT_GT(u01(0u), 0.0);
  EXPECT_LT(u01(0xffffffffu), 1.0);
  EXPECT_DOUBLE_EQ(u01(0x80000000u), 0.5 + 0.5 / 4294967296.0);
}

TEST(Uniform, MeanAndVarianceOfAMillionDraws) {
  KeyedPhilox rng(7, 0, 0, kStreamPopulation);
  double s = 0, s2 = 0;
  const int n = 1 << 20;
  for (int i = 0; i < n / 4; ++i) {
    const Block4 b = rng.next();
    for (std::uint32_t x : {b.x, b.y, b.z, b.w}) {
      const double u = u01(x);
      s += u;
      s2 += u * u;
    }
  }
  const double mean = s / n, var = s2 / n - mean * mean;
  EXPECT_NEAR(mean, 0.5, 5 * std::sqrt(1.0 / 12 / n));
  EXPECT_NEAR(var, 1.0 / 12, 0.001);
}

TEST(NormInv, KnownQuantiles) {
  EXPECT_NEAR(norm_inv(0.5), 0.0, 1e-15);
  EXPECT_NEAR(norm_inv(0.975), 1.959963984540054, 1e-13);
  EXPECT_NEAR(norm_inv(0.001), -3.090232306167813, 1e-13);
  EXPECT_NEAR(norm_inv(1e-10), -6.361340902404056, 1e-11);
  for (double p : {1e-8, 0.01, 0.2, 0.5, 0.7, 0.99, 1 - 1e-9}) EXPECT_NEAR(norm_cdf(norm_inv(p)), p, 1e-12 * (1 + 1 / p));
}
