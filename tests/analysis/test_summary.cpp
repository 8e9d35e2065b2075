// compute_summary and format_summary_table on hand-built results with hand-computed figures.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "src/analysis/summary.hpp"
#include "src/util/text.hpp"
#include "tests/analysis/results_fixture.hpp"

namespace limitsim {
namespace {

// Zeroed results with one combo per (scenario, policy).
RunResults make_results(int paths, int months, int segments, int scenarios = 1, int policies = 1) {
  RunResults r = zeroed_results(paths, months, segments, scenarios, policies);
  for (int g = 0; g < segments; ++g) r.segment_customers[g] = 100 * (g + 1);
  r.meta.customers = 1234567;
  r.meta.backend = "cpu";
  r.meta.threads = 8;
  r.meta.wall_seconds = 12.34;
  r.meta.effective_config = "# run\nname = \"stress-q3\"\nseed = 7\n[population]\nname = \"not this\"\n";
  r.meta.name = "stress-q3";
  return r;
}

std::int64_t& at(RunResults& r, int path, int month, int segment, int metric, int combo = 0) {
  return r.combos[combo].sums[r.cell_index(path, month, segment, metric)];
}

// Loss of `cents` on a path, spread over months and segments so summation is exercised.
void put_loss(RunResults& r, int path, std::int64_t cents) {
  const std::int64_t first = cents / 3;
  at(r, path, 0, 0, kChargeoffLoss) += first;
  at(r, path, r.months - 1, r.segments - 1, kChargeoffLoss) += cents - first;
}

constexpr double kTol = 1e-9;

// ---------------------------------------------------------------- losses

TEST(Summary, ExpectedLossAndTailOnTenPaths) {
  RunResults r = make_results(10, 2, 2);
  const int order[] = {5, 1, 9, 3, 7, 2, 10, 4, 8, 6};  // losses 100 x order, currency units
  for (int p = 0; p < 10; ++p) put_loss(r, p, order[p] * 10000);
  const Summary c_summary = compute_summary(r);
  const ComboSummary& c = c_summary.combos.at(0);

  ASSERT_EQ(c.path_loss.size(), 10u);
  for (int p = 0; p < 10; ++p) EXPECT_DOUBLE_EQ(c.path_loss[p], 100.0 * order[p]);
  const double sd = 100.0 * std::sqrt(55.0 / 6.0);  // sample sd of 1..10 is sqrt(82.5 / 9)
  EXPECT_NEAR(c.expected_loss.value, 550.0, kTol);
  EXPECT_NEAR(c.expected_loss.se, sd / std::sqrt(10.0), kTol);
  EXPECT_NEAR(c.unexpected_loss.value, sd, kTol);
  EXPECT_GT(c.unexpected_loss.se, 0.0);

  // k = ceil(q * 10) = 10 at every level: VaR = ES = the largest loss.
  ASSERT_EQ(c.tail.size(), 3u);
  const double levels[] = {0.95, 0.99, 0.999};
  for (int l = 0; l < 3; ++l) {
    EXPECT_DOUBLE_EQ(c.tail[l].level, levels[l]);
    EXPECT_DOUBLE_EQ(c.tail[l].var, 1000.0);
    EXPECT_DOUBLE_EQ(c.tail[l].es, 1000.0);
    EXPECT_TRUE(std::isnan(c.tail[l].var_hi));  // ceil(10q + ...) + 1 > 10
  }
  // q = 0.95: l = floor(9.5 - 1.96 sqrt(0.475)) = 8.
  EXPECT_DOUBLE_EQ(c.tail[0].var_lo, 800.0);
}

TEST(Summary, TailRanksAndEsOnTwentyPaths) {
  RunResults r = make_results(20, 1, 1);
  for (int p = 0; p < 20; ++p) put_loss(r, p, (20 - p) * 100);  // losses 1..20 currency units
  const Summary c_summary = compute_summary(r);
  const ComboSummary& c = c_summary.combos.at(0);
  EXPECT_DOUBLE_EQ(c.tail[0].var, 19.0);  // k = 19
  EXPECT_DOUBLE_EQ(c.tail[0].es, 19.5);   // mean of x_(19), x_(20)
  EXPECT_DOUBLE_EQ(c.tail[1].var, 20.0);  // k = ceil(19.8) = 20
  EXPECT_DOUBLE_EQ(c.tail[1].es, 20.0);
  EXPECT_DOUBLE_EQ(c.tail[0].var_lo, 17.0);  // floor(19 - 1.96 sqrt(0.95)) = 17
  EXPECT_TRUE(std::isnan(c.tail[0].var_hi));
}

TEST(Summary, ThousandPathsQuantilesCiAndBootstrap) {
  RunResults r = make_results(1000, 1, 1);
  std::vector<int> loss(1000);
  std::iota(loss.begin(), loss.end(), 1);
  std::shuffle(loss.begin(), loss.end(), std::mt19937_64(1));
  for (int p = 0; p < 1000; ++p) put_loss(r, p, loss[p] * 100);
  const Summary s = compute_summary(r);
  const ComboSummary& c = s.combos.at(0);

  EXPECT_DOUBLE_EQ(c.tail[0].var, 950.0);
  EXPECT_DOUBLE_EQ(c.tail[0].es, 975.0);  // mean of 950..1000
  EXPECT_DOUBLE_EQ(c.tail[1].var, 990.0);
  EXPECT_DOUBLE_EQ(c.tail[1].es, 995.0);
  EXPECT_DOUBLE_EQ(c.tail[2].var, 999.0);
  EXPECT_DOUBLE_EQ(c.tail[2].es, 999.5);
  // q = 0.95: half width 1.96 sqrt(47.5) = 13.508 -> ranks 936 and ceil(963.508) + 1 = 965.
  EXPECT_DOUBLE_EQ(c.tail[0].var_lo, 936.0);
  EXPECT_DOUBLE_EQ(c.tail[0].var_hi, 965.0);
  // q = 0.999: upper rank 1001 + ... is past P.
  EXPECT_TRUE(std::isnan(c.tail[2].var_hi));

  // Bootstrap SEs near their asymptotic values: sd of a uniform, sigma sqrt(0.2 / n) = 4.08;
  // VaR_0.95, sqrt(q (1 - q) / n) / density = 6.9.
  EXPECT_GT(c.unexpected_loss.se, 3.0);
  EXPECT_LT(c.unexpected_loss.se, 5.5);
  EXPECT_GT(c.tail[0].var_se, 4.0);
  EXPECT_LT(c.tail[0].var_se, 10.0);
  EXPECT_GT(c.tail[0].es_se, 0.0);
  EXPECT_LT(c.tail[0].es_se, c.tail[0].var_se);  // ES averages 51 order statistics

  // Reproducible: the same input gives bit-identical SEs, whatever the path order.
  RunResults reversed = make_results(1000, 1, 1);
  for (int p = 0; p < 1000; ++p) put_loss(reversed, p, loss[999 - p] * 100);
  const Summary again_summary = compute_summary(reversed);
  const ComboSummary& again = again_summary.combos.at(0);
  EXPECT_EQ(again.unexpected_loss.se, c.unexpected_loss.se);
  for (int l = 0; l < 3; ++l) {
    EXPECT_EQ(again.tail[l].var_se, c.tail[l].var_se);
    EXPECT_EQ(again.tail[l].es_se, c.tail[l].es_se);
  }
}

TEST(Summary, BootstrapIsReproducibleAcrossCallsAndCombos) {
  RunResults r = make_results(37, 2, 2, 2, 1);
  for (int p = 0; p < 37; ++p) {
    put_loss(r, p, (p * 7919) % 1000 * 100 + 5);
    at(r, p, 0, 0, kChargeoffLoss, 1) = (p * 7919) % 1000 * 100 + 5;  // same total loss
  }
  const Summary a = compute_summary(r), b = compute_summary(r);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(a.combos[i].unexpected_loss.se, b.combos[i].unexpected_loss.se);
    for (int l = 0; l < 3; ++l) {
      EXPECT_EQ(a.combos[i].tail[l].var_se, b.combos[i].tail[l].var_se);
      EXPECT_EQ(a.combos[i].tail[l].es_se, b.combos[i].tail[l].es_se);
    }
  }
  // Each combo is bootstrapped from the same seed: equal losses, equal SEs.
  EXPECT_EQ(a.combos[0].tail[0].var_se, a.combos[1].tail[0].var_se);
  EXPECT_EQ(a.combos[0].unexpected_loss.se, a.combos[1].unexpected_loss.se);
}

TEST(Summary, OnePathHasNanStandardErrors) {
  RunResults r = make_results(1, 3, 1);
  put_loss(r, 0, 12345);
  at(r, 0, 1, 0, kActive) = 10;
  const Summary c_summary = compute_summary(r);
  const ComboSummary& c = c_summary.combos.at(0);
  EXPECT_DOUBLE_EQ(c.expected_loss.value, 123.45);
  EXPECT_TRUE(std::isnan(c.expected_loss.se));
  EXPECT_TRUE(std::isnan(c.unexpected_loss.value));
  EXPECT_TRUE(std::isnan(c.unexpected_loss.se));
  for (const TailEstimate& t : c.tail) {
    EXPECT_DOUBLE_EQ(t.var, 123.45);
    EXPECT_DOUBLE_EQ(t.es, 123.45);
    EXPECT_TRUE(std::isnan(t.var_lo));
    EXPECT_TRUE(std::isnan(t.var_hi));
    EXPECT_TRUE(std::isnan(t.var_se));
    EXPECT_TRUE(std::isnan(t.es_se));
  }
  EXPECT_DOUBLE_EQ(c.months[1].active.value, 10.0);
  EXPECT_TRUE(std::isnan(c.months[1].active.se));
}

// ---------------------------------------------------------------- weights, cells, contributions

TEST(Summary, EveryMeanOverPathsIsWeighted) {
  RunResults r = make_results(4, 2, 2);
  r.path_weight = {0.5, 1.5, 1.0, 1.0};
  r.meta.importance_shift = 2.0;
  const std::int64_t loss_cents[] = {10000, 20000, 30000, 40000};
  const std::int64_t active[] = {10, 20, 30, 40};
  for (int p = 0; p < 4; ++p) {
    put_loss(r, p, loss_cents[p]);
    at(r, p, 1, 1, kActive) = active[p];
    at(r, p, 0, 0, kInterest) = 100 * active[p];  // revenue 10, 20, 30, 40
  }
  const Summary s = compute_summary(r);
  EXPECT_TRUE(s.weighted);
  EXPECT_EQ(s.importance_shift, 2.0);
  const ComboSummary& c = s.combos.at(0);
  // (1/4) sum w x with x = (100, 200, 300, 400): (50 + 300 + 300 + 400) / 4 = 262.5.
  EXPECT_NEAR(c.expected_loss.value, 262.5, kTol);
  // se: sd of w x = (50, 300, 300, 400) / 2.
  const double y[] = {50, 300, 300, 400};
  double ss = 0.0;
  for (double v : y) ss += (v - 262.5) * (v - 262.5);
  EXPECT_NEAR(c.expected_loss.se, std::sqrt(ss / 3.0) / 2.0, kTol);
  EXPECT_NEAR(c.revenue.value, 26.25, kTol);
  EXPECT_NEAR(c.months[1].active.value, 26.25, kTol);
  EXPECT_NEAR(c.months[1].cumulative_net_loss.value, 262.5, kTol);
  // UL = sqrt(sum w (L - EL)^2 / 3); VaR 95% by the mass rule: (1 - q) P = 0.2 < 1 = the
  // mass above 400, so VaR = ES = 400.
  const double L[] = {100, 200, 300, 400};
  ss = 0.0;
  for (int p = 0; p < 4; ++p) ss += r.path_weight[p] * (L[p] - 262.5) * (L[p] - 262.5);
  EXPECT_NEAR(c.unexpected_loss.value, std::sqrt(ss / 3.0), kTol);
  EXPECT_EQ(c.tail[0].var, 400.0);
  EXPECT_EQ(c.tail[0].es, 400.0);
  // Weights all exactly 1 are no weights at all.
  r.path_weight.assign(4, 1.0);
  RunResults plain = r;
  plain.path_weight.clear();
  const Summary ones = compute_summary(r), none = compute_summary(plain);
  EXPECT_FALSE(ones.weighted);
  EXPECT_EQ(ones.combos[0].expected_loss.value, none.combos[0].expected_loss.value);
  EXPECT_EQ(ones.combos[0].tail[1].var_se, none.combos[0].tail[1].var_se);
}

// 4 segments as 2 score bands x 2 regions, with correlated random losses on 300 paths.
RunResults cells_example() {
  RunResults r = make_results(300, 3, 4);
  r.segment_names = {"A/north", "A/south", "B/north", "B/south"};
  r.band_names = {"A", "B"};
  r.region_names = {"north", "south"};
  r.segment_band = {0, 0, 1, 1};
  r.segment_region = {0, 1, 0, 1};
  std::mt19937_64 gen(77);
  for (int p = 0; p < 300; ++p) {
    const std::int64_t common = static_cast<std::int64_t>(gen() % 50000);
    for (int g = 0; g < 4; ++g)
      for (int t = 0; t < 3; ++t)
        at(r, p, t, g, kChargeoffLoss) = (g + 1) * common / 3 + static_cast<std::int64_t>(gen() % 20000);
  }
  return r;
}

void expect_adds_up(const RiskContributions& c, const ComboSummary& cs, const std::string& what) {
  auto sum = [](const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0); };
  EXPECT_NEAR(sum(c.expected_loss), cs.expected_loss.value, 1e-9 * cs.expected_loss.value) << what;
  EXPECT_NEAR(sum(c.unexpected_loss), cs.unexpected_loss.value, 1e-9 * cs.unexpected_loss.value) << what;
  for (std::size_t l = 0; l < 3; ++l) {
    EXPECT_NEAR(sum(c.var[l]), cs.tail[l].var, 1e-9 * cs.tail[l].var) << what << " " << l;
    EXPECT_NEAR(sum(c.es[l]), cs.tail[l].es, 1e-9 * cs.tail[l].es) << what << " " << l;
  }
}

TEST(Summary, ContributionsBySegmentBandAndRegionAddUp) {
  RunResults r = cells_example();
  for (const bool weighted : {false, true}) {
    if (weighted)
      for (int p = 0; p < r.paths; ++p) r.path_weight.push_back(p % 2 ? 0.6 : 1.4);
    const Summary s = compute_summary(r);
    EXPECT_EQ(s.weighted, weighted);
    EXPECT_EQ(s.cells.band_names, (std::vector<std::string>{"A", "B"}));
    const ComboSummary& c = s.combos.at(0);
    ASSERT_EQ(c.by_segment.expected_loss.size(), 4u);
    ASSERT_EQ(c.by_band.expected_loss.size(), 2u);
    ASSERT_EQ(c.by_region.expected_loss.size(), 2u);
    expect_adds_up(c.by_segment, c, "segments");
    expect_adds_up(c.by_band, c, "bands");
    expect_adds_up(c.by_region, c, "regions");
    // Band A = cells A/north + A/south; region south = A/south + B/south.
    EXPECT_DOUBLE_EQ(c.by_band.es[2][0], c.by_segment.es[2][0] + c.by_segment.es[2][1]);
    EXPECT_DOUBLE_EQ(c.by_region.var[0][1], c.by_segment.var[0][1] + c.by_segment.var[0][3]);
    // Larger segments (g + 1 times the common loss) carry more of the tail.
    EXPECT_LT(c.by_segment.es[1][0], c.by_segment.es[1][3]);
    // The convergence bands end with the full-sample figures.
    ASSERT_EQ(c.convergence.size(), 6u);  // 10, 20, 50, 100, 200, 300
    EXPECT_EQ(c.convergence.back().paths, 300);
    EXPECT_EQ(c.convergence.back().risk.tail[1].es, c.tail[1].es);
    EXPECT_EQ(c.convergence.back().risk.expected_loss.value, c.expected_loss.value);
  }
}

TEST(Summary, MissingCellsMeanEachSegmentIsABandOfOneRegion) {
  RunResults r = make_results(20, 1, 3);
  for (int p = 0; p < 20; ++p) put_loss(r, p, 100 * (p + 1));
  const Summary s = compute_summary(r);
  EXPECT_EQ(s.cells.band_names, r.segment_names);
  EXPECT_EQ(s.cells.region_names, std::vector<std::string>{"all"});
  EXPECT_EQ(s.cells.segment_band, (std::vector<std::int32_t>{0, 1, 2}));
  EXPECT_EQ(s.cells.segment_region, (std::vector<std::int32_t>{0, 0, 0}));
  const ComboSummary& c = s.combos[0];
  EXPECT_EQ(c.by_band.expected_loss, c.by_segment.expected_loss);
  EXPECT_DOUBLE_EQ(c.by_region.es[0][0], c.tail[0].es);
}

TEST(Summary, RefusesInconsistentCellsAndBadWeights) {
  RunResults r = cells_example();
  r.segment_band = {0, 0, 2, 1};  // band 2 does not exist
  EXPECT_THROW(compute_summary(r), std::invalid_argument);
  r = cells_example();
  r.segment_region.pop_back();
  EXPECT_THROW(compute_summary(r), std::invalid_argument);
  r = cells_example();
  r.band_names.clear();  // a mapping without names
  EXPECT_THROW(compute_summary(r), std::invalid_argument);
  r = cells_example();
  r.path_weight.assign(299, 1.0);
  EXPECT_THROW(compute_summary(r), std::invalid_argument);
  r.path_weight.assign(300, 1.0);
  r.path_weight[7] = -1.0;
  EXPECT_THROW(compute_summary(r), std::invalid_argument);
}

// ---------------------------------------------------------------- month figures

// Path 0, month 1 has a book split over two segments; path 1 is empty at month 1
// (every ratio's denominator is 0, so every ratio is 0 on that path).
RunResults rates_example() {
  RunResults r = make_results(2, 2, 2);
  const std::int64_t counts0[kMaxBuckets] = {70, 4, 3, 2, 1, 0, 0};   // seg 0: 80 accounts
  const std::int64_t counts1[kMaxBuckets] = {15, 2, 1, 1, 1, 0, 0};   // seg 1: 20 accounts
  const std::int64_t bal0[kMaxBuckets] = {600000, 30000, 40000, 20000, 10000, 0, 0};
  const std::int64_t bal1[kMaxBuckets] = {200000, 20000, 10000, 30000, 40000, 0, 0};
  for (int b = 0; b < kMaxBuckets; ++b) {
    at(r, 0, 0, 0, kBucketCount0 + b) = counts0[b];
    at(r, 0, 0, 1, kBucketCount0 + b) = counts1[b];
    at(r, 0, 0, 0, kBucketBalance0 + b) = bal0[b];
    at(r, 0, 0, 1, kBucketBalance0 + b) = bal1[b];
  }
  at(r, 0, 0, 0, kActive) = 80;
  at(r, 0, 0, 1, kActive) = 20;
  at(r, 0, 0, 0, kBalance) = 700000;
  at(r, 0, 0, 1, kBalance) = 300000;   // total 1,000,000 cents
  at(r, 0, 0, 0, kLimit) = 3000000;
  at(r, 0, 0, 1, kLimit) = 1000000;    // total 4,000,000 cents
  at(r, 0, 0, 0, kUtilizationSumPpm) = 20000000;
  at(r, 0, 0, 1, kUtilizationSumPpm) = 10000000;  // 30 accounts' worth -> mean 0.3
  // Losses and charge-offs: path 0 124.00 in month 1 and 100.00 in month 2, path 1 200.00 in month 2.
  at(r, 0, 0, 0, kChargeoffLoss) = 12345;
  at(r, 0, 0, 1, kChargeoffLoss) = 55;
  at(r, 0, 1, 0, kChargeoffLoss) = 10000;
  at(r, 1, 1, 1, kChargeoffLoss) = 20000;
  at(r, 0, 0, 0, kChargeoffCount) = 3;
  at(r, 1, 1, 0, kChargeoffCount) = 2;
  at(r, 1, 1, 1, kChargeoffCount) = 3;
  // Path 1, month 2: some accounts so month 2 is not all zeros.
  at(r, 1, 1, 0, kActive) = 50;
  at(r, 1, 1, 0, kBucketCount0 + 4) = 5;
  at(r, 1, 1, 0, kBalance) = 0;  // balances 0 -> balance shares 0
  at(r, 1, 1, 0, kBucketBalance0 + 4) = 0;
  return r;
}

TEST(Summary, OverdueRatesByCountAndBalance) {
  const Summary s = compute_summary(rates_example());
  const MonthFigures& m1 = s.combos.at(0).months.at(0);
  EXPECT_EQ(m1.month, 1);
  // Path 0: 100 active; buckets >= 2: 4+3+2+1 = ... per segment summed: [85, 6, 4, 3, 2].
  // 30+ = 9/100, 60+ = 5/100, 90+ = 2/100; path 1 contributes 0. Mean of (x, 0) = x/2, se = x/2.
  EXPECT_NEAR(m1.active.value, 50.0, kTol);
  EXPECT_NEAR(m1.active.se, 50.0, kTol);
  EXPECT_NEAR(m1.overdue30_count.value, 0.045, kTol);
  EXPECT_NEAR(m1.overdue30_count.se, 0.045, kTol);
  EXPECT_NEAR(m1.overdue60_count.value, 0.025, kTol);
  EXPECT_NEAR(m1.overdue90_count.value, 0.010, kTol);
  // Balances by bucket: [800000, 50000, 50000, 50000, 50000] of 1,000,000.
  EXPECT_NEAR(m1.overdue30_balance.value, 0.075, kTol);
  EXPECT_NEAR(m1.overdue60_balance.value, 0.050, kTol);
  EXPECT_NEAR(m1.overdue90_balance.value, 0.025, kTol);
  EXPECT_NEAR(m1.utilization.value, 0.125, kTol);       // (0.25 + 0) / 2
  EXPECT_NEAR(m1.mean_utilization.value, 0.15, kTol);   // (0.30 + 0) / 2
  EXPECT_NEAR(m1.cumulative_net_loss.value, 62.0, kTol);
  EXPECT_NEAR(m1.cumulative_net_loss.se, 62.0, kTol);
  EXPECT_NEAR(m1.cumulative_chargeoffs.value, 1.5, kTol);

  const MonthFigures& m2 = s.combos.at(0).months.at(1);
  EXPECT_EQ(m2.month, 2);
  // Path 0 is empty at month 2 (0), path 1 has 5 of 50 accounts in 91-120 and zero balances.
  EXPECT_NEAR(m2.overdue30_count.value, 0.05, kTol);
  EXPECT_NEAR(m2.overdue90_count.value, 0.05, kTol);
  EXPECT_NEAR(m2.overdue30_balance.value, 0.0, kTol);
  EXPECT_NEAR(m2.utilization.value, 0.0, kTol);
  EXPECT_NEAR(m2.cumulative_net_loss.value, 212.0, kTol);  // (224 + 200) / 2
  EXPECT_NEAR(m2.cumulative_net_loss.se, 12.0, kTol);      // |224 - 200| / 2
  EXPECT_NEAR(m2.cumulative_chargeoffs.value, 4.0, kTol);  // (3 + 5) / 2
}

TEST(Summary, AllZeroBookGivesZeroRatesNotNan) {
  const Summary s = compute_summary(make_results(3, 2, 2));
  for (const MonthFigures& m : s.combos.at(0).months)
    for (const auto& f : month_figure_info()) {
      EXPECT_EQ((m.*(f.field)).value, 0.0) << f.name;
      EXPECT_EQ((m.*(f.field)).se, 0.0) << f.name;
    }
}

TEST(Summary, HorizonTotals) {
  RunResults r = make_results(2, 2, 2);
  at(r, 0, 0, 0, kInterest) = 10000;
  at(r, 0, 1, 1, kFees) = 2500;        // path 0 revenue 125.00
  at(r, 1, 1, 0, kInterest) = 7500;    // path 1 revenue 75.00
  at(r, 0, 0, 1, kChargeoffExposure) = 40000;
  at(r, 1, 1, 1, kChargeoffExposure) = 20000;
  at(r, 0, 0, 0, kLimitIncreaseCount) = 3;
  at(r, 0, 1, 1, kLimitIncreaseCount) = 4;
  at(r, 1, 0, 0, kLimitIncreaseCount) = 1;
  at(r, 1, 1, 0, kFreezeCount) = 6;
  const Summary c_summary = compute_summary(r);
  const ComboSummary& c = c_summary.combos.at(0);
  EXPECT_NEAR(c.revenue.value, 100.0, kTol);
  EXPECT_NEAR(c.revenue.se, 25.0, kTol);
  EXPECT_NEAR(c.exposure_at_chargeoff.value, 300.0, kTol);
  EXPECT_NEAR(c.limit_increases.value, 4.0, kTol);  // (7 + 1) / 2
  EXPECT_NEAR(c.limit_increases.se, 3.0, kTol);
  EXPECT_NEAR(c.freezes.value, 3.0, kTol);
}

// ---------------------------------------------------------------- report months, tables, validation

TEST(ReportMonths, ValidDedupedSortedPlusHorizon) {
  EXPECT_EQ(normalize_report_months({5, 0, 2, 2, 40, -1, 3}, 12), (std::vector<std::int32_t>{2, 3, 5, 12}));
  EXPECT_EQ(normalize_report_months({12, 12}, 12), (std::vector<std::int32_t>{12}));
  EXPECT_EQ(normalize_report_months({}, 3), (std::vector<std::int32_t>{3}));
  const Summary s = compute_summary(make_results(2, 6, 1, 2, 1), {6, 1, 9, 1});
  for (const ComboSummary& c : s.combos) {
    EXPECT_EQ(c.report_months, (std::vector<std::int32_t>{1, 6}));
    EXPECT_EQ(c.months.size(), 6u);
  }
}

TEST(FigureInfo, TablesCoverEveryEstimateOnce) {
  std::vector<std::string> names;
  for (const auto& f : month_figure_info()) names.push_back(f.name);
  EXPECT_EQ(names.size(), 15u);
  for (const auto& f : combo_figure_info()) names.push_back(f.name);
  EXPECT_EQ(names.size(), 22u);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(std::adjacent_find(names.begin(), names.end()), names.end());
}

TEST(Summary, RejectsEmptyOrInconsistentResults) {
  EXPECT_THROW(compute_summary(make_results(0, 2, 1)), std::invalid_argument);
  RunResults r = make_results(2, 2, 1);
  r.combos[0].sums.pop_back();
  EXPECT_THROW(compute_summary(r), std::invalid_argument);
}

TEST(FormatTable, ShowsTheKeyFiguresReadably) {
  RunResults r = rates_example();
  at(r, 0, 0, 0, kInterest) = 123456780;  // 1,234,567.80 on path 0
  const Summary s = compute_summary(r, {1});
  const std::string t = format_summary_table(r, s);
  for (const char* expected : {"stress-q3", "customers 1,234,567", "paths 2", "months 2", "backend cpu",
                               "threads 8", "wall 12.3 s", "scen0 / pol0",
                               "4.50%",     // 30+ by count, month 1
                               "7.50%",     // 30+ by balance, month 1
                               "12.50%",    // utilization, month 1
                               "212.00",    // cumulative net loss, month 2
                               "expected loss", "VaR 95%", "ES 99.9%", "95% CI", "n/a",
                               "617,283.90",  // revenue mean (123456780 / 2 cents)
                               "limit increases", "freezes", "\u00b1"})
    EXPECT_NE(t.find(expected), std::string::npos) << "missing '" << expected << "' in\n" << t;
  // The month table lists months 1 and 2, each on its own line.
  EXPECT_NE(t.find("\n      1 "), std::string::npos) << t;
  EXPECT_NE(t.find("\n      2 "), std::string::npos) << t;
}

TEST(FormatTable, ShowsIntervalsContributionsAndImportanceSampling) {
  RunResults r = cells_example();
  const std::string plain = format_summary_table(r, compute_summary(r));
  for (const char* expected : {"risk contributions by score band", "risk contributions by region", "north",
                               "  A  ", "total", "VaR order statistics", "unexpected loss (sd)"})
    EXPECT_NE(plain.find(expected), std::string::npos) << "missing '" << expected << "' in\n" << plain;
  EXPECT_EQ(plain.find("importance sampling"), std::string::npos);
  // Six lines with a 95% CI per combo: EL, UL, VaR and ES at three levels = 8.
  std::size_t cis = 0;
  for (std::size_t i = plain.find("95% CI ["); i != std::string::npos; i = plain.find("95% CI [", i + 1)) ++cis;
  EXPECT_EQ(cis, 8u);

  r.path_weight.assign(300, 1.0);
  r.path_weight[3] = 2.5;
  r.meta.importance_shift = 1.25;
  const Summary s = compute_summary(r);
  const std::string weighted = format_summary_table(r, s);
  EXPECT_NE(weighted.find("importance sampling: factor shift 1.25"), std::string::npos) << weighted;
  EXPECT_NE(weighted.find("weighted by their importance-sampling likelihood ratios"), std::string::npos);
  EXPECT_NE(weighted.find("VaR bootstrap percentile"), std::string::npos);
  // Weight diagnostics: 299 weights of 1 and one of 2.5. Mean 301.5 / 300; Kish (301.5^2) / (299 + 6.25).
  EXPECT_NEAR(s.mean_weight, 301.5 / 300.0, 1e-12);
  EXPECT_NEAR(s.effective_paths, 301.5 * 301.5 / 305.25, 1e-9);
  EXPECT_NE(weighted.find("path weights: mean 1.005 (1 expected), effective paths 297.8 of 300 (Kish)"),
            std::string::npos) << weighted;
  EXPECT_EQ(weighted.find("warning: few paths carry the weight"), std::string::npos);
  // One path holding most of the weight: the warning.
  r.path_weight.assign(300, 0.01);
  r.path_weight[7] = 400.0;
  const std::string skewed = format_summary_table(r, compute_summary(r));
  EXPECT_NE(skewed.find("warning: few paths carry the weight"), std::string::npos) << skewed;

  // One region: no region table.
  RunResults one = rates_example();
  EXPECT_EQ(format_summary_table(one, compute_summary(one)).find("by region"), std::string::npos);

  const std::string conv = format_convergence_table(r, s);
  for (const char* expected : {"first n paths", "CI width", "EL", "VaR 99.9%", "ES 95%", "200 resamples"})
    EXPECT_NE(conv.find(expected), std::string::npos) << "missing '" << expected << "' in\n" << conv;
  // One row per grid point and figure: 6 points x 8 figures, plus the header.
  const std::size_t lines = static_cast<std::size_t>(std::count(conv.begin(), conv.end(), '\n'));
  EXPECT_EQ(lines, 3u /* header, path weights */ + 2u /* blank, combo */ + 1u + 6u * 8u);
}

TEST(FormatTable, ColumnsAreAligned) {
  RunResults r = rates_example();
  const std::string t = format_summary_table(r, compute_summary(r, {1}));
  // The header and both month rows of the month table end at the same column.
  std::vector<std::size_t> widths;
  std::size_t pos = t.find("\n  month");
  ASSERT_NE(pos, std::string::npos);
  ++pos;
  for (int i = 0; i < 3; ++i) {
    const std::size_t end = t.find('\n', pos);
    widths.push_back(end - pos);
    pos = end + 1;
  }
  EXPECT_EQ(widths[0], widths[1]);
  EXPECT_EQ(widths[1], widths[2]);
}

TEST(FormatCsv, OneTidyRowPerFigureWithTheSummarysValues) {
  RunResults r = make_results(10, 2, 2);
  const int order[] = {5, 1, 9, 3, 7, 2, 10, 4, 8, 6};
  for (int p = 0; p < 10; ++p) put_loss(r, p, order[p] * 10000);
  const Summary s = compute_summary(r);
  const std::string csv = format_summary_csv(s);
  std::vector<std::string> lines;
  for (std::size_t a = 0, b; a < csv.size(); a = b + 1) {
    b = csv.find('\n', a);
    lines.push_back(csv.substr(a, b - a));
  }
  EXPECT_EQ(lines.front(), "scenario,policy,month,figure,unit,value,se,ci_lo,ci_hi");
  // + VaR and ES at three levels + the P&L lines
  const std::size_t horizon = combo_figure_info().size() + 2 * 3 + kNumPnlLines;
  const std::size_t monthly = static_cast<std::size_t>(r.months) * month_figure_info().size();
  EXPECT_EQ(lines.size(), 1 + s.combos.size() * (horizon + monthly));
  const ComboSummary& c = s.combos[0];
  const std::string key = c.scenario + "," + c.policy + ",";
  EXPECT_NE(csv.find(key + ",expected_loss,currency," + exact_number(c.expected_loss.value) + "," +
                     exact_number(c.expected_loss.se) + "," + exact_number(c.expected_loss_ci.lo) + "," +
                     exact_number(c.expected_loss_ci.hi) + "\n"),
            std::string::npos)
      << csv.substr(0, 400);
  // VaR 95% has no upper bound with 10 paths: an empty cell, not "nan".
  EXPECT_NE(csv.find(key + ",var_95,currency,1000," + exact_number(c.tail[0].var_se) + ",800,\n"), std::string::npos);
  EXPECT_EQ(csv.find("nan"), std::string::npos);
}

TEST(FormatJson, HoldsTheHorizonTailAndEveryMonth) {
  RunResults r = make_results(10, 2, 2);
  for (int p = 0; p < 10; ++p) put_loss(r, p, (p + 1) * 10000);
  const Summary s = compute_summary(r);
  const std::string json = format_summary_json(r, s);
  const ComboSummary& c = s.combos[0];
  EXPECT_NE(json.find("\"expected_loss\": {\"value\": " + exact_number(c.expected_loss.value)), std::string::npos);
  EXPECT_NE(json.find("\"var_99.9\": {\"value\": 1000, "), std::string::npos) << json.substr(0, 600);
  EXPECT_NE(json.find("{\"month\": " + std::to_string(r.months) + ", "), std::string::npos);
  EXPECT_EQ(json.find("nan"), std::string::npos);
  // Balanced braces and brackets: a cheap structural check (the e2e test parses it with Python).
  EXPECT_EQ(std::count(json.begin(), json.end(), '{'), std::count(json.begin(), json.end(), '}'));
  EXPECT_EQ(std::count(json.begin(), json.end(), '['), std::count(json.begin(), json.end(), ']'));
}

}  // namespace
}  // namespace limitsim
