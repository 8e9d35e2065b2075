// Tests of `limitsim calibrate` (src/calibrate.cpp): Wilson intervals against
// hand-computed values, the estimators on a hand-built panel, the logistic
// regression on synthetic data with known coefficients, and a round trip:
// a panel simulated by the model itself with known behaviour parameters is
// calibrated back, and the behaviour file it writes loads into the same doubles.

#include <gtest/gtest.h>

#include <stdlib.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <toml.hpp>

#include "kernels/special.hpp"
#include "src/analysis/calibrate.hpp"
#include "src/data/population.hpp"
#include "src/engine/trace.hpp"

namespace limitsim {
namespace {

namespace fs = std::filesystem;

constexpr double kZ = 1.959963984540054;

bool has_note(const Calibration& c, const std::string& part) {
  for (const std::string& n : c.notes)
    if (n.find(part) != std::string::npos) return true;
  return false;
}

bool has_key(const Calibration& c, const std::string& key) {
  return std::find(c.estimated.begin(), c.estimated.end(), key) != c.estimated.end();
}

// ------------------------------------------------------------ 1. Wilson

// Hand-computed with z = 1.959963985 (z^2 = 3.841458821), n trials, p = events / n:
//   center = (p + z^2/2n) / (1 + z^2/n), half = z sqrt(p(1-p)/n + z^2/4n^2) / (1 + z^2/n)
//   10 / 100: center = 0.11479740, half = 0.05956826 -> [0.05522914, 0.17436566]
//   0 / 20:   [0, (z^2/20) / (1 + z^2/20)] = [0, 0.16112516]
//   20 / 20:  [1 - 0.16112516, 1] = [0.83887484, 1]
//   3 / 7:    center = 0.45388075, half = 0.29566089 -> [0.15821986, 0.74954164]
TEST(CalibWilson, MatchesHandComputedIntervals) {
  const Rate a = wilson(10, 100);
  EXPECT_EQ(a.events, 10);
  EXPECT_EQ(a.trials, 100);
  EXPECT_DOUBLE_EQ(a.p, 0.1);
  EXPECT_NEAR(a.lo, 0.05522914, 1e-8);
  EXPECT_NEAR(a.hi, 0.17436566, 1e-8);

  const Rate none = wilson(0, 20);
  EXPECT_EQ(none.p, 0.0);
  EXPECT_EQ(none.lo, 0.0);
  EXPECT_NEAR(none.hi, 0.16112516, 1e-8);

  const Rate all = wilson(20, 20);
  EXPECT_EQ(all.p, 1.0);
  EXPECT_NEAR(all.lo, 0.83887484, 1e-8);
  EXPECT_EQ(all.hi, 1.0);

  const Rate odd = wilson(3, 7);
  EXPECT_NEAR(odd.lo, 0.15821986, 1e-8);
  EXPECT_NEAR(odd.hi, 0.74954164, 1e-8);

  const Rate empty = wilson(0, 0);  // nothing is known
  EXPECT_EQ(empty.p, 0.0);
  EXPECT_EQ(empty.lo, 0.0);
  EXPECT_EQ(empty.hi, 1.0);
}

// ------------------------------------------------------------ 2. a hand-built panel

struct Row {
  std::int64_t limit;  // cents
  float score;
  std::array<std::int8_t, 3> bucket;
  std::array<std::int64_t, 3> balance, payment;  // cents
  std::array<UsageType, 3> type;
};

Panel panel_of(const std::vector<Row>& rows) {
  Panel p;
  p.source = "hand-built";
  p.sha256 = "0123abcd";
  p.month_names = {"2005-04", "2005-05", "2005-06"};
  p.months = 3;
  std::uint64_t id = 1;
  for (const Row& r : rows) {
    p.id.push_back(id++);
    p.limit.push_back(r.limit);
    p.score.push_back(r.score);
    p.income.push_back(600000);
    p.months_on_book.push_back(24);
    p.region.push_back(0);
    for (int t = 0; t < 3; ++t) {
      p.status_code.push_back(r.bucket[static_cast<std::size_t>(t)]);
      p.bucket.push_back(r.bucket[static_cast<std::size_t>(t)]);
      p.type.push_back(r.type[static_cast<std::size_t>(t)]);
      p.balance.push_back(r.balance[static_cast<std::size_t>(t)]);
      p.payment.push_back(r.payment[static_cast<std::size_t>(t)]);
    }
  }
  p.region_names = {"all"};
  p.rows_read = static_cast<std::int64_t>(rows.size());
  return p;
}

BehaviourConfig default_config() {
  BehaviourConfig b;
  b.params = default_behaviour();
  return b;
}

constexpr auto N = UsageType::kNone;
constexpr auto R = UsageType::kRevolver;
constexpr auto T = UsageType::kTransactor;
constexpr auto I = UsageType::kInactive;

// Six customers, three months. Every figure below is worked out by hand in the comments.
std::vector<Row> tiny_rows() {
  return {
      // A: current, current, 1-30. Misses in month 2 on a 600.00 statement.
      {100000, 680.0f, {0, 0, 1}, {50000, 60000, 65000}, {0, 10000, 0}, {R, R, N}},
      // B: current throughout; pays 1000.00 in full in month 1, then nothing due.
      {200000, 600.0f, {0, 0, 0}, {100000, 0, 0}, {5000, 100000, 0}, {R, T, I}},
      // C: 1-30 -> 31-60 (roll) -> current (cure, paying 330.00).
      {50000, 760.0f, {1, 2, 0}, {30000, 32000, 0}, {0, 0, 33000}, {N, N, T}},
      // D: 31-60 -> 1-30 (a partial cure: a stay for the model) -> 1-30 (stay).
      {100000, 680.0f, {2, 1, 1}, {70000, 70000, 72000}, {0, 5000, 3000}, {N, N, N}},
      // E: closed after month 0 (no observation): its later months must be ignored.
      {80000, 700.0f, {0, -1, -1}, {10000, 0, 0}, {0, 10000, 0}, {R, I, I}},
      // F: current -> 31-60 (a miss that skips 1-30) -> 61-90 (roll).
      {40000, 640.0f, {0, 2, 3}, {40000, 45000, 48000}, {0, 0, 0}, {R, N, N}},
  };
}

TEST(CalibTinyPanel, CountsRatesAndDistributionsByHand) {
  const Panel p = panel_of(tiny_rows());
  const BehaviourConfig base = default_config();
  const PopulationConfig pc;  // score 680 +- 80
  const Calibration c = calibrate(p, 0, 2, base, pc);

  EXPECT_EQ(c.customers, 6);
  EXPECT_EQ(c.transitions, 10);  // E has none: month 1 is unobserved
  EXPECT_EQ(c.months, (std::vector<std::string>{"2005-04", "2005-05", "2005-06"}));
  EXPECT_EQ(c.data_file, "hand-built");
  EXPECT_EQ(c.data_sha256, "0123abcd");

  // The full observed matrix.
  std::array<std::array<std::int64_t, kMaxBuckets>, kMaxBuckets> want{};
  want[0][0] = 3;  // A t0, B t0, B t1
  want[0][1] = 1;  // A t1
  want[0][2] = 1;  // F t0
  want[1][2] = 1;  // C t0
  want[2][0] = 1;  // C t1
  want[2][1] = 1;  // D t0
  want[1][1] = 1;  // D t1
  want[2][3] = 1;  // F t1
  EXPECT_EQ(c.counts, want);

  // Misses: trials are current months with a positive statement (A t0, A t1, B t0, F t0;
  // B t1 has nothing due); A t1 and F t0 miss.
  EXPECT_EQ(c.miss.trials, 4);
  EXPECT_EQ(c.miss.events, 2);
  EXPECT_DOUBLE_EQ(c.miss.p, 0.5);
  // 1-30: C t0 rolls, D t1 stays.
  EXPECT_EQ(c.roll[1].trials, 2);
  EXPECT_EQ(c.roll[1].events, 1);
  EXPECT_EQ(c.cure[1].events, 0);
  // 31-60: F t1 rolls, C t1 cures, D t0 improves to 1-30 (a stay).
  EXPECT_EQ(c.roll[2].trials, 3);
  EXPECT_EQ(c.roll[2].events, 1);
  EXPECT_EQ(c.cure[2].events, 1);
  EXPECT_DOUBLE_EQ(c.cure[2].p, 1.0 / 3.0);
  EXPECT_EQ(c.cure_share[2].trials, 2);
  EXPECT_DOUBLE_EQ(c.cure_share[2].p, 0.5);
  EXPECT_EQ(c.roll[3].trials, 0);
  EXPECT_TRUE(has_note(c, "1 of 2 misses went from current straight to a bucket past 1-30 DPD"));
  EXPECT_TRUE(has_note(c, "1 delinquent accounts improved to a better delinquent bucket"));

  // Too few trials for anything: every parameter keeps the base value.
  EXPECT_TRUE(c.estimated.empty());
  EXPECT_FALSE(c.miss_fitted);
  EXPECT_FALSE(c.roll_fitted);
  EXPECT_EQ(c.behaviour.miss_probability, base.miss_probability);
  EXPECT_EQ(c.behaviour.params.miss_intercept, base.params.miss_intercept);
  EXPECT_EQ(c.behaviour.params.miss_beta_util, base.params.miss_beta_util);
  for (int b = 1; b < kMaxBuckets; ++b) {
    EXPECT_EQ(c.behaviour.params.roll[b], base.params.roll[b]);
    EXPECT_EQ(c.behaviour.params.cure[b], base.params.cure[b]);
  }
  EXPECT_EQ(c.behaviour.params.spend_sigma, base.params.spend_sigma);
  EXPECT_TRUE(has_note(c, "miss: 4 trials < 30"));
  EXPECT_TRUE(has_note(c, "bucket 31-60: 3 trials < 30"));
  EXPECT_TRUE(has_note(c, "spending.sigma: 4 degrees of freedom < 100"));

  // Usage types over the observed months: A R,R; B R,T,I; C T; E R (months 1-2 unobserved); F R.
  EXPECT_EQ(c.transactor_share.trials, 8);
  EXPECT_EQ(c.transactor_share.events, 2);
  EXPECT_EQ(c.revolver_share.events, 5);
  EXPECT_EQ(c.inactive_share.events, 1);

  // Payment ratios (payment of t+1 / statement of t > 0):
  // A 0.2, 0; B 1.0; C 0, 330/320; D 50/700, 30/700; F 0, 0 (E: month 1 unobserved).
  // Sorted: 0 0 0 0 0.0428571 0.0714286 0.2 1.0 1.03125.
  EXPECT_EQ(c.payment_ratio.n, 9);
  EXPECT_NEAR(c.payment_ratio.mean, (0.2 + 1.0 + 1.03125 + 50.0 / 700 + 30.0 / 700) / 9, 1e-12);
  EXPECT_NEAR(c.payment_ratio.q[3], 0.0, 1e-12);           // 25%: position 2
  EXPECT_NEAR(c.payment_ratio.q[4], 30.0 / 700, 1e-12);    // median: position 4
  EXPECT_NEAR(c.payment_ratio.q[5], 0.2, 1e-12);           // 75%: position 6
  EXPECT_NEAR(c.payment_ratio.q[6], 1.0 + 0.2 * 0.03125, 1e-12);  // 90%: position 7.2

  // Spend (balance_t - balance_t-1 + payment_t > 0), currency units:
  // A 200, 50; B none; C 20, 10; D 50, 50; F 50, 30. Sorted: 10 20 30 50 50 50 50 200.
  EXPECT_EQ(c.spend.n, 8);
  EXPECT_NEAR(c.spend.mean, 57.5, 1e-12);
  EXPECT_NEAR(c.spend.q[2], 17.0, 1e-12);   // 10%: position 0.7
  EXPECT_NEAR(c.spend.q[4], 50.0, 1e-12);   // median: position 3.5
  EXPECT_NEAR(c.spend.q[8], 189.5, 1e-12);  // 99%: position 6.93
  // Within-customer log-sd: pooled squared deviations / (sum of n_i - 1) = / 4.
  const double ss = (std::pow(std::log(4.0), 2) + std::pow(std::log(2.0), 2) + std::pow(std::log(5.0 / 3.0), 2)) / 2;
  EXPECT_EQ(c.spend_sigma_df, 4);
  EXPECT_EQ(c.spend_sigma_customers, 4);
  EXPECT_NEAR(c.spend_sigma.value, std::sqrt(ss / 4), 1e-12);

  // Utilization (balance / limit) of the 16 observed months:
  // sorted 0 0 0 0.125 0.5 0.5 0.6 0.6 0.64 0.65 0.7 0.7 0.72 1.0 1.125 1.2.
  EXPECT_EQ(c.utilization.n, 16);
  EXPECT_NEAR(c.utilization.mean, 9.06 / 16, 1e-12);
  EXPECT_NEAR(c.utilization.q[3], 0.40625, 1e-12);  // 25%: position 3.75
  EXPECT_NEAR(c.utilization.q[4], 0.62, 1e-12);     // median: position 7.5
  EXPECT_NEAR(c.utilization.q[5], 0.705, 1e-12);    // 75%: position 11.25
  EXPECT_NEAR(c.utilization.q[0], 0.0, 1e-12);
  EXPECT_NEAR(c.utilization.q[8], 1.125 + 0.85 * 0.075, 1e-12);  // 99%: position 14.85

  const std::string report = calibration_report(c);
  EXPECT_NE(report.find("miss (current, due > 0)"), std::string::npos) << report;
  EXPECT_NE(report.find("2005-04 .. 2005-06"), std::string::npos) << report;
}

TEST(CalibTinyPanel, WindowLimitsTheMonthsUsed) {
  const Panel p = panel_of(tiny_rows());
  const Calibration c = calibrate(p, 1, 2, default_config(), PopulationConfig{});
  EXPECT_EQ(c.transitions, 5);  // only t = 1 -> 2
  EXPECT_EQ(c.months, (std::vector<std::string>{"2005-05", "2005-06"}));
  EXPECT_EQ(c.miss.trials, 1);  // A t1
  EXPECT_EQ(c.utilization.n, 10);
  EXPECT_EQ(c.spend.n, 4);  // t = 2 only: A 50, C 10, D 50, F 30
  EXPECT_THROW(calibrate(p, 2, 2, default_config(), PopulationConfig{}), ConfigError);
  EXPECT_THROW(calibrate(p, 0, 3, default_config(), PopulationConfig{}), ConfigError);
}

// A miss regression the data separate perfectly (every customer below the mean
// score misses, none above) keeps the base values and says why.
TEST(CalibGuards, SeparatedMissRegressionKeepsTheBase) {
  std::vector<Row> rows;
  for (int i = 0; i < 200; ++i) {
    const bool bad = i % 2 == 0;
    const float score = bad ? 600.0f - static_cast<float>(i % 7) : 760.0f + static_cast<float>(i % 5);
    rows.push_back({100000, score, {0, static_cast<std::int8_t>(bad ? 1 : 0), 0}, {50000 + 100 * i, 50000, 50000},
                    {0, 5000, 5000}, {R, N, R}});
  }
  const BehaviourConfig base = default_config();
  const Calibration c = calibrate(panel_of(rows), 0, 1, base, PopulationConfig{});
  EXPECT_EQ(c.miss.trials, 200);
  EXPECT_EQ(c.miss.events, 100);
  EXPECT_FALSE(c.miss_fitted);
  EXPECT_TRUE(has_note(c, "miss regression failed")) << ::testing::PrintToString(c.notes);
  EXPECT_EQ(c.behaviour.miss_probability, base.miss_probability);
  EXPECT_EQ(c.behaviour.params.miss_beta_risk, base.params.miss_beta_risk);
  EXPECT_FALSE(has_key(c, "delinquency.miss_probability"));
}

// The last bucket's roll is a move past it: with chargeoff_dpd = 180 a panel
// whose buckets stop at 151-180 and that marks no charge-off cannot show one,
// so that bucket keeps the base values. With chargeoff_dpd = 150 the same
// panel shows them (151-180 is past the charge-off point).
TEST(CalibGuards, ChargeOffBucketNeedsObservableChargeOffs) {
  std::vector<Row> rows;
  for (int i = 0; i < 120; ++i) {
    const float score = 600.0f + static_cast<float>((i * 37) % 160);
    const std::int64_t bal = 90000 + 1000 * ((i * 13) % 20);
    switch (i % 4) {
      case 0: rows.push_back({100000, score, {6, 6, 6}, {bal, bal, bal}, {0, 0, 0}, {N, N, N}}); break;
      case 1: rows.push_back({100000, score, {6, 0, 0}, {bal, 0, 0}, {0, bal, 0}, {N, T, I}}); break;
      case 2: rows.push_back({100000, score, {5, 6, 6}, {bal, bal, bal}, {0, 0, 0}, {N, N, N}}); break;
      default: rows.push_back({100000, score, {5, 0, 0}, {bal, 0, 0}, {0, bal, 0}, {N, T, I}}); break;
    }
  }
  const BehaviourConfig base = default_config();
  const Calibration c = calibrate(panel_of(rows), 0, 1, base, PopulationConfig{});
  EXPECT_EQ(c.roll[6].trials, 60);
  EXPECT_EQ(c.roll[6].events, 0);
  EXPECT_EQ(c.behaviour.params.roll[6], base.params.roll[6]);
  EXPECT_EQ(c.behaviour.params.cure[6], base.params.cure[6]);
  EXPECT_FALSE(has_key(c, "delinquency.roll[5]"));
  EXPECT_TRUE(has_note(c, "bucket 151-180: the panel records no charge-offs")) << ::testing::PrintToString(c.notes);
  // 121-150: 30 rolls and 30 cures; estimated.
  EXPECT_TRUE(has_key(c, "delinquency.roll[4]"));
  EXPECT_NEAR(c.behaviour.params.roll[5] + c.behaviour.params.cure[5], 1.0, 1e-12);  // every non-roll cured

  BehaviourConfig at150 = default_config();
  at150.params.chargeoff_bucket = 5;
  const Calibration d = calibrate(panel_of(rows), 0, 1, at150, PopulationConfig{});
  EXPECT_EQ(d.roll[5].events, 30);  // 121-150 -> 151-180 is a charge-off now
  EXPECT_TRUE(has_key(d, "delinquency.roll[4]"));
  EXPECT_TRUE(has_note(d, "60 months sat in a bucket past the charge-off bucket (chargeoff_dpd = 150)"))
      << ::testing::PrintToString(d.notes);
  EXPECT_EQ(d.behaviour.params.roll[6], at150.params.roll[6]);  // never used by the model
}

// ------------------------------------------------------------ 3. logistic regression

// The inverse of a symmetric 3 x 3 matrix by cofactors.
std::array<double, 9> inverse3(const std::array<double, 9>& m) {
  const double a = m[0], b = m[1], c = m[2], d = m[3], e = m[4], f = m[5], g = m[6], h = m[7], i = m[8];
  const double det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  return {(e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det,
          (f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det,
          (d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det};
}

TEST(CalibLogit, RecoversKnownCoefficientsWithAnalyticStandardErrors) {
  const std::array<double, 3> truth = {-2.0, 0.8, 1.2};
  const std::size_t n = 100000;
  std::mt19937_64 gen(20261123);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::vector<double> x;
  std::vector<std::uint8_t> y;
  std::array<double, 9> info{};  // sum of p(1-p) x x' at the true coefficients
  for (std::size_t r = 0; r < n; ++r) {
    const double row[3] = {1.0, normal(gen), -0.5 + 1.5 * uniform(gen)};
    const double p = logistic(truth[0] + truth[1] * row[1] + truth[2] * row[2]);
    x.insert(x.end(), row, row + 3);
    y.push_back(uniform(gen) < p ? 1 : 0);
    for (int a = 0; a < 3; ++a)
      for (int b = 0; b < 3; ++b) info[static_cast<std::size_t>(3 * a + b)] += p * (1 - p) * row[a] * row[b];
  }
  const LogitFit f = fit_logistic(x, 3, y);
  ASSERT_TRUE(f.ok) << f.failure;
  ASSERT_EQ(f.coef.size(), 3u);
  EXPECT_LT(f.iterations, 15);
  const std::array<double, 9> cov = inverse3(info);
  for (std::size_t j = 0; j < 3; ++j) {
    const double analytic = std::sqrt(cov[4 * j]);
    EXPECT_NEAR(f.coef[j].value, truth[j], 3 * f.coef[j].se) << "coefficient " << j;
    EXPECT_NEAR(f.coef[j].se / analytic, 1.0, 0.05) << "coefficient " << j << ": se " << f.coef[j].se
                                                    << " vs analytic " << analytic;
  }
  // At the maximum the score is zero: refitting from the data gives the same.
  EXPECT_LT(f.log_likelihood, 0.0);
}

TEST(CalibLogit, ReportsSeparationCollinearityAndDegenerateOutcomes) {
  std::mt19937_64 gen(7);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<double> x, collinear;
  std::vector<std::uint8_t> separated, mixed, zeros;
  for (int r = 0; r < 1000; ++r) {
    const double v = normal(gen);
    x.insert(x.end(), {1.0, v});
    collinear.insert(collinear.end(), {1.0, v, 2.0 * v});
    separated.push_back(v > 0 ? 1 : 0);
    mixed.push_back(r % 3 == 0 ? 1 : 0);
    zeros.push_back(0);
  }
  const LogitFit sep = fit_logistic(x, 2, separated);
  EXPECT_FALSE(sep.ok);
  EXPECT_FALSE(sep.failure.empty());
  const LogitFit col = fit_logistic(collinear, 3, mixed);
  EXPECT_FALSE(col.ok);
  EXPECT_NE(col.failure.find("singular"), std::string::npos) << col.failure;
  const LogitFit none = fit_logistic(x, 2, zeros);
  EXPECT_FALSE(none.ok);
  EXPECT_EQ(none.failure, "no events");
  EXPECT_THROW(fit_logistic(x, 3, mixed), std::invalid_argument);
  // The intercept-only fit of 1 in 3 is logit(1/3) with se sqrt(1 / (n p (1-p))).
  const LogitFit ok = fit_logistic(std::vector<double>(1000, 1.0), 1, mixed);
  ASSERT_TRUE(ok.ok) << ok.failure;
  const double p = 334.0 / 1000.0;
  EXPECT_NEAR(ok.coef[0].value, std::log(p / (1 - p)), 1e-9);
  EXPECT_NEAR(ok.coef[0].se, std::sqrt(1.0 / (1000 * p * (1 - p))), 1e-9);
}

// ------------------------------------------------------------ 4. round trip

constexpr int kSimMonths = 12;
constexpr std::int64_t kSimCustomers = 200000;

// The behaviour the simulated panel is generated with. It differs from the
// defaults in every estimated key, so a calibration that fell back on the
// base values would fail the checks.
BehaviourConfig true_behaviour() {
  BehaviourConfig b = default_config();
  b.miss_probability = 0.03;
  b.params.miss_intercept = logit(b.miss_probability);
  b.params.miss_beta_risk = 0.7;
  b.params.miss_beta_util = 1.1;
  const double roll[kMaxBuckets] = {0.0, 0.30, 0.50, 0.60, 0.70, 0.75, 0.80};
  const double cure[kMaxBuckets] = {0.0, 0.50, 0.30, 0.15, 0.10, 0.06, 0.04};
  for (int k = 0; k < kMaxBuckets; ++k) {
    b.params.roll[k] = roll[k];
    b.params.cure[k] = cure[k];
  }
  b.params.roll_beta_risk = 0.45;
  b.params.roll_beta_util = 0.7;
  b.params.spend_sigma = 0.6;
  b.params.rho = 0.0;               // independent events: the pooled fit is the model's own likelihood
  b.params.apr = 0.0;               // no interest and ...
  b.params.late_fee = 0;            // ... no fees: the statement grows by exactly the spend
  b.params.min_payment_floor = 0;   // a revolver never pays a small statement in full by the floor rule
  return b;
}

struct RoundTrip {
  PopulationConfig pc;
  BehaviourConfig truth, base;
  Population pop;
  Panel panel;
  Calibration cal;
  std::int64_t typed = 0, typed_paying_transactors = 0;  // ground truth for the transactor share
};

// Panel month 0 is the opening state; panel month t >= 1 is the end of
// simulated month t - 1. So panel month t's state (bucket, statement, line) is
// exactly the state at the start of simulated month t, whose delinquency event
// gives panel month t + 1's bucket: calibrate()'s t -> t+1 transitions are the
// model's monthly events, with the covariates the model used.
void to_panel(RoundTrip& rt) {
  const Population& pop = rt.pop;
  const std::int64_t n = pop.size();
  const int cb = rt.truth.params.chargeoff_bucket;
  Panel& p = rt.panel;
  p.source = "simulated by tests/test_calibrate.cpp";
  p.sha256 = "";
  p.months = kSimMonths + 1;
  for (int t = 0; t <= kSimMonths; ++t) {
    char name[16];
    std::snprintf(name, sizeof name, "%d-%02d", 2030 + t / 12, t % 12 + 1);
    p.month_names.push_back(name);
  }
  p.id = pop.id;
  p.limit = pop.limit;
  p.score = pop.score;
  p.income = pop.income;
  p.months_on_book = pop.months_on_book;
  p.region = pop.region;
  p.region_names = {"all"};
  const std::size_t cells = static_cast<std::size_t>(n) * static_cast<std::size_t>(p.months);
  p.bucket.assign(cells, -1);
  p.type.assign(cells, UsageType::kNone);
  p.balance.assign(cells, 0);
  p.payment.assign(cells, 0);
  for (std::int64_t i = 0; i < n; ++i) {
    p.bucket[p.at(i, 0)] = static_cast<std::int8_t>(std::min<int>(pop.bucket[static_cast<std::size_t>(i)], cb));
    p.balance[p.at(i, 0)] = pop.balance[static_cast<std::size_t>(i)];
  }

  ModelView mv{};
  mv.behaviour = rt.truth.params;
  mv.policy = default_policy();  // every lever off: lines never move, nothing freezes
  const std::vector<ScenarioMonth> scenario(kSimMonths, neutral_scenario_month());
  const std::vector<double> factor(kSimMonths, 0.0);  // [1 path][months][1 factor]
  mv.scenario = scenario.data();
  mv.factor = factor.data();
  mv.lgd_quantiles = nullptr;
  mv.seed = 424242;
  mv.months = kSimMonths;
  mv.paths_total = 1;
  mv.factors = 1;
  trace_customers(mv, pop.view(), 1, 0, [&](std::int64_t i, int, const MonthOutcome* o) {
    for (int m = 0; m < kSimMonths; ++m) {
      const std::size_t at = p.at(i, m + 1);
      const std::int64_t due = std::max<std::int64_t>(0, p.balance[p.at(i, m)]);
      const MonthOutcome& x = o[m];
      if (!x.was_open) continue;  // closed: no observation
      if (x.charged_off) {
        p.bucket[at] = static_cast<std::int8_t>(cb + 1);  // a roll past the last bucket
        continue;
      }
      if (x.attrited) {  // did not miss, paid off and closed
        p.bucket[at] = 0;
        p.payment[at] = x.payment;
        continue;
      }
      p.bucket[at] = static_cast<std::int8_t>(x.bucket);
      p.balance[at] = x.balance;
      p.payment[at] = x.payment;
      UsageType type = UsageType::kNone;
      if (x.bucket == 0 && due > 0 && x.payment >= due) type = UsageType::kTransactor;
      else if (x.bucket == 0 && due > 0 && x.payment > 0) type = UsageType::kRevolver;
      else if (x.bucket == 0 && due == 0 && x.spend == 0) type = UsageType::kInactive;
      p.type[at] = type;
    }
  });
  p.status_code.assign(p.bucket.begin(), p.bucket.end());
  for (std::int64_t i = 0; i < n; ++i)
    for (int t = 0; t <= kSimMonths; ++t) {
      const UsageType u = p.type[p.at(i, t)];
      if (u == UsageType::kNone) continue;
      ++rt.typed;
      if (u != UsageType::kInactive && pop.transactor[static_cast<std::size_t>(i)]) ++rt.typed_paying_transactors;
    }
}

const RoundTrip& round_trip() {
  static const RoundTrip rt = [] {
    RoundTrip r;
    r.pc.customers = kSimCustomers;
    r.pc.new_account_share = 0.0;  // every account existing: months on book > 0, line and balance given
    r.truth = true_behaviour();
    r.base = default_config();
    r.pop = generate_population(r.pc, 99, 1, kSimCustomers, 0);
    // The score proxy the calibration uses must be the model's risk.
    for (std::size_t i = 0; i < r.pop.risk.size(); ++i)
      r.pop.risk[i] = static_cast<float>(-(static_cast<double>(r.pop.score[i]) - r.pc.score_mean) / r.pc.score_sd);
    to_panel(r);
    r.cal = calibrate(r.panel, 0, kSimMonths, r.base, r.pc);
    return r;
  }();
  return rt;
}

TEST(CalibRoundTrip, PanelHoldsOnlyMovesTheModelMakes) {
  const Calibration& c = round_trip().cal;
  EXPECT_EQ(c.customers, kSimCustomers);
  EXPECT_GT(c.transitions, kSimCustomers * kSimMonths * 9 / 10);
  for (int to = 2; to < kMaxBuckets; ++to) EXPECT_EQ(c.counts[0][static_cast<std::size_t>(to)], 0) << to;
  for (int b = 1; b < kMaxBuckets; ++b)
    for (int to = 1; to < kMaxBuckets; ++to)
      if (to != b && to != b + 1) {
        EXPECT_EQ(c.counts[static_cast<std::size_t>(b)][static_cast<std::size_t>(to)], 0) << b << " -> " << to;
      }
  EXPECT_GT(c.to_chargeoff[6], 0);
  EXPECT_EQ(c.to_chargeoff[5], 0);
  EXPECT_TRUE(c.notes.empty()) << ::testing::PrintToString(c.notes);
}

TEST(CalibRoundTrip, RecoversTheMissRegression) {
  const RoundTrip& rt = round_trip();
  const Calibration& c = rt.cal;
  ASSERT_TRUE(c.miss_fitted);
  const BehaviourParams& t = rt.truth.params;
  EXPECT_NEAR(c.miss_intercept.value, t.miss_intercept, 3 * c.miss_intercept.se);
  EXPECT_NEAR(c.miss_beta_risk.value, t.miss_beta_risk, 3 * c.miss_beta_risk.se);
  EXPECT_NEAR(c.miss_beta_util.value, t.miss_beta_util, 3 * c.miss_beta_util.se);
  // Tight enough to mean something.
  EXPECT_LT(c.miss_intercept.se, 0.02);
  EXPECT_LT(c.miss_beta_util.se, 0.05);
  // Written back the way config.cpp reads it.
  EXPECT_DOUBLE_EQ(c.behaviour.miss_probability, logistic(c.miss_intercept.value));
  EXPECT_EQ(c.behaviour.params.miss_intercept, logit(c.behaviour.miss_probability));
  EXPECT_EQ(c.behaviour.params.miss_beta_risk, c.miss_beta_risk.value);
  EXPECT_EQ(c.behaviour.params.miss_beta_util, c.miss_beta_util.value);
  for (const char* k : {"delinquency.miss_probability", "delinquency.miss_beta_risk", "delinquency.miss_beta_util"})
    EXPECT_TRUE(has_key(c, k)) << k;
}

TEST(CalibRoundTrip, RecoversRollAndCureRates) {
  const RoundTrip& rt = round_trip();
  const Calibration& c = rt.cal;
  const BehaviourParams& t = rt.truth.params;
  ASSERT_TRUE(c.roll_fitted);
  EXPECT_NEAR(c.roll_beta_risk.value, t.roll_beta_risk, 3 * c.roll_beta_risk.se);
  EXPECT_NEAR(c.roll_beta_util.value, t.roll_beta_util, 3 * c.roll_beta_util.se);
  int checked = 0;
  for (int b = 1; b < kMaxBuckets; ++b) {
    const std::size_t u = static_cast<std::size_t>(b);
    ASSERT_GE(c.roll[u].trials, kCalibrationMinTrials) << b;
    EXPECT_EQ(c.behaviour.params.roll[u], logistic(c.roll_intercept[u].value)) << b;
    EXPECT_TRUE(has_key(c, "delinquency.roll[" + std::to_string(b - 1) + "]"));
    if (c.roll[u].trials < 2000) continue;  // well-populated buckets only
    ++checked;
    EXPECT_NEAR(c.roll_intercept[u].value, logit(t.roll[u]), 3 * c.roll_intercept[u].se) << "bucket " << b;
    // The model cures with cure[b] / (1 - roll[b]) among the months that do not roll.
    const Rate& s = c.cure_share[u];
    const double share = t.cure[u] / (1.0 - t.roll[u]);
    EXPECT_NEAR(s.p, share, 3 * (s.hi - s.lo) / (2 * kZ)) << "bucket " << b;
    // cure[b] = share x (1 - roll[b]): delta-method standard error.
    const double r = c.behaviour.params.roll[u];
    const double se_r = r * (1 - r) * c.roll_intercept[u].se, se_s = (s.hi - s.lo) / (2 * kZ);
    const double se_cure = std::sqrt(std::pow((1 - r) * se_s, 2) + std::pow(s.p * se_r, 2));
    EXPECT_NEAR(c.behaviour.params.cure[u], t.cure[u], 3 * se_cure) << "bucket " << b;
    EXPECT_LE(c.behaviour.params.roll[u] + c.behaviour.params.cure[u], 1.0);
  }
  EXPECT_GE(checked, 4);
}

TEST(CalibRoundTrip, RecoversTransactorShareAndSpendSigma) {
  const RoundTrip& rt = round_trip();
  const Calibration& c = rt.cal;
  // Ground truth from the customers' own attribute: the typed months that
  // belong to transactors (and paid a statement).
  ASSERT_EQ(c.transactor_share.trials, rt.typed);
  const double truth = static_cast<double>(rt.typed_paying_transactors) / static_cast<double>(rt.typed);
  EXPECT_GE(truth, c.transactor_share.lo);
  EXPECT_LE(truth, c.transactor_share.hi);
  EXPECT_NEAR(c.transactor_share.p + c.revolver_share.p + c.inactive_share.p, 1.0, 1e-12);
  // spend_sigma: with no interest or fees the statement grows by the spend.
  // The line caps a few months' spend, which pulls the estimate down a little.
  ASSERT_TRUE(has_key(c, "spending.sigma"));
  EXPECT_NEAR(c.spend_sigma.value, rt.truth.params.spend_sigma, 0.01);
  EXPECT_EQ(c.behaviour.params.spend_sigma, c.spend_sigma.value);
  // Utilization and payment ratios are observed for most customer-months.
  EXPECT_GT(c.utilization.n, kSimCustomers * kSimMonths);
  EXPECT_GT(c.payment_ratio.n, kSimCustomers * kSimMonths / 2);
  EXPECT_LE(c.payment_ratio.q[8], 1.0);  // nobody pays more than the statement here
}

// ------------------------------------------------------------ the behaviour file

class CalibToml : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "limitsim_test_calibrate_XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  // A run file that names `behaviour_text` as its behaviour file.
  std::string run_file(const std::string& behaviour_text) {
    std::ofstream(dir_ / "behaviour.toml") << behaviour_text;
    std::ofstream(dir_ / "run.toml") << "behaviour = \"behaviour.toml\"\n"
                                        "[run]\nname = \"calibrated\"\nmonths = 12\n"
                                        "[[policies]]\nname = \"static\"\n"
                                        "[[scenarios]]\nname = \"baseline\"\n";
    return (dir_ / "run.toml").string();
  }
  fs::path dir_;
};

// The file without its [behaviour.calibration] table (until config.cpp reads
// that table): every other line, comments included, is kept.
std::string without_provenance(const std::string& text) {
  std::istringstream in(text);
  std::ostringstream out;
  std::string line;
  bool skip = false;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] == '[') skip = line == "[behaviour.calibration]";
    if (!skip || line.empty() || line[0] == '#') out << line << "\n";
  }
  return out.str();
}

#define SAME(field) EXPECT_EQ(a.field, b.field) << #field
void expect_same(const BehaviourParams& a, const BehaviourParams& b) {
  SAME(spend_sigma); SAME(spend_limit_elasticity); SAME(draws_extra_mean); SAME(draws_beta_risk);
  SAME(draws_beta_util); SAME(min_payment_rate); SAME(min_payment_floor); SAME(apr); SAME(late_fee);
  SAME(miss_intercept); SAME(miss_beta_risk); SAME(miss_beta_util); SAME(util_ref);
  for (int i = 0; i < kMaxBuckets; ++i) {
    SAME(roll[i]);
    SAME(cure[i]);
  }
  SAME(roll_beta_risk); SAME(roll_beta_util); SAME(chargeoff_bucket); SAME(rho); SAME(income_shock_beta);
  SAME(lgd_mode); SAME(lgd); SAME(lgd_beta_a); SAME(lgd_beta_b); SAME(attrition_rate);
  SAME(score_bucket_penalty); SAME(score_recent_penalty); SAME(score_recent_months); SAME(score_util_penalty);
}
#undef SAME

TEST_F(CalibToml, BehaviourTablesLoadBackIntoTheSameDoubles) {
  const Calibration& c = round_trip().cal;
  const std::string text = calibration_toml(c);
  const RunConfig cfg = load_run_config(run_file(without_provenance(text)));
  expect_same(cfg.behaviour.params, c.behaviour.params);
  EXPECT_EQ(cfg.behaviour.miss_probability, c.behaviour.miss_probability);
  EXPECT_EQ(cfg.behaviour.factor_ar1, c.behaviour.factor_ar1);
  EXPECT_EQ(cfg.behaviour.factor_correlation, c.behaviour.factor_correlation);
  // The estimated values really are the estimates, not the defaults.
  EXPECT_EQ(cfg.behaviour.params.miss_beta_util, c.miss_beta_util.value);
  EXPECT_NE(cfg.behaviour.params.miss_beta_util, default_behaviour().miss_beta_util);
}

TEST_F(CalibToml, SaysWhichKeysAreEstimatedAndCarriesTheEstimates) {
  const Calibration& c = round_trip().cal;
  const std::string text = calibration_toml(c);
  auto line_of = [&](const std::string& key) {
    const std::size_t at = text.find("\n" + key + " = ");
    return at == std::string::npos ? std::string() : text.substr(at + 1, text.find('\n', at + 1) - at - 1);
  };
  EXPECT_NE(line_of("miss_beta_util").find("# estimated"), std::string::npos) << text;
  EXPECT_NE(line_of("sigma").find("# estimated"), std::string::npos);
  EXPECT_NE(line_of("roll").find("# estimated"), std::string::npos);
  EXPECT_NE(line_of("lgd").find("# default (not estimated)"), std::string::npos);
  EXPECT_NE(line_of("min_payment_rate").find("# default (not estimated"), std::string::npos);
  EXPECT_NE(line_of("rho").find("# default (not estimated)"), std::string::npos);
  for (const char* table : {"spending", "payment", "delinquency", "loss", "attrition", "score", "factors"})
    EXPECT_NE(text.find(std::string("\n[behaviour.") + table + "]\n"), std::string::npos) << table;
  // The estimates ride along as comments: the transition counts and the coefficients.
  EXPECT_NE(text.find("# Bucket transitions"), std::string::npos);
  EXPECT_NE(text.find("# Miss regression"), std::string::npos);
  EXPECT_NE(text.find(std::to_string(c.counts[0][1])), std::string::npos);
}

TEST_F(CalibToml, ProvenanceTableHasTheAgreedKeysAndTypes) {
  Calibration c = round_trip().cal;
  c.mapping_file = "configs/population/uci_credit_card.toml";
  c.data_sha256 = "f7b7d22d1f8dd27dadb25d4b78d8a4ae7c441ab6cc12d1ea58c0efc54d4d1788";
  c.created = "2025-11-23T16:50:00Z";
  std::istringstream in(calibration_toml(c));
  const toml::value doc = toml::parse(in, "calibrated.toml");
  const toml::value& t = doc.at("behaviour").at("calibration");
  std::set<std::string> keys;
  for (const auto& kv : t.as_table()) keys.insert(kv.first);
  EXPECT_EQ(keys, (std::set<std::string>{"source", "sha256", "mapping", "months", "customers", "transitions",
                                         "created", "limitsim_version", "score_mean", "score_sd"}));
  EXPECT_EQ(t.at("score_mean").as_floating(), c.score_mean);  // the risk proxy's scale
  EXPECT_EQ(t.at("score_sd").as_floating(), c.score_sd);
  EXPECT_EQ(t.at("source").as_string().str, c.data_file);
  EXPECT_EQ(t.at("sha256").as_string().str, c.data_sha256);
  EXPECT_EQ(t.at("mapping").as_string().str, c.mapping_file);
  ASSERT_EQ(t.at("months").as_array().size(), static_cast<std::size_t>(kSimMonths + 1));
  EXPECT_EQ(t.at("months").as_array().front().as_string().str, "2030-01");
  EXPECT_EQ(t.at("months").as_array().back().as_string().str, "2031-01");
  EXPECT_EQ(t.at("customers").as_integer(), c.customers);
  EXPECT_EQ(t.at("transitions").as_integer(), c.transitions);
  EXPECT_EQ(t.at("created").as_string().str, "2025-11-23T16:50:00Z");
  EXPECT_EQ(t.at("limitsim_version").as_string().str, c.limitsim_version);
  EXPECT_FALSE(c.limitsim_version.empty());
  // Without a creation time the key is left out.
  c.created.clear();
  std::istringstream again(calibration_toml(c));
  EXPECT_FALSE(toml::parse(again, "calibrated.toml").at("behaviour").at("calibration").contains("created"));
}

// FOR THE LEAD: enable (drop DISABLED_) once src/config.cpp accepts the
// [behaviour.calibration] table (keys: source, sha256, mapping, months,
// customers, transitions, created, limitsim_version). Until then
// load_run_config rejects the table as an unknown key; the test above checks
// its content with toml11 and BehaviourTablesLoadBackIntoTheSameDoubles checks
// the behaviour tables through load_run_config.
TEST_F(CalibToml, WholeFileLoadsThroughLoadRunConfig) {
  const Calibration& c = round_trip().cal;
  const RunConfig cfg = load_run_config(run_file(calibration_toml(c)));
  expect_same(cfg.behaviour.params, c.behaviour.params);
  EXPECT_EQ(cfg.behaviour.miss_probability, c.behaviour.miss_probability);
  // The provenance is read, and kept in the effective configuration of a run that uses it.
  const CalibrationInfo& info = cfg.behaviour.calibration;
  EXPECT_EQ(info.source, c.data_file);
  EXPECT_EQ(info.sha256, c.data_sha256);
  EXPECT_EQ(info.months, c.months);
  EXPECT_EQ(info.customers, c.customers);
  EXPECT_EQ(info.transitions, c.transitions);
  EXPECT_EQ(info.limitsim_version, c.limitsim_version);
  const std::string eff = effective_toml(cfg);
  EXPECT_NE(eff.find("[behaviour.calibration]"), std::string::npos);
  const std::string eff_file = (dir_ / "effective.toml").string();
  std::ofstream(eff_file) << eff;
  const RunConfig again = load_run_config(eff_file);
  EXPECT_EQ(again.behaviour.calibration.months, c.months);
  expect_same(again.behaviour.params, c.behaviour.params);
}

}  // namespace
}  // namespace limitsim
