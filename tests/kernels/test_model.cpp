// The customer-month step against hand-computed transitions. Draws are set by
// hand; amounts are in cents.
#include <gtest/gtest.h>

#include "kernels/metrics.hpp"
#include "kernels/model.hpp"
#include "kernels/reduce.hpp"

using namespace limitsim;

namespace {

// A fixture with round numbers: rho 0 (so an event happens iff u < p),
// min payment 10% with a 50.00 floor, APR 12% (1% a month), late fee 25.00.
struct StepFixture : ::testing::Test {
  BehaviourParams bp{};
  PolicyParams pp{};
  ScenarioMonth sc{0.0, 1.0, 1.0, 1.0, 0.0, 0.0, 1.0, 6};
  ScenarioMonth months[12];
  Customer c{};
  AccountState s{};
  MonthDraws d{};

  void SetUp() override {
    bp.spend_sigma = 0.0;
    bp.min_payment_rate = 0.10;
    bp.min_payment_floor = 5000;
    bp.apr = 0.12;
    bp.late_fee = 2500;
    bp.miss_intercept = logit(0.02);
    bp.util_ref = 0.5;
    for (int b = 1; b < kMaxBuckets; ++b) { bp.roll[b] = 0.5; bp.cure[b] = 0.3; }
    bp.chargeoff_bucket = 6;
    bp.rho = 0.0;
    bp.lgd_mode = LgdMode::kFixed;
    bp.lgd = 0.8;
    bp.attrition_rate = 0.01;
    pp.n_bands = 2;
    pp.band_score_min[0] = 700; pp.band_income_multiple[0] = 2.0; pp.band_floor[0] = 100000; pp.band_cap[0] = 2000000;
    pp.band_score_min[1] = 350; pp.band_income_multiple[1] = 0.5; pp.band_floor[1] = 50000; pp.band_cap[1] = 300000;
    pp.line_rounding = 10000;
    pp.max_limit = 5000000;
    for (auto& m : months) m = sc;
    c.id = 1; c.score = 720; c.income = 1000000; c.spend_propensity = 0.3; c.activity = 0.5;
    c.revolve_shape = 2.0; c.risk = 0.0; c.transactor = false; c.months_on_book = 12;
    pp.review_lookback = 3;
    pp.decrease_cooldown_months = 3;
    s = account(100000, 500000, 0, 12);
    for (double& u : d.u) u = 0.5;
    d.u[kDrawActive] = 0.9;       // card not used (activity 0.5)
    d.u[kDrawDelinquency] = 0.9;  // no miss, no roll
    d.u[kDrawAttrition] = 0.9;    // stays
  }
  ModelView view() {
    ModelView mv{};
    mv.behaviour = bp; mv.policy = pp; mv.scenario = months; mv.months = 12; mv.paths_total = 1; mv.factors = 1;
    return mv;
  }
  MonthOutcome step(int month = 0) { return step_month(view(), c, s, month, d, 0.0); }
  // An open account on book 12 months, with no missed payment, increase or
  // decrease in memory and no utilization or draw history.
  static AccountState account(std::int64_t balance, std::int64_t limit, std::int32_t bucket,
                              std::int32_t months_current) {
    AccountState a{};
    a.balance = balance; a.limit = limit; a.open_limit = limit; a.bucket = bucket;
    a.months_current = months_current; a.months_on_book = 12;
    a.since_missed = bucket > 0 ? 0 : 1000; a.since_increase = 1000; a.since_decrease = 1000;
    a.util_bp.fill(0); a.draws.fill(0); a.history_months = 0;
    a.open = true;
    return a;
  }
};

TEST_F(StepFixture, TransactorPaysInFullWithoutInterestAndSpendIsCappedByTheLine) {
  c.transactor = true;
  d.u[kDrawActive] = 0.1;  // used: desired = 10000.00 * 0.3 / 0.5 = 6000.00 > line 5000.00
  const MonthOutcome o = step();
  EXPECT_EQ(o.payment, 100000);
  EXPECT_EQ(o.interest, 0);
  EXPECT_EQ(o.spend, 500000);  // available = 5000.00 - 0
  EXPECT_EQ(s.balance, 500000);
  EXPECT_EQ(o.util_ppm, 1000000);
  EXPECT_EQ(s.bucket, 0);
}

TEST_F(StepFixture, SpendBelowTheLineIsTheDesiredAmount) {
  c.transactor = true;
  c.spend_propensity = 0.05;  // desired 10000.00 * 0.05 / 0.5 = 1000.00
  d.u[kDrawActive] = 0.1;
  EXPECT_EQ(step().spend, 100000);
}

TEST_F(StepFixture, RevolverPaysBetweenMinimumAndFullAndAccruesInterest) {
  d.u[kDrawPayRatio] = 0.25;  // share = 0.25^2 = 0.0625
  const MonthOutcome o = step();
  // min due = max(50.00, 10% of 1000.00) = 100.00; pay = 100.00 + 900.00 * 0.0625 = 156.25
  EXPECT_EQ(o.payment, 15625);
  // revolved 843.75 at 1% a month = 8.4375 -> 8.44
  EXPECT_EQ(o.interest, 844);
  EXPECT_EQ(s.balance, 100000 - 15625 + 844);
  EXPECT_FALSE(o.missed);
}

TEST_F(StepFixture, MinimumPaymentFloorApplies) {
  s.balance = 20000;          // 200.00: 10% = 20.00 < floor 50.00
  d.u[kDrawPayRatio] = 1e-9;  // pays the minimum
  EXPECT_EQ(step().payment, 5000);
}

TEST_F(StepFixture, MissChargesLateFeeAndInterestAndMovesToBucketOne) {
  d.u[kDrawDelinquency] = 0.01;  // < 0.02 at risk 0 and util 0.2? util 0.2 < ref: p = logistic(logit(.02) + 0) with beta 0
  const MonthOutcome o = step();
  EXPECT_TRUE(o.missed);
  EXPECT_EQ(o.payment, 0);
  EXPECT_EQ(o.fees, 2500);
  EXPECT_EQ(o.interest, 1000);  // 1% of 1000.00
  EXPECT_EQ(s.bucket, 1);
  EXPECT_EQ(s.balance, 100000 + 1000 + 2500);
  EXPECT_EQ(s.months_current, 0);
}

TEST_F(StepFixture, MissProbabilityRisesWithUtilization) {
  bp.miss_beta_util = 2.0;
  s.balance = 500000;  // util 1.0: p = logistic(logit(0.02) + 2 * 0.5) = 0.0525
  d.u[kDrawDelinquency] = 0.05;
  EXPECT_TRUE(step().missed);
  s = account(100000, 500000, 0, 12);  // util 0.2: p = logistic(logit(.02) - 0.6) = 0.0110
  d.u[kDrawDelinquency] = 0.012;
  EXPECT_FALSE(step().missed);
}

TEST_F(StepFixture, RollForwardThenChargeOffAtTheConfiguredBucket) {
  s.bucket = 6;
  s.balance = 300000;
  d.u[kDrawDelinquency] = 0.4;  // < roll 0.5
  const MonthOutcome o = step();
  EXPECT_TRUE(o.charged_off);
  // exposure = 3000.00 + interest 30.00 + fee 25.00
  EXPECT_EQ(o.chargeoff_exposure, 305500);
  EXPECT_EQ(o.chargeoff_loss, 244400);  // x LGD 0.8
  EXPECT_EQ(o.chargeoff_recovery, 61100);
  EXPECT_EQ(o.spend, 0);
  EXPECT_FALSE(s.open);
  EXPECT_FALSE(o.active);

  bp.chargeoff_bucket = 3;  // charge off past 90 DPD: bucket 3 rolling closes the account
  s = account(300000, 500000, 3, 0);
  EXPECT_TRUE(step().charged_off);
  s = account(300000, 500000, 2, 0);
  EXPECT_FALSE(step().charged_off);
  EXPECT_EQ(s.bucket, 3);
}

TEST_F(StepFixture, CurePaysTheArrearsAndReturnsToCurrent) {
  s.bucket = 2;
  d.u[kDrawCure] = 0.5;           // cure share = 0.3 / (1 - 0.5) = 0.6
  d.u[kDrawPayRatio] = 1e-9;      // the revolver rule alone would pay the minimum
  const MonthOutcome o = step();
  EXPECT_EQ(s.bucket, 0);
  EXPECT_EQ(o.payment, 30000);    // (b + 1) x min due = 3 x 100.00
  EXPECT_EQ(o.fees, 0);
}

TEST_F(StepFixture, StayPaysTheMinimumAndKeepsTheBucket) {
  s.bucket = 2;
  d.u[kDrawCure] = 0.7;  // > 0.6
  const MonthOutcome o = step();
  EXPECT_EQ(s.bucket, 2);
  EXPECT_EQ(o.payment, 10000);
  EXPECT_EQ(o.fees, 0);
  EXPECT_FALSE(o.missed);
}

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

TEST_F(StepFixture, AttritionPaysOffAndCloses) {
  d.u[kDrawAttrition] = 0.005;  // < 1%
  c.transactor = true;
  const MonthOutcome o = step();
  EXPECT_TRUE(o.attrited);
  EXPECT_FALSE(s.open);
  EXPECT_EQ(o.payment, 100000);
}

TEST_F(StepFixture, ClosedAccountsDoNothing) {
  s.open = false;
  const MonthOutcome o = step();
  EXPECT_FALSE(o.was_open);
  EXPECT_FALSE(o.active);
}

TEST_F(StepFixture, InitialLineByScoreBandAndIncome) {
  c.months_on_book = 0;
  c.score = 720;  // band 0: 10000.00 x 2 = 20000.00
  EXPECT_EQ(init_state(view(), c).limit, 2000000);
  c.score = 650;  // band 1: 10000.00 x 0.5 = 5000.00 -> capped at 3000.00
  EXPECT_EQ(init_state(view(), c).limit, 300000);
  c.income = 50000;  // 500.00 x 0.5 = 250.00 -> floor 500.00
  EXPECT_EQ(init_state(view(), c).limit, 50000);
  c.income = 1234567;  // 12345.67 x 0.5 = 6172.84 -> rounded down to 100.00 -> capped 3000.00
  pp.band_cap[1] = 10000000;
  EXPECT_EQ(init_state(view(), c).limit, 610000);
  EXPECT_EQ(init_state(view(), c).balance, 0);
}

TEST_F(StepFixture, CopulaEventConditionalProbability) {
  // With rho > 0 the event is sqrt(rho) z + sqrt(1-rho) eps < Phi^-1(p).
  const double rho = 0.04, p = 0.02, z = -2.0;
  const double pc = norm_cdf((norm_inv(p) - std::sqrt(rho) * z) / std::sqrt(1 - rho));
  EXPECT_TRUE(copula_event(pc * 0.999, p, z, rho));
  EXPECT_FALSE(copula_event(pc * 1.001, p, z, rho));
  EXPECT_GT(pc, p);  // a bad factor raises the conditional probability
}

// ------------------------------------------------------------ policy levers

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

// ------------------------------------------------------------ scenario: income shocks and LGD

TEST_F(StepFixture, IncomeShockStartsOnItsDrawLastsItsMonthsAndCutsSpending) {
  bp.income_shock_beta = 3.0;
  c.transactor = true;
  for (auto& m : months) { m.shock_prob = 0.2; m.shock_size = 0.5; m.shock_months = 2; }
  d.u[kDrawActive] = 0.1;        // card used: desired = 10000.00 x 0.3 / 0.5 = 6000.00 before the shock
  d.u[kDrawIncomeShock] = 0.1;   // < 0.2: a shock starts
  MonthOutcome o = step(0);
  EXPECT_TRUE(o.shock_start);
  EXPECT_TRUE(o.shocked);
  EXPECT_EQ(o.payment, 100000);  // transactor pays the 1000.00 statement
  EXPECT_EQ(o.spend, 300000);    // 6000.00 x (1 - 0.5), under the 5000.00 line
  EXPECT_EQ(s.shock_left, 1);
  // Month 2: still shocked although the draw would not start one; no second start.
  d.u[kDrawIncomeShock] = 0.05;
  o = step(1);
  EXPECT_FALSE(o.shock_start);
  EXPECT_TRUE(o.shocked);
  EXPECT_EQ(s.shock_left, 0);
  // Month 3: the shock is over; a draw above the probability starts none.
  d.u[kDrawIncomeShock] = 0.9;
  o = step(2);
  EXPECT_FALSE(o.shocked);
  // The full desired 6000.00 again, so spending fills the 5000.00 line (half of it, 3000.00, would not).
  EXPECT_EQ(s.balance, 500000);
}

TEST_F(StepFixture, IncomeShockRaisesTheMissOddsByBetaTimesSize) {
  bp.income_shock_beta = 3.0;
  months[0].shock_prob = 1.0;
  months[0].shock_size = 0.5;
  months[0].shock_months = 1;
  // p = logistic(logit(0.02) + 3 x 0.5) = 1 / (1 + 49 e^-1.5) = 0.083803
  d.u[kDrawDelinquency] = 0.0837;
  EXPECT_TRUE(step().missed);
  SetUp();
  bp.income_shock_beta = 3.0;
  months[0].shock_prob = 1.0;
  months[0].shock_size = 0.5;
  months[0].shock_months = 1;
  d.u[kDrawDelinquency] = 0.0839;
  EXPECT_FALSE(step().missed);
  SetUp();  // and without the shock the same draw is far from a miss (p = 0.02)
  d.u[kDrawDelinquency] = 0.0837;
  EXPECT_FALSE(step().missed);
}

TEST_F(StepFixture, IncomeShockRaisesTheRollOdds) {
  bp.income_shock_beta = 2.0;
  months[0].shock_prob = 1.0;
  months[0].shock_size = 0.25;
  s.bucket = 2;
  s.balance = 300000;
  // roll 0.5 -> logistic(0 + 2 x 0.25) = 0.622459
  d.u[kDrawDelinquency] = 0.62;
  EXPECT_TRUE(step().missed);
  EXPECT_EQ(s.bucket, 3);
}

TEST_F(StepFixture, LgdMultiplierScalesTheLossAndIsCappedAtOne) {
  s.bucket = 6;
  s.balance = 300000;
  d.u[kDrawDelinquency] = 0.4;
  months[0].lgd_mult = 0.5;  // LGD 0.8 x 0.5 = 0.4 of the 3055.00 exposure
  MonthOutcome o = step();
  EXPECT_EQ(o.chargeoff_exposure, 305500);
  EXPECT_EQ(o.chargeoff_loss, 122200);
  EXPECT_EQ(o.chargeoff_recovery, 183300);
  SetUp();
  s.bucket = 6;
  s.balance = 300000;
  d.u[kDrawDelinquency] = 0.4;
  months[0].lgd_mult = 1.5;  // 0.8 x 1.5 = 1.2, capped at 1: no recovery
  o = step();
  EXPECT_EQ(o.chargeoff_loss, 305500);
  EXPECT_EQ(o.chargeoff_recovery, 0);
}

}  // namespace
