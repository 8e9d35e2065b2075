// The systematic factors (src/engine/factors.cpp) and the matrix routines behind them (src/util/linalg.cpp):
// eigenvalues and loadings of known matrices, persistence and correlation, and importance sampling.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "kernels/rng.hpp"
#include "kernels/special.hpp"
#include "src/engine/factors.hpp"

using namespace limitsim;

// ------------------------------------------------------------ systematic factors (src/engine/factors.cpp)

namespace factors_test {

std::vector<double> matmul_lt(const std::vector<double>& l, int n) {  // L L^T
  std::vector<double> c(static_cast<std::size_t>(n) * n, 0.0);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j)
      for (int k = 0; k < n; ++k) c[i * n + j] += l[i * n + k] * l[j * n + k];
  return c;
}

TEST(Factors, EigenvaluesOfKnownMatrices) {
  const auto a = symmetric_eigenvalues({2, 1, 1, 2}, 2);
  EXPECT_NEAR(a[0], 1.0, 1e-12);
  EXPECT_NEAR(a[1], 3.0, 1e-12);
  // Equicorrelation rho in 4 dimensions: 1 - rho (three times) and 1 + 3 rho.
  const double r = 0.3;
  std::vector<double> c(16, r);
  for (int i = 0; i < 4; ++i) c[i * 5] = 1.0;
  const auto e = symmetric_eigenvalues(c, 4);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(e[i], 1 - r, 1e-12);
  EXPECT_NEAR(e[3], 1 + 3 * r, 1e-12);
  // Not PSD: a correlation of -0.6 between three regions is below -1/2.
  std::vector<double> bad(9, -0.6);
  for (int i = 0; i < 3; ++i) bad[i * 4] = 1.0;
  EXPECT_NEAR(symmetric_eigenvalues(bad, 3)[0], 1 - 2 * 0.6, 1e-12);
}

TEST(Factors, LoadingsReproduceTheCorrelationAndOneCommonFactorIsExact) {
  const std::vector<double> c = {1, 0.5, 0.2, 0.5, 1, 0.3, 0.2, 0.3, 1};
  const auto l = factor_loadings(c, 3);
  const auto back = matmul_lt(l, 3);
  for (int k = 0; k < 9; ++k) EXPECT_NEAR(back[k], c[k], 1e-14);
  for (int i = 0; i < 3; ++i)
    for (int j = i + 1; j < 3; ++j) EXPECT_EQ(l[i * 3 + j], 0.0);  // lower triangular
  // All ones (semi-definite): every region loads 1 on the first innovation, exactly.
  const auto ones = factor_loadings(std::vector<double>(9, 1.0), 3);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(ones[i * 3], 1.0);
    EXPECT_EQ(ones[i * 3 + 1], 0.0);
    EXPECT_EQ(ones[i * 3 + 2], 0.0);
  }
}

TEST(Factors, OneRegionWithoutPersistenceIsTheKeyedStandardNormal) {
  const FactorDraws d = systematic_factors(11, 3, 4, FactorModel{});
  for (int p = 0; p < 3; ++p)
    for (int m = 0; m < 4; ++m) {
      KeyedPhilox rng(11, 0, static_cast<std::uint32_t>(p), kStreamSystematic, static_cast<std::uint32_t>(m));
      EXPECT_EQ(d.z[p * 4 + m], norm_inv(u01(rng.next().x)));
    }
  for (double w : d.weight) EXPECT_EQ(w, 1.0);
}

TEST(Factors, AutoregressionAndCrossRegionCorrelationHaveTheConfiguredValues) {
  FactorModel fm;
  fm.regions = 2;
  fm.loadings = factor_loadings({1, 0.6, 0.6, 1}, 2);
  fm.ar1 = 0.7;
  fm.region_weights = {0.5, 0.5};
  const int P = 4000, T = 12;
  const FactorDraws d = systematic_factors(3, P, T, fm);
  auto z = [&](int p, int m, int k) { return d.z[(static_cast<std::size_t>(p) * T + m) * 2 + k]; };
  double s00 = 0, s01 = 0, slag = 0, sum = 0;
  for (int p = 0; p < P; ++p)
    for (int m = 0; m < T; ++m) {
      s00 += z(p, m, 0) * z(p, m, 0);
      s01 += z(p, m, 0) * z(p, m, 1);
      sum += z(p, m, 1);
      if (m > 0) slag += z(p, m, 1) * z(p, m - 1, 1);
    }
  const double n = static_cast<double>(P) * T;
  // Stationary from month 1: unit variance, corr 0.6 across regions, lag-1 autocorrelation 0.7.
  // Tolerances: about 5 standard errors with the autocorrelation inflating the variance (~n/6 effective draws).
  EXPECT_NEAR(sum / n, 0.0, 0.05);
  EXPECT_NEAR(s00 / n, 1.0, 0.05);
  EXPECT_NEAR(s01 / n, 0.6, 0.05);
  EXPECT_NEAR(slag / (P * (T - 1.0)), 0.7, 0.05);
}

TEST(Factors, ImportanceShiftHasTheRequestedSizeAndTheClosedFormDirection) {
  FactorModel fm;
  fm.importance_shift = 3.0;
  // One month, one factor: the innovation's mean moves to -3.
  auto mu = importance_mean_shift(fm, 1);
  ASSERT_EQ(mu.size(), 1u);
  EXPECT_DOUBLE_EQ(mu[0], -3.0);
  // T independent months: the sum of the factors is what the shift acts on, so each month gets -3/sqrt(T).
  mu = importance_mean_shift(fm, 9);
  for (double m : mu) EXPECT_NEAR(m, -1.0, 1e-12);
  // Any persistence and regions: |mu| = shift, and every component points down.
  fm.regions = 2;
  fm.loadings = factor_loadings({1, 0.3, 0.3, 1}, 2);
  fm.region_weights = {0.25, 0.75};
  fm.ar1 = 0.5;
  mu = importance_mean_shift(fm, 6);
  double norm2 = 0;
  for (double m : mu) {
    norm2 += m * m;
    EXPECT_LT(m, 0.0);
  }
  EXPECT_NEAR(std::sqrt(norm2), 3.0, 1e-12);
  // With persistence, early innovations act on more months: larger shifts early.
  EXPECT_GT(-mu[0], -mu[2 * 5]);
}

TEST(Factors, ImportanceWeightsGiveUnbiasedTailProbabilities) {
  // One factor, T = 4 months: S = sum of Z is N(0, 4). Shifting by 3.09 sd makes
  // P(S < -3.09 * 2) = 0.001 a common event; the weighted estimate must match
  // it, and the weights must average 1. Plain sampling at this P would see ~2 events.
  FactorModel fm;
  fm.importance_shift = 3.090232306167813;
  const int P = 2000, T = 4;
  const FactorDraws d = systematic_factors(8, P, T, fm);
  double wsum = 0, est = 0, est2 = 0;
  for (int p = 0; p < P; ++p) {
    double s = 0;
    for (int m = 0; m < T; ++m) s += d.z[p * T + m];
    wsum += d.weight[p];
    const double x = s < -3.090232306167813 * 2 ? d.weight[p] : 0.0;
    est += x;
    est2 += x * x;
  }
  est /= P;
  const double se = std::sqrt((est2 / P - est * est) / P);
  (void)wsum;  // E[w] = 1, but var(w) = e^{9.55} - 1: the mean of w is checked with a small shift below
  EXPECT_NEAR(est, 0.001, 4 * se);
  EXPECT_LT(se, 0.0001);  // plain: sqrt(0.001 * 0.999 / 2000) = 0.0007; at least 7x tighter
  // E[w] = 1: with a shift of 0.5, var(w) = e^0.25 - 1 = 0.284, sd of the mean over 20,000 paths 0.0038.
  fm.importance_shift = 0.5;
  const FactorDraws small = systematic_factors(9, 20000, T, fm);
  double mean_w = 0;
  for (double w : small.weight) mean_w += w;
  EXPECT_NEAR(mean_w / 20000, 1.0, 4 * 0.0038);
}

}  // namespace factors_test
