// Tail-risk estimators (src/analysis/risk.hpp): weighted VaR and ES by hand, their
// reduction to the order-statistic rules with unit weights, an importance-
// sampling quantile against the normal's closed form, contributions that add
// up, and convergence bands.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <random>
#include <vector>

#include "src/analysis/risk.hpp"

namespace limitsim {
namespace {

constexpr double kTol = 1e-12;
const double kPi = std::acos(-1.0);
constexpr TailLevel kQ95{95, 100}, kQ99{99, 100}, kQ999{999, 1000};

// Standard normals by Box-Muller from the raw 64-bit output: the same numbers
// with every standard library (std::normal_distribution's are not).
struct Normal {
  std::mt19937_64 gen;
  double uniform() { return (static_cast<double>(gen() >> 11) + 0.5) * 0x1.0p-53; }  // (0, 1)
  double operator()() { return std::sqrt(-2.0 * std::log(uniform())) * std::cos(2.0 * kPi * uniform()); }
};

TailPoint weighted_tail(const std::vector<double>& x, const std::vector<double>& w, const TailLevel& q) {
  const std::vector<std::size_t> order = ascending_order(x);
  return tail_point(x, &order, nullptr, &w, static_cast<std::int64_t>(x.size()), q);
}
TailPoint rank_tail(const std::vector<double>& x, const TailLevel& q) {
  const std::vector<std::size_t> order = ascending_order(x);
  return tail_point(x, &order, nullptr, nullptr, static_cast<std::int64_t>(x.size()), q);
}

// ---------------------------------------------------------------- weighted VaR and ES

// Eight paths, unsorted, with weights summing to 6 (not 8: the mass rule divides by P).
const std::vector<double> kLoss{5, 1, 9, 3, 7, 2, 10, 4};
const std::vector<double> kWeight{0.5, 1.2, 0.3, 1.0, 0.8, 1.5, 0.2, 0.5};

TEST(WeightedTail, HandComputedOnEightPaths) {
  // Descending: 10 (w 0.2), 9 (0.3), 7 (0.8), 5 (0.5), 4 (0.5), 3 (1.0), 2 (1.5), 1 (1.2).
  // q = 0.95: (1 - q) P = 0.4. Mass above 10 is 0, above 9 is 0.2, above 7 is 0.5 > 0.4: VaR = 9,
  // ES = (0.2 x 10 + 0.3 x 9) / 0.5 = 9.4.
  TailPoint t = weighted_tail(kLoss, kWeight, kQ95);
  EXPECT_EQ(t.var, 9.0);
  EXPECT_NEAR(t.es, 9.4, kTol);
  // q = 0.99: (1 - q) P = 0.08 < 0.2 = the mass above 9: VaR = ES = 10.
  t = weighted_tail(kLoss, kWeight, kQ99);
  EXPECT_EQ(t.var, 10.0);
  EXPECT_EQ(t.es, 10.0);
  // q = 3/4: (1 - q) P = 2. Masses above 7, 5, 4, 3: 0.5, 1.3, 1.8, 2.3 > 2: VaR = 4,
  // ES = (2 + 2.7 + 5.6 + 2.5 + 2.0) / (0.2 + 0.3 + 0.8 + 0.5 + 0.5) = 14.8 / 2.3.
  t = weighted_tail(kLoss, kWeight, TailLevel{3, 4});
  EXPECT_EQ(t.var, 4.0);
  EXPECT_NEAR(t.es, 14.8 / 2.3, kTol);
  // The same walk on resample counts: path 6 (loss 10) drawn 0 times, path 2 (loss 9) twice.
  const std::vector<std::uint32_t> counts{1, 1, 2, 1, 1, 1, 0, 1};
  const std::vector<std::size_t> order = ascending_order(kLoss);
  t = tail_point(kLoss, &order, &counts, &kWeight, 8, kQ95);
  // Masses: 9 -> 0.6, so above 7 is 0.6 > 0.4 after 9: VaR = 9 (the 10 is absent), ES = 9.
  EXPECT_EQ(t.var, 9.0);
  EXPECT_EQ(t.es, 9.0);
}

TEST(WeightedTail, MeanAndSdUnderTheWeightedMeasure) {
  // EL = (1/8) sum w L = 22 / 8; UL^2 = sum w (L - EL)^2 / 7 = 44.575 / 7.
  const LossRisk r = loss_risk(kLoss, kWeight);
  EXPECT_TRUE(r.weighted);
  EXPECT_NEAR(r.expected_loss.value, 2.75, kTol);
  std::vector<double> y;
  for (std::size_t i = 0; i < 8; ++i) y.push_back(kWeight[i] * kLoss[i]);
  double ss = 0.0;
  for (double v : y) ss += (v - 2.75) * (v - 2.75);
  EXPECT_NEAR(r.expected_loss.se, std::sqrt(ss / 7.0) / std::sqrt(8.0), kTol);
  EXPECT_NEAR(r.unexpected_loss.value, std::sqrt(44.575 / 7.0), kTol);
  // EL's interval is the t interval of the mean of w L.
  const double t7 = student_t_quantile(0.975, 7.0);
  EXPECT_NEAR(r.expected_loss_ci.lo, 2.75 - t7 * r.expected_loss.se, kTol);
  EXPECT_NEAR(r.expected_loss_ci.hi, 2.75 + t7 * r.expected_loss.se, kTol);
  EXPECT_EQ(r.tail[0].var, 9.0);
  EXPECT_NEAR(r.tail[0].es, 9.4, kTol);
  // Weighted: VaR's interval is a bootstrap percentile interval, and every interval is ordered.
  for (const TailEstimate& te : r.tail) {
    EXPECT_LE(te.var_lo, te.var_hi);
    EXPECT_LE(te.es_lo, te.es_hi);
    EXPECT_GT(te.var_se, 0.0);
  }
  EXPECT_LE(r.unexpected_loss_ci.lo, r.unexpected_loss.value);
  EXPECT_GE(r.unexpected_loss_ci.hi, r.unexpected_loss.value);
}

TEST(WeightedTail, UnitWeightsGiveTheOrderStatistic) {
  // Losses with many ties; every P from 1 to 300 and every level: the mass rule
  // with weights 1 picks the order statistic ceil(qP), exactly as the rank rule.
  std::mt19937_64 gen(42);
  for (std::int64_t P = 1; P <= 300; ++P) {
    std::vector<double> x(static_cast<std::size_t>(P));
    for (double& v : x) v = static_cast<double>(gen() % 40) * 12.5;
    const std::vector<double> ones(x.size(), 1.0);
    std::vector<double> sorted = x;
    std::sort(sorted.begin(), sorted.end());
    for (const TailLevel& q : kTailLevels) {
      const double order_statistic = sorted[static_cast<std::size_t>(tail_rank(q, P) - 1)];
      EXPECT_EQ(weighted_tail(x, ones, q).var, order_statistic) << P << " " << q.num;
      EXPECT_EQ(rank_tail(x, q).var, order_statistic) << P << " " << q.num;
    }
  }
  // Without ties the two ES agree as well.
  std::vector<double> x(997);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<double>((i * 7919) % 997) + 0.25;
  const std::vector<double> ones(x.size(), 1.0);
  for (const TailLevel& q : kTailLevels) EXPECT_DOUBLE_EQ(weighted_tail(x, ones, q).es, rank_tail(x, q).es);
}

TEST(WeightedTail, OneWalkForAllLevelsGivesTheSameBits) {
  std::mt19937_64 gen(11);
  for (const std::size_t P : {1u, 7u, 64u, 1000u}) {
    std::vector<double> x(P), w(P);
    std::vector<std::uint32_t> counts(P);
    for (std::size_t i = 0; i < P; ++i) {
      x[i] = static_cast<double>(gen() % 300) * 0.37;  // ties
      w[i] = static_cast<double>(gen() % 1000) / 250.0;  // zeros too
      counts[i] = static_cast<std::uint32_t>(gen() % 3);
    }
    w[0] = 1.0;
    counts[0] = 1;
    const auto n = static_cast<std::int64_t>(P);
    const std::vector<std::size_t> order = ascending_order(x);
    using Counts = const std::vector<std::uint32_t>*;
    using Weights = const std::vector<double>*;
    for (Counts c : {Counts{nullptr}, Counts{&counts}})
      for (Weights wp : {Weights{nullptr}, Weights{&w}}) {
        const std::int64_t total = c ? std::accumulate(c->begin(), c->end(), std::int64_t{0}) : n;
        const auto all = tail_points(x, &order, c, wp, total);
        for (std::size_t l = 0; l < kNumTailLevels; ++l) {
          const TailPoint one = tail_point(x, &order, c, wp, total, kTailLevels[l]);
          EXPECT_EQ(std::memcmp(&one, &all[l], sizeof one), 0) << P << " " << l << " " << one.var << " " << all[l].var;
        }
      }
  }
}

TEST(WeightedTail, TiesAtVarAllCountInTheWeightedEsButNotInTheRankRule) {
  // {1, 2, 2, 2, 5}, q = 1/2: k = ceil(2.5) = 3, the rank rule averages the top
  // 3 values (2, 2, 5) -> 3; the weighted rule (unit weights) takes every loss
  // >= VaR = 2 -> (2 + 2 + 2 + 5) / 4 = 2.75. Unweighted runs use the rank rule.
  const std::vector<double> x{2, 5, 1, 2, 2};
  const std::vector<double> ones(5, 1.0);
  EXPECT_EQ(rank_tail(x, TailLevel{1, 2}).var, 2.0);
  EXPECT_DOUBLE_EQ(rank_tail(x, TailLevel{1, 2}).es, 3.0);
  EXPECT_EQ(weighted_tail(x, ones, TailLevel{1, 2}).var, 2.0);
  EXPECT_DOUBLE_EQ(weighted_tail(x, ones, TailLevel{1, 2}).es, 2.75);
}

TEST(LossRisk, UnitWeightsAreTheUnweightedFiguresBitForBit) {
  std::mt19937_64 gen(7);
  std::vector<double> x(257);
  for (double& v : x) v = static_cast<double>(gen() % 100000) / 100.0;
  const LossRisk a = loss_risk(x, {}), b = loss_risk(x, std::vector<double>(x.size(), 1.0));
  EXPECT_FALSE(a.weighted);
  EXPECT_FALSE(b.weighted);
  EXPECT_EQ(a.expected_loss.value, b.expected_loss.value);
  EXPECT_EQ(a.expected_loss.se, b.expected_loss.se);
  EXPECT_EQ(a.unexpected_loss.value, b.unexpected_loss.value);
  EXPECT_EQ(a.unexpected_loss.se, b.unexpected_loss.se);
  for (std::size_t l = 0; l < kNumTailLevels; ++l) {
    EXPECT_EQ(a.tail[l].var, b.tail[l].var);
    EXPECT_EQ(a.tail[l].var_lo, b.tail[l].var_lo);
    EXPECT_EQ(a.tail[l].es, b.tail[l].es);
    EXPECT_EQ(a.tail[l].es_se, b.tail[l].es_se);
    EXPECT_EQ(a.tail[l].es_lo, b.tail[l].es_lo);
  }
  // Unweighted: the plain mean and the sample sd, and VaR's distribution-free interval.
  const double mean = std::accumulate(x.begin(), x.end(), 0.0) / 257.0;
  EXPECT_NEAR(a.expected_loss.value, mean, 1e-9);
  std::vector<double> sorted = x;
  std::sort(sorted.begin(), sorted.end());
  // q = 0.95, P = 257: l = floor(244.15 - 1.96 sqrt(12.2075)) = 237, u = ceil(251.0) + 1 = 252.
  EXPECT_EQ(a.tail[0].var_lo, sorted[236]);
  EXPECT_EQ(a.tail[0].var_hi, sorted[251]);
}

TEST(LossRisk, OnePathHasNoSpreadAndNoIntervals) {
  const LossRisk r = loss_risk({12.5}, {2.0});
  EXPECT_EQ(r.expected_loss.value, 25.0);  // (1/1) x 2 x 12.5
  EXPECT_TRUE(std::isnan(r.expected_loss.se));
  EXPECT_TRUE(std::isnan(r.expected_loss_ci.lo));
  EXPECT_TRUE(std::isnan(r.unexpected_loss.value));
  EXPECT_TRUE(std::isnan(r.unexpected_loss_ci.hi));
  for (const TailEstimate& te : r.tail) {
    EXPECT_EQ(te.var, 12.5);
    EXPECT_EQ(te.es, 12.5);
    EXPECT_TRUE(std::isnan(te.var_lo) && std::isnan(te.es_hi) && std::isnan(te.es_se));
  }
}

TEST(LossRisk, RefusesBadWeights) {
  const std::vector<double> x{1, 2, 3};
  EXPECT_THROW(loss_risk(x, {1.0, 1.0}), std::invalid_argument);
  EXPECT_THROW(loss_risk(x, {1.0, -0.5, 1.0}), std::invalid_argument);
  EXPECT_THROW(loss_risk(x, {1.0, std::nan(""), 1.0}), std::invalid_argument);
  EXPECT_THROW(loss_risk(x, {0.0, 0.0, 0.0}), std::invalid_argument);
  EXPECT_THROW(loss_risk({}, {}), std::invalid_argument);
  EXPECT_NO_THROW(loss_risk(x, {0.0, 1.0, 3.0}));  // a zero weight is allowed (a path of no mass)
}

TEST(PercentileInterval, RanksAreCeilOfTwoAndAHalfPercent) {
  std::vector<double> v(2000);
  std::iota(v.begin(), v.end(), 1.0);
  std::shuffle(v.begin(), v.end(), std::mt19937_64(3));
  Interval i = percentile_interval(v);
  EXPECT_EQ(i.lo, 50.0);
  EXPECT_EQ(i.hi, 1951.0);
  v.resize(200);
  std::iota(v.begin(), v.end(), 1.0);
  i = percentile_interval(v);  // k = ceil(5) = 5
  EXPECT_EQ(i.lo, 5.0);
  EXPECT_EQ(i.hi, 196.0);
  v[3] = std::nan("");
  EXPECT_TRUE(std::isnan(percentile_interval(v).lo));
}

// ---------------------------------------------------------------- importance sampling

TEST(ImportanceSampling, WeightedQuantileOfAShiftedNormal) {
  // Draw X ~ N(mu, 1), mu = 3, with weights phi(x) / phi(x - mu) = exp(-mu x + mu^2 / 2):
  // the weighted sample represents N(0, 1), whose 99.9% quantile is 3.090232 and
  // ES 99.9% = phi(3.090232) / 0.001 = 3.367090. The IS estimator's asymptotic sd
  // at P paths is sqrt((e^{mu^2} Phibar(x + mu) - 0.001^2) / P) / phi(x) = 0.0056
  // for P = 10000 (plain Monte Carlo: sqrt(0.999 x 0.001 / P) / phi(x) = 0.094);
  // ES's sd, by simulation, is 0.0038. Tolerances are 4 sd. Fixed seed: deterministic.
  constexpr std::size_t P = 10000;
  constexpr double mu = 3.0, x999 = 3.090232306167813, es999 = 3.367090077063993;
  Normal z{std::mt19937_64(20240611)};
  std::vector<double> x(P), w(P);
  for (std::size_t i = 0; i < P; ++i) {
    x[i] = mu + z();
    w[i] = std::exp(-mu * x[i] + mu * mu / 2.0);
  }
  const LossRisk r = loss_risk(x, w);
  ASSERT_TRUE(r.weighted);
  const TailEstimate& t = r.tail[2];
  EXPECT_NEAR(t.var, x999, 4 * 0.0056);
  EXPECT_NEAR(t.es, es999, 4 * 0.0038);
  // The bootstrap interval covers the true quantile, and the bootstrap se is near the asymptotic sd.
  EXPECT_LE(t.var_lo, x999);
  EXPECT_GE(t.var_hi, x999);
  EXPECT_LE(t.es_lo, es999);
  EXPECT_GE(t.es_hi, es999);
  EXPECT_GT(t.var_se, 0.0056 / 2);
  EXPECT_LT(t.var_se, 0.0056 * 2);
  // The 95% and 99% levels too: N(0, 1) quantiles 1.644854 and 2.326348. The same
  // formula gives sds 0.0103 and 0.0066 there: 0.05 is 5 and 7.6 sd.
  EXPECT_NEAR(r.tail[0].var, 1.6448536269514722, 0.05);
  EXPECT_NEAR(r.tail[1].var, 2.3263478740408408, 0.05);
}

// ---------------------------------------------------------------- contributions

// Contributions add up to the portfolio figure, measure by measure and level by level.
void expect_adds_up(const RiskContributions& c, const LossRisk& r, const char* what) {
  auto sum = [](const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0); };
  auto near = [](double a, double b) { return std::fabs(a - b) <= 1e-9 * std::max(1.0, std::fabs(b)); };
  EXPECT_TRUE(near(sum(c.expected_loss), r.expected_loss.value)) << what;
  EXPECT_TRUE(near(sum(c.unexpected_loss), r.unexpected_loss.value)) << what;
  ASSERT_EQ(c.var.size(), kNumTailLevels);
  for (std::size_t l = 0; l < kNumTailLevels; ++l) {
    EXPECT_TRUE(near(sum(c.var[l]), r.tail[l].var)) << what << " VaR level " << l;
    EXPECT_TRUE(near(sum(c.es[l]), r.tail[l].es)) << what << " ES level " << l;
  }
}

TEST(Contributions, HandComputedOnFourPaths) {
  // Units 1 and 2: L1 = (1, 2, 0, 3), L2 = (0, 1, 4, 5), L = (1, 3, 4, 8).
  const std::vector<std::vector<double>> unit{{1, 2, 0, 3}, {0, 1, 4, 5}};
  const std::vector<double> L{1, 3, 4, 8};
  const LossRisk r = loss_risk(L, {});
  const RiskContributions c = risk_contributions(L, unit, {}, r);
  // EL: 1.5 + 2.5 = 4. UL^2 = 26/3; Cov(L1, L) = 7/3, Cov(L2, L) = 19/3.
  EXPECT_NEAR(c.expected_loss[0], 1.5, kTol);
  EXPECT_NEAR(c.expected_loss[1], 2.5, kTol);
  EXPECT_NEAR(c.unexpected_loss[0], (7.0 / 3.0) / std::sqrt(26.0 / 3.0), kTol);
  EXPECT_NEAR(c.unexpected_loss[1], (19.0 / 3.0) / std::sqrt(26.0 / 3.0), kTol);
  // q = 0.95: k = 4, ES = 8 = path 3 alone: (3, 5). VaR's window: h = 1 (1 >= 4 x 0.05),
  // ranks 3..4 = paths 2 and 3: raw (1.5, 4.5), rescaled by 8 / 6: (2, 6).
  EXPECT_EQ(c.var_rank[0], 4);
  EXPECT_EQ(c.var_first[0], 3);
  EXPECT_EQ(c.var_last[0], 4);
  EXPECT_NEAR(c.es[0][0], 3.0, kTol);
  EXPECT_NEAR(c.es[0][1], 5.0, kTol);
  EXPECT_NEAR(c.var[0][0], 2.0, kTol);
  EXPECT_NEAR(c.var[0][1], 6.0, kTol);
  expect_adds_up(c, r, "unweighted");

  // Weighted, w = (1, 2, 1.5, 0.5): EL = 17/4 = 1.625 + 2.625. q = 0.95: (1 - q) P = 0.2,
  // the mass above 8 is 0 and above 4 is 0.5: VaR = ES = 8. The window (ranks 3..4,
  // weights 1.5 and 0.5): raw (0.75, 4.25), rescaled by 8 / 5: (1.2, 6.8).
  const std::vector<double> w{1, 2, 1.5, 0.5};
  const LossRisk rw = loss_risk(L, w);
  const RiskContributions cw = risk_contributions(L, unit, w, rw);
  EXPECT_NEAR(rw.expected_loss.value, 4.25, kTol);
  EXPECT_NEAR(cw.expected_loss[0], 1.625, kTol);
  EXPECT_NEAR(cw.expected_loss[1], 2.625, kTol);
  EXPECT_EQ(rw.tail[0].var, 8.0);
  EXPECT_NEAR(cw.var[0][0], 1.2, kTol);
  EXPECT_NEAR(cw.var[0][1], 6.8, kTol);
  EXPECT_NEAR(cw.es[0][0], 3.0, kTol);
  expect_adds_up(cw, rw, "weighted");
}

TEST(Contributions, AddUpForEveryMeasureLevelAndGrouping) {
  // 6 units (3 bands x 2 regions), 1500 paths with a common factor, weighted and unweighted.
  constexpr std::size_t P = 1500, G = 6;
  Normal z{std::mt19937_64(99)};
  std::vector<std::vector<double>> unit(G, std::vector<double>(P));
  std::vector<double> L(P, 0.0), w(P);
  for (std::size_t p = 0; p < P; ++p) {
    const double factor = z();
    w[p] = std::exp(-0.8 * factor - 0.32);  // any positive weights
    for (std::size_t g = 0; g < G; ++g) {
      unit[g][p] = std::max(0.0, 100.0 * (g + 1) * (1.0 + 0.5 * factor + 0.3 * z()));
      L[p] += unit[g][p];
    }
  }
  const std::vector<std::int32_t> band{0, 0, 1, 1, 2, 2}, region{0, 1, 0, 1, 0, 1};
  for (const bool weighted : {false, true}) {
    const std::vector<double> wv = weighted ? w : std::vector<double>{};
    const LossRisk r = loss_risk(L, wv);
    const RiskContributions c = risk_contributions(L, unit, wv, r);
    expect_adds_up(c, r, weighted ? "weighted segments" : "segments");
    const RiskContributions by_band = aggregate_contributions(c, band, 3);
    const RiskContributions by_region = aggregate_contributions(c, region, 2);
    expect_adds_up(by_band, r, "bands");
    expect_adds_up(by_region, r, "regions");
    // A band's contribution is the sum of its cells'.
    EXPECT_DOUBLE_EQ(by_band.es[1][2], c.es[1][4] + c.es[1][5]);
    // The units are comonotone with the factor: every contribution is positive, and larger
    // units contribute more.
    for (std::size_t l = 0; l < kNumTailLevels; ++l)
      for (std::size_t g = 0; g + 1 < G; ++g) {
        EXPECT_GT(c.es[l][g], 0.0);
        EXPECT_LT(c.es[l][g], c.es[l][g + 1]);
      }
  }
  EXPECT_THROW(aggregate_contributions(risk_contributions(L, unit, {}, loss_risk(L, {})), {0, 0, 1}, 2),
               std::invalid_argument);
  EXPECT_THROW(risk_contributions(L, {std::vector<double>(P - 1)}, {}, loss_risk(L, {})), std::invalid_argument);
}

TEST(Contributions, VarWindowGrowsWithTheTail) {
  EXPECT_EQ(var_window_half_width(1000, kQ999), 1);   // P (1 - q) = 1
  EXPECT_EQ(var_window_half_width(1000, kQ95), 8);    // 50: 7^2 = 49 < 50 <= 64
  EXPECT_EQ(var_window_half_width(10000, kQ99), 10);  // 100 exactly
  EXPECT_EQ(var_window_half_width(4, kQ95), 1);       // at least 1
  EXPECT_EQ(var_window_half_width(1, kQ999), 1);
}

// ---------------------------------------------------------------- convergence

TEST(Convergence, GridIsOneTwoFiveBelowPThenP) {
  EXPECT_EQ(convergence_grid(1000), (std::vector<std::int64_t>{10, 20, 50, 100, 200, 500, 1000}));
  EXPECT_EQ(convergence_grid(1001), (std::vector<std::int64_t>{10, 20, 50, 100, 200, 500, 1000, 1001}));
  EXPECT_EQ(convergence_grid(64), (std::vector<std::int64_t>{10, 20, 50, 64}));
  EXPECT_EQ(convergence_grid(10), (std::vector<std::int64_t>{10}));
  EXPECT_EQ(convergence_grid(3), (std::vector<std::int64_t>{3}));
}

TEST(Convergence, BandsEndWithTheFullSampleAndUseThePrefixes) {
  constexpr std::size_t P = 730;
  Normal z{std::mt19937_64(5)};
  std::vector<double> x(P), w(P);
  for (std::size_t i = 0; i < P; ++i) {
    x[i] = 1000.0 + 100.0 * z();
    w[i] = 0.5 + static_cast<double>(i % 3) * 0.5;
  }
  for (const bool weighted : {false, true}) {
    const std::vector<double> wv = weighted ? w : std::vector<double>{};
    const LossRisk full = loss_risk(x, wv);
    const std::vector<ConvergencePoint> bands = convergence_bands(x, wv, full);
    ASSERT_EQ(bands.size(), 7u);  // 10, 20, 50, 100, 200, 500, 730
    const ConvergencePoint& last = bands.back();
    EXPECT_EQ(last.paths, 730);
    EXPECT_EQ(last.risk.resamples, kBootstrapResamples);
    EXPECT_EQ(last.risk.expected_loss.value, full.expected_loss.value);
    EXPECT_EQ(last.risk.unexpected_loss.se, full.unexpected_loss.se);
    for (std::size_t l = 0; l < kNumTailLevels; ++l) {
      EXPECT_EQ(last.risk.tail[l].var, full.tail[l].var);
      EXPECT_EQ(last.risk.tail[l].es_hi, full.tail[l].es_hi);
    }
    // Point n: the figures of the first n paths (the same estimators, fewer resamples).
    const ConvergencePoint& p100 = bands[3];
    EXPECT_EQ(p100.paths, 100);
    EXPECT_EQ(p100.risk.resamples, kConvergenceResamples);
    EXPECT_EQ(p100.risk.weighted, weighted);
    const std::vector<double> x100(x.begin(), x.begin() + 100);
    const std::vector<double> w100 = weighted ? std::vector<double>(w.begin(), w.begin() + 100) : wv;
    const LossRisk direct = loss_risk(x100, w100, kConvergenceResamples);
    EXPECT_EQ(p100.risk.expected_loss.value, direct.expected_loss.value);
    EXPECT_EQ(p100.risk.tail[1].var, direct.tail[1].var);
    EXPECT_EQ(p100.risk.tail[1].es_lo, direct.tail[1].es_lo);
    // EL's interval narrows roughly like 1 / sqrt(n): from 10 to 730 paths by far more than 3x.
    const double w10 = bands[0].risk.expected_loss_ci.hi - bands[0].risk.expected_loss_ci.lo;
    const double w730 = last.risk.expected_loss_ci.hi - last.risk.expected_loss_ci.lo;
    EXPECT_GT(w10, 3.0 * w730);
  }
}

// ---------------------------------------------------------------- ranks and RNG

TEST(TailRank, IsCeilOfLevelTimesPathsInExactArithmetic) {
  const TailLevel q95{95, 100}, q99{99, 100}, q999{999, 1000};
  EXPECT_EQ(tail_rank(q95, 10), 10);   // 9.5 -> 10
  EXPECT_EQ(tail_rank(q95, 20), 19);   // exactly 19
  EXPECT_EQ(tail_rank(q95, 100), 95);  // exactly 95 (0.95 * 100 is not in double arithmetic)
  EXPECT_EQ(tail_rank(q99, 100), 99);
  EXPECT_EQ(tail_rank(q99, 101), 100);  // 99.99 -> 100
  EXPECT_EQ(tail_rank(q999, 1000), 999);
  EXPECT_EQ(tail_rank(q999, 1001), 1000);
  EXPECT_EQ(tail_rank(q95, 1), 1);
}

TEST(UniformIndex, PowerOfTwoNeedsNoRejection) {
  std::mt19937_64 a(5), b(5);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(uniform_index(a, 1024), b() % 1024);
}

TEST(UniformIndex, RejectsTheIncompleteTopBlock) {
  // n = 2^63 + 1: 2^64 mod n = 2^63 - 1, so x is accepted iff x <= 2^63.
  const std::uint64_t n = (std::uint64_t{1} << 63) + 1;
  std::mt19937_64 a(11), b(11);
  for (int i = 0; i < 200; ++i) {
    std::uint64_t x;
    do x = b(); while (x > (std::uint64_t{1} << 63));
    const std::uint64_t got = uniform_index(a, n);
    EXPECT_EQ(got, x % n);
    EXPECT_LT(got, n);
  }
  std::mt19937_64 c(3);
  EXPECT_EQ(uniform_index(c, 1), 0u);
  EXPECT_THROW(uniform_index(c, 0), std::invalid_argument);
}

TEST(UniformIndex, GeneratorIsTheStandardOne) {
  // [rand.predef]: the 10000th output of a default-constructed mt19937_64.
  std::mt19937_64 g;
  g.discard(9999);
  EXPECT_EQ(g(), 9981545732273789042ULL);
}

}  // namespace
}  // namespace limitsim

namespace limitsim {
namespace {

// VaR_q and ES_q say how many paths they rest on: the paths at or beyond VaR_q
// (ties at VaR counted), and a caveat below kTailCaveatPaths.
TEST(TailCaveat, PathsAtOrBeyondVarAreCounted) {
  std::vector<double> loss;
  for (int i = 1; i <= 200; ++i) loss.push_back(static_cast<double>(i));  // VaR_q = ceil(q * 200)-th smallest
  const LossRisk r = loss_risk(loss, {}, 0);
  ASSERT_EQ(r.tail.size(), 3u);
  EXPECT_EQ(r.tail[0].var, 190.0);          // ceil(0.95 * 200) = 190
  EXPECT_EQ(r.tail[0].paths_beyond, 11);    // 190 .. 200
  EXPECT_EQ(tail_caveat(r.tail[0]), "");
  EXPECT_EQ(r.tail[1].var, 198.0);
  EXPECT_EQ(r.tail[1].paths_beyond, 3);
  EXPECT_EQ(tail_caveat(r.tail[1]),
            "rests on 3 paths beyond the quantile: little more than the largest loss seen; run more paths");
  EXPECT_EQ(r.tail[2].paths_beyond, 1);
  std::vector<double> ties(50, 7.0);  // every path at VaR
  EXPECT_EQ(loss_risk(ties, {}, 0).tail[2].paths_beyond, 50);
}

}  // namespace
}  // namespace limitsim
