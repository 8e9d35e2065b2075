// calibrate() (src/analysis/calibrate.cpp) on a hand-built panel: counts, rates and distributions worked out by
// hand, the window, and the guards that keep base values.
#include <gtest/gtest.h>

#include "tests/analysis/calibrate_fixture.hpp"

namespace limitsim {
namespace {

using namespace calibrate_test;

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
      // D: 31-60 -> 1-30 (a partial cure: back one bucket) -> 1-30 (stay).
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
  // 31-60: F t1 rolls, C t1 cures, D t0 moves back to 1-30 (a partial cure).
  EXPECT_EQ(c.roll[2].trials, 3);
  EXPECT_EQ(c.roll[2].events, 1);
  EXPECT_EQ(c.cure[2].events, 1);
  EXPECT_DOUBLE_EQ(c.cure[2].p, 1.0 / 3.0);
  EXPECT_EQ(c.cure_share[2].trials, 2);
  EXPECT_DOUBLE_EQ(c.cure_share[2].p, 0.5);
  EXPECT_EQ(c.roll[3].trials, 0);
  EXPECT_TRUE(has_note(c, "1 of 2 misses went from current straight to a bucket past 1-30 DPD"));
  EXPECT_EQ(c.back_one_share[2].trials, 2);  // of the months that did not roll, one moved back one bucket
  EXPECT_EQ(c.back_one_share[2].events, 1);
  EXPECT_EQ(c.back_two_share[2].events, 0);

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

}  // namespace
}  // namespace limitsim
