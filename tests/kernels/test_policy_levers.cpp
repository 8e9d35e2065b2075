// The policy levers of the month step (kernels/model.hpp) against hand-computed transitions: freezes, reviews,
// triggers, decreases, temporary raises, the borrowing-frequency signal, pricing, and the reducer.
#include <gtest/gtest.h>

#include "tests/kernels/step_fixture.hpp"

using namespace limitsim;

namespace {

using namespace model_test;

// ------------------------------------------------------------ policy levers

TEST_F(StepFixture, FrozenLineCannotBeUsed) {
  s.frozen = true;
  d.u[kDrawActive] = 0.1;
  EXPECT_EQ(step().spend, 0);
}

TEST_F(StepFixture, FreezeAtThirtyDaysPastDue) {
  pp.freeze_bucket = 2;
  s.bucket = 1;
  d.u[kDrawDelinquency] = 0.1;  // rolls to 31-60
  const MonthOutcome o = step();
  EXPECT_EQ(s.bucket, 2);
  EXPECT_TRUE(o.froze);
  EXPECT_TRUE(s.frozen);
  EXPECT_TRUE(o.frozen);
  // The next month it cannot spend.
  d.u[kDrawActive] = 0.1;
  d.u[kDrawDelinquency] = 0.9;
  d.u[kDrawCure] = 0.9;
  const MonthOutcome o2 = step(1);
  EXPECT_EQ(o2.spend, 0);
  EXPECT_FALSE(o2.froze);  // a freeze is counted once
}

TEST_F(StepFixture, UnfreezeAfterCleanMonths) {
  pp.freeze_bucket = 2;
  pp.unfreeze_after_clean_months = 2;
  s.frozen = true;
  s.months_current = 0;
  step(0);
  EXPECT_TRUE(s.frozen);  // 1 clean month
  step(1);
  EXPECT_FALSE(s.frozen);  // 2 clean months
}

TEST_F(StepFixture, PeriodicReviewRaisesEligibleCustomers) {
  pp.review_every = 3;
  pp.review_min_clean_months = 3;
  pp.review_min_utilization = 0.15;
  pp.review_min_score = 600;
  pp.review_raise_pct = 0.2;
  c.transactor = true;
  c.spend_propensity = 0.05;  // spends 1000.00 a month: util 0.2 at every month end
  d.u[kDrawActive] = 0.1;
  EXPECT_EQ(step(0).limit_increase, 0);
  EXPECT_EQ(step(1).limit_increase, 0);
  const MonthOutcome o = step(2);  // on book 12 + 3 = 15 months: an anniversary of a 3-month review
  EXPECT_EQ(o.limit_increase, 100000);  // 20% of 5000.00
  EXPECT_EQ(s.limit, 600000);
  // Per-review cap and rounding: 20% of 6000.00 = 1200.00 capped at 550.00, rounded down to 100.00 -> +500.00
  pp.review_max_raise = 55000;
  step(3); step(4);
  EXPECT_EQ(step(5).limit_increase, 50000);
}

TEST_F(StepFixture, ReviewSkipsLowUtilizationLowScoreAndDelinquentCustomers) {
  pp.review_every = 1;
  pp.review_min_clean_months = 1;
  pp.review_min_utilization = 0.5;  // util 0.2 after payment: ineligible
  pp.review_raise_pct = 0.2;
  EXPECT_EQ(step(0).limit_increase, 0);
  pp.review_min_utilization = 0.0;
  pp.review_min_score = 800;  // score 720
  EXPECT_EQ(step(1).limit_increase, 0);
  pp.review_min_score = 0;
  EXPECT_GT(step(2).limit_increase, 0);
}

TEST_F(StepFixture, ReviewRaiseAmountWaitsForMonthsOnBookAndRoundsDown) {
  pp.review_every = 1;
  pp.review_min_clean_months = 0;
  pp.review_min_utilization = 0.0;
  pp.review_min_score = 0;
  pp.review_raise_pct = 0.0;
  pp.review_raise_amount = 25000;  // +250.00
  pp.review_min_months_on_book = 14;
  EXPECT_EQ(step(0).limit_increase, 0);  // on book 13 months
  // On book 14: 5000.00 + 250.00 = 5250.00, rounded down to 100.00 -> 5200.00.
  EXPECT_EQ(step(1).limit_increase, 20000);
  EXPECT_EQ(s.limit, 520000);
}

TEST_F(StepFixture, ReviewAveragesUtilizationOverTheLookBack) {
  pp.review_every = 1;
  pp.review_min_clean_months = 0;
  pp.review_min_score = 0;
  pp.review_raise_pct = 0.2;
  pp.review_min_utilization = 0.30;
  s.util_bp.fill(4000);  // 40% in each of the months before
  s.history_months = kHistoryMonths;
  // Pays 100.00 + 900.00 x 0.5^2 = 325.00, revolves 675.00 + 6.75 interest:
  // this month ends at 681.75 / 5000.00 = 13.635%: (1363 + 4000) / 2 = 2681.5 bp < 3000.
  pp.review_lookback = 2;
  AccountState before = s;
  EXPECT_EQ(step(0).limit_increase, 0);
  EXPECT_EQ(s.balance, 68175);
  // Over three months: (1363 + 2 x 4000) / 3 = 3121 bp >= 3000.
  s = before;
  pp.review_lookback = 3;
  EXPECT_EQ(step(0).limit_increase, 100000);
}

TEST_F(StepFixture, TriggerRaisesAfterCleanHighUtilizationMonthsThenWaits) {
  pp.trigger_clean_months = 2;
  pp.trigger_min_utilization = 0.15;
  pp.trigger_min_score = 0;
  pp.trigger_raise_pct = 0.1;
  c.transactor = true;
  c.spend_propensity = 0.05;  // 1000.00 a month, paid in full
  d.u[kDrawActive] = 0.1;
  EXPECT_EQ(step(0).limit_increase, 0);  // one month of history
  MonthOutcome o = step(1);              // 20% and 20%: mean >= 15%
  EXPECT_EQ(o.limit_increase, 50000);
  EXPECT_TRUE(o.trigger_increase);
  EXPECT_EQ(s.limit, 550000);
  EXPECT_EQ(step(2).limit_increase, 0);  // one month since the raise
  // 1000.00 / 5500.00 = 18.18% twice; +10% of 5500.00 = 6050.00 -> 6000.00.
  EXPECT_EQ(step(3).limit_increase, 50000);
  EXPECT_EQ(s.limit, 600000);
}

TEST_F(StepFixture, TriggerGrowsASmallStarterLineToTheCeilingWithinAYear) {
  // A starter line of 50.00 doubling after every month at >= 50% utilization, up to 30,000.00.
  pp.trigger_clean_months = 1;
  pp.trigger_min_utilization = 0.5;
  pp.trigger_min_score = 0;
  pp.trigger_raise_pct = 1.0;
  pp.trigger_max_raise = 0;
  pp.max_limit = 3000000;
  pp.line_rounding = 100;
  c.transactor = true;  // pays in full; wants 14,000.00 a month
  c.spend_propensity = 0.7;
  d.u[kDrawActive] = 0.1;
  s = account(0, 5000, 0, 0);
  s.months_on_book = 0;
  s.since_increase = 0;
  const std::int64_t expected[] = {10000, 20000, 40000, 80000, 160000, 320000,
                                   640000, 1280000, 2560000, 3000000, 3000000, 3000000};
  for (int m = 0; m < 12; ++m) {
    step(m);
    EXPECT_EQ(s.limit, expected[m]) << "month " << m + 1;
  }
}

TEST_F(StepFixture, DecreaseCutsALowScoreToHalfTheLineThenCoolsDown) {
  bp.score_bucket_penalty = 40;
  pp.decrease_score_below = 700;
  pp.decrease_cut_to_pct = 0.5;
  s.bucket = 1;
  s.since_missed = 0;
  d.u[kDrawCure] = 0.7;  // stays in 1-30: pays the minimum 100.00, interest 9.00 -> 909.00
  // Score 720 - 40 = 680 < 700: line -> max(909.00, 2500.00).
  MonthOutcome o = step(0);
  EXPECT_EQ(s.balance, 90900);
  EXPECT_EQ(o.limit_decrease, 250000);
  EXPECT_EQ(s.limit, 250000);
  EXPECT_EQ(step(1).limit_decrease, 0);  // cool-down: 3 months between cuts
  EXPECT_EQ(step(2).limit_decrease, 0);
  // Balance 682.74 by then; 50% of 2500.00 = 1250.00, rounded down to 1200.00.
  EXPECT_EQ(step(3).limit_decrease, 130000);
}

TEST_F(StepFixture, DecreaseNeverCutsBelowTheBalance) {
  bp.score_bucket_penalty = 40;
  pp.decrease_score_below = 700;
  pp.decrease_cut_to_pct = 0.5;
  s = account(400000, 500000, 1, 0);
  d.u[kDrawCure] = 0.7;  // stays: pays 400.00, interest 36.00 -> 3636.00 > 2500.00
  EXPECT_EQ(step(0).limit_decrease, 500000 - 363600);
  EXPECT_EQ(s.limit, 363600);
}

TEST_F(StepFixture, DecreaseOnSustainedHighUtilizationWhileTheScoreFalls) {
  bp.score_util_penalty = 100;
  pp.decrease_high_util = 0.9;
  pp.decrease_high_util_months = 2;
  pp.decrease_score_drop = 30;
  pp.decrease_cut_to_pct = 0.8;
  c.transactor = true;
  c.spend_propensity = 0.23;  // 4600.00 a month: 92% of the line
  d.u[kDrawActive] = 0.1;
  const AccountState start = s;
  // Score 720 - 100 x (0.92 - 0.5) = 678 <= 720 - 30.
  EXPECT_EQ(step(0).limit_decrease, 0);       // one month at >= 90%
  EXPECT_EQ(step(1).limit_decrease, 40000);   // line -> max(4600.00, 4000.00)
  EXPECT_EQ(s.limit, 460000);
  // A 50-point drop is not reached (678 > 670): no cut.
  s = start;
  pp.decrease_score_drop = 50;
  step(0);
  EXPECT_EQ(step(1).limit_decrease, 0);
}

TEST_F(StepFixture, NoRaiseWhileACutRuleFiresEvenInItsCoolDown) {
  bp.score_util_penalty = 100;
  pp.decrease_high_util = 0.9;
  pp.decrease_high_util_months = 1;
  pp.decrease_score_drop = 30;
  pp.decrease_cut_to_pct = 0.8;
  pp.review_every = 1;  // a review every month that would raise this account
  pp.review_min_clean_months = 0;
  pp.review_min_utilization = 0.0;
  pp.review_min_score = 0;
  pp.review_raise_pct = 0.2;
  c.transactor = true;
  c.spend_propensity = 0.23;
  d.u[kDrawActive] = 0.1;
  const MonthOutcome o = step(0);  // 92% used, score 678: cut to 4600.00
  EXPECT_EQ(o.limit_decrease, 40000);
  EXPECT_EQ(o.limit_increase, 0);
  // 4600.00 on a 4600.00 line: the rule fires again, held back by the cool-down; still no raise.
  const MonthOutcome o2 = step(1);
  EXPECT_EQ(o2.limit_decrease, 0);
  EXPECT_EQ(o2.limit_increase, 0);
  pp.decrease_cut_to_pct = 0.0;  // without the rule the review raises
  pp.decrease_high_util = 0.0;
  EXPECT_EQ(step(2).limit_increase, 90000);  // 4600.00 + 20% = 5520.00, rounded down to 5500.00
}

TEST_F(StepFixture, TemporaryRaiseStopsAtTheCeiling) {
  pp.temp_month_mask[0] = 1;
  pp.temp_raise_pct = 0.5;
  pp.max_limit = 600000;
  EXPECT_EQ(step(0).temp_extra, 100000);  // 2500.00 wanted, 1000.00 left under the ceiling
}

TEST(HighUtilization, AtLeastTheLevelInWholePartsPerMillion) {
  PolicyParams p{};
  EXPECT_FALSE(high_utilization(p, 2000000));  // off
  p.decrease_high_util = 0.9;                  // 0.9 * 1e6 is not exactly 900000 in binary
  EXPECT_TRUE(high_utilization(p, 900000));
  EXPECT_FALSE(high_utilization(p, 899999));
  p.decrease_high_util = 0.8;
  EXPECT_TRUE(high_utilization(p, 800000));
}

TEST_F(StepFixture, FreezeStopsSpendingAndChargeOffClosesTheLine) {
  pp.freeze_bucket = 2;
  s = account(300000, 500000, 1, 0);
  d.u[kDrawActive] = 0.1;
  d.u[kDrawDelinquency] = 0.1;  // rolls to 31-60 this month: spends, then the line freezes
  EXPECT_GT(step(0).spend, 0);
  EXPECT_TRUE(s.frozen);
  const MonthOutcome o = step(1);  // rolls again: frozen, nothing spent
  EXPECT_EQ(o.spend, 0);
  EXPECT_EQ(s.bucket, 3);
  s.bucket = 6;
  EXPECT_TRUE(step(2).charged_off);
  EXPECT_FALSE(s.open);
}

TEST_F(StepFixture, TemporaryRaiseAppliesInFlaggedMonthsToCurrentAccountsAndLapses) {
  pp.temp_month_mask[0] = 1;  // month 1
  pp.temp_raise_pct = 0.5;
  c.transactor = true;  // desired 6000.00 a month
  d.u[kDrawActive] = 0.1;
  MonthOutcome o = step(0);
  EXPECT_EQ(o.temp_extra, 250000);
  EXPECT_EQ(o.spend, 600000);  // within 5000.00 + 2500.00
  EXPECT_EQ(o.limit, 750000);
  EXPECT_EQ(o.util_ppm, 800000);
  EXPECT_EQ(s.limit, 500000);  // the permanent line is unchanged
  o = step(1);
  EXPECT_EQ(o.temp_extra, 0);
  EXPECT_EQ(o.spend, 500000);
  EXPECT_EQ(o.limit, 500000);
  // A delinquent account gets no temporary raise.
  s = account(100000, 500000, 1, 0);
  d.u[kDrawCure] = 0.7;
  EXPECT_EQ(step(0).temp_extra, 0);
}

TEST(DrawCount, OnePlusPoissonByInversion) {
  // Poisson(1): P(0) = 0.3679, P(<=1) = 0.7358, P(<=2) = 0.9197.
  EXPECT_EQ(draw_count(0.2, 1.0), 1);
  EXPECT_EQ(draw_count(0.5, 1.0), 2);
  EXPECT_EQ(draw_count(0.8, 1.0), 3);
  EXPECT_EQ(draw_count(0.999999, 0.0), 1);
  EXPECT_EQ(draw_count(0.999999999, 1000.0), 255);  // saturates
}

TEST_F(StepFixture, FrequencySignalBlocksIncreasesOrCuts) {
  bp.draws_extra_mean = 1.0;  // lambda 1 at risk 0 and zero betas
  pp.freq_window = 2;
  pp.freq_max_draws = 5;
  pp.freq_block_increases = 1;
  pp.review_every = 1;
  pp.review_min_clean_months = 0;
  pp.review_min_utilization = 0.0;
  pp.review_min_score = 0;
  pp.review_raise_pct = 0.2;
  c.transactor = true;
  c.spend_propensity = 0.05;
  d.u[kDrawActive] = 0.4;  // used; rescaled 0.4 / 0.5 = 0.8 -> 3 draws
  const AccountState start = s;
  MonthOutcome o = step(0);
  EXPECT_EQ(o.draws, 3);
  EXPECT_FALSE(o.signal);
  EXPECT_EQ(o.limit_increase, 100000);  // 3 draws < 5: raised
  o = step(1);
  EXPECT_TRUE(o.signal);                // 3 + 3 >= 5
  EXPECT_EQ(o.limit_increase, 0);       // blocked
  // The same with a cut: line -> max(1000.00, 50% of 5000.00).
  s = start;
  pp.freq_cut_to_pct = 0.5;
  pp.freq_block_increases = 0;
  pp.review_every = 0;
  step(0);
  EXPECT_EQ(step(1).limit_decrease, 250000);
}

TEST_F(StepFixture, RiskBasedPricingByOriginationScore) {
  pp.n_price_bands = 2;
  pp.price_score_min[0] = 700; pp.price_apr[0] = 0.06;
  pp.price_score_min[1] = 350; pp.price_apr[1] = 0.24;
  d.u[kDrawPayRatio] = 0.25;  // revolves 843.75 (see above)
  EXPECT_EQ(step().interest, 422);  // 843.75 x 0.5% = 4.21875
  s = account(100000, 500000, 0, 12);
  c.score = 650;
  EXPECT_EQ(step().interest, 1688);  // 843.75 x 2% = 16.875
}

TEST_F(StepFixture, SpendingGrowsWithTheLine) {
  bp.spend_limit_elasticity = 0.5;
  c.transactor = true;
  c.spend_propensity = 0.05;  // 1000.00 at the opening line
  d.u[kDrawActive] = 0.1;
  s.open_limit = 125000;      // the line is now 4x the opening line: x 4^0.5
  EXPECT_EQ(step().spend, 200000);
}

TEST_F(StepFixture, BehaviourScorePenalties) {
  bp.score_bucket_penalty = 40;
  bp.score_recent_penalty = 60;
  bp.score_recent_months = 12;
  bp.score_util_penalty = 80;
  s.bucket = 2;
  s.since_missed = 3;
  // 720 - 2 x 40 - 60 x 9/12 - 80 x (1.0 - 0.5) = 555
  EXPECT_DOUBLE_EQ(behaviour_score(bp, c, s, 1.0), 555.0);
  EXPECT_DOUBLE_EQ(behaviour_score(bp, c, s, 3.0), 515.0);  // utilization counts up to 150%
  s.bucket = 6;
  s.since_missed = 0;
  EXPECT_DOUBLE_EQ(behaviour_score(bp, c, s, 1.0), 380.0);  // 720 - 240 - 60 - 40
  EXPECT_DOUBLE_EQ(behaviour_score(bp, c, s, 1.5), 350.0);  // 340, clamped
}

TEST(Reducer, FoldsAnOutcomeIntoTheRightColumns) {
  MonthOutcome o{};
  o.was_open = o.active = true;
  o.bucket = 2; o.balance = 1234; o.limit = 5000; o.spend = 10; o.payment = 20; o.interest = 3; o.fees = 4;
  o.util_ppm = 246800; o.frozen = true; o.limit_increase = 0;
  std::int64_t row[kNumMetrics] = {};
  RowSink sink{row};
  accumulate(o, sink);
  accumulate(o, sink);
  EXPECT_EQ(row[kActive], 2);
  EXPECT_EQ(row[kBucketCount0 + 2], 2);
  EXPECT_EQ(row[kBucketBalance0 + 2], 2468);
  EXPECT_EQ(row[kBalance], 2468);
  EXPECT_EQ(row[kLimit], 10000);
  EXPECT_EQ(row[kFrozenCount], 2);
  EXPECT_EQ(row[kUtilHist0 + 3], 2);  // (20%, 30%]
  EXPECT_EQ(row[kLimitIncreaseCount], 0);
  EXPECT_EQ(util_bin(0), 0);
  EXPECT_EQ(util_bin(1), 1);
  EXPECT_EQ(util_bin(100000), 1);
  EXPECT_EQ(util_bin(100001), 2);
  EXPECT_EQ(util_bin(1000000), 10);
  EXPECT_EQ(util_bin(1000001), 11);
}

}  // namespace
