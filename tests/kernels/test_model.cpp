// The customer-month step (kernels/model.hpp) against hand-computed transitions: spending, payments, delinquency,
// charge-off, attrition, the initial line, and the scenario's income shocks and LGD (the policy levers are in
// test_policy_levers.cpp). Draws are set by hand; amounts are in cents.
#include <gtest/gtest.h>

#include "tests/kernels/step_fixture.hpp"

using namespace limitsim;

namespace {

using namespace model_test;

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
