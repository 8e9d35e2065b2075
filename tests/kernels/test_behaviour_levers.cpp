// The behaviour levers of issue 14 in the customer-month step (kernels/model.hpp), against hand-computed
// transitions: authorisation declines, partial cures, charge-off reversals, recoveries along a curve, the
// borrowing response to line increases, and the correlation horizon. Every lever is off in the fixture
// (a zero-initialised BehaviourParams), as in a behaviour that switches them off. Amounts are in cents.
#include <gtest/gtest.h>

#include <cmath>

#include "tests/kernels/step_fixture.hpp"

using namespace limitsim;

namespace {

using namespace model_test;

// ---------------------------------------------------------------- authorisation

TEST_F(StepFixture, AuthorisationDeclinesPurchasesOnPastDueAccountsWhateverThePolicy) {
  d.u[kDrawDelinquency] = 0.01;  // a miss: 1000.00 + interest 10.00 + fee 25.00 = 1035.00, now 1-30 DPD
  d.u[kDrawActive] = 0.1;        // the card is used: desired 6000.00, capped by the available line
  MonthOutcome o = step();       // no decline (decline_bucket 0), no policy freeze
  EXPECT_EQ(o.spend, 500000 - 103500);
  EXPECT_FALSE(o.declined);

  bp.decline_bucket = 1;  // any amount past due
  s = account(100000, 500000, 0, 12);
  o = step();
  EXPECT_EQ(o.bucket, 1);
  EXPECT_EQ(o.spend, 0);
  EXPECT_EQ(o.draws, 0);
  EXPECT_TRUE(o.declined);
  EXPECT_FALSE(o.frozen);  // not a policy freeze: the line is not frozen
  EXPECT_EQ(s.balance, 103500);

  bp.decline_bucket = 2;  // 31-60 DPD or worse: a first miss still spends
  s = account(100000, 500000, 0, 12);
  EXPECT_EQ(step().spend, 500000 - 103500);

  // A delinquent account that cures this month is current again, so its purchases go through.
  bp.decline_bucket = 1;
  s = account(100000, 500000, 2, 0);
  d.u[kDrawDelinquency] = 0.9;  // no roll
  d.u[kDrawCure] = 0.5;         // < cure share 0.3 / 0.5
  d.u[kDrawPayRatio] = 1e-9;
  o = step();
  EXPECT_EQ(o.bucket, 0);
  EXPECT_EQ(o.payment, 30000);                         // 3 x the 100.00 minimum clears the arrears
  EXPECT_EQ(o.spend, 500000 - (100000 - 30000 + 700));  // revolved 700.00 at 1% = 7.00
  EXPECT_FALSE(o.declined);
  // One that stays delinquent does not.
  s = account(100000, 500000, 2, 0);
  d.u[kDrawCure] = 0.95;
  o = step();
  EXPECT_EQ(o.bucket, 2);
  EXPECT_EQ(o.spend, 0);
  EXPECT_TRUE(o.declined);
}

// ---------------------------------------------------------------- partial cures

TEST_F(StepFixture, PartialCuresMoveBackOneOrTwoBucketsAndPayThoseMonthsOfArrears) {
  bp.partial_cure[2] = 0.1;
  bp.partial_cure[3] = 0.1;
  bp.partial_cure_two[3] = 0.1;
  d.u[kDrawDelinquency] = 0.9;  // no roll (roll 0.5)
  // 31-60 DPD: given no roll, cure below 0.3 / 0.5 = 0.6, back one below 0.4 / 0.5 = 0.8, else stay.
  s = account(100000, 500000, 2, 0);
  d.u[kDrawCure] = 0.7;
  MonthOutcome o = step();
  EXPECT_EQ(o.bucket, 1);
  EXPECT_TRUE(o.partial_cure);
  EXPECT_FALSE(o.missed);
  EXPECT_EQ(o.payment, 20000);  // this month's 100.00 minimum and one month of arrears
  EXPECT_EQ(o.fees, 0);
  EXPECT_EQ(s.months_current, 0);
  s = account(100000, 500000, 2, 0);
  d.u[kDrawCure] = 0.85;
  o = step();
  EXPECT_EQ(o.bucket, 2);
  EXPECT_FALSE(o.partial_cure);
  EXPECT_EQ(o.payment, 10000);
  // 61-90 DPD: cure below 0.6, back one below 0.8, back two below 1.0.
  s = account(100000, 500000, 3, 0);
  d.u[kDrawCure] = 0.9;
  o = step();
  EXPECT_EQ(o.bucket, 1);
  EXPECT_EQ(o.payment, 30000);  // the minimum and two months of arrears
  s = account(100000, 500000, 3, 0);
  d.u[kDrawCure] = 0.75;
  EXPECT_EQ(step().bucket, 2);
  // The payment is capped at the amount due.
  s = account(25000, 500000, 3, 0);  // min due = 50.00 (the floor): 3 x 50.00
  d.u[kDrawCure] = 0.9;
  EXPECT_EQ(step().payment, 15000);
  s = account(12000, 500000, 3, 0);  // min due = min(120.00, 50.00) = 50.00; 3 x 50.00 capped at 120.00
  EXPECT_EQ(step().payment, 12000);
}

// ---------------------------------------------------------------- charge-off accounting

TEST_F(StepFixture, ChargeOffReversesTheLastMonthsInterestAndFeesAndChargesOffTheRest) {
  bp.reversal_months = 3;
  s = account(300000, 500000, 6, 0);
  s.accrued.push(2000);  // three months ago: 20.00
  s.accrued.push(3000);  // two months ago
  s.accrued.push(4000);  // last month
  d.u[kDrawDelinquency] = 0.4;  // < roll 0.5: charged off
  MonthOutcome o = step();
  ASSERT_TRUE(o.charged_off);
  // Balance 3000.00 + interest 30.00 + fee 25.00 = 3055.00. Reversed: this month's 55.00 and the last two
  // months' 40.00 + 30.00 (three months in all); the 20.00 of three months ago stays charged off.
  EXPECT_EQ(o.reversal, 12500);
  EXPECT_EQ(o.chargeoff_exposure, 305500 - 12500);   // the gross charge-off
  EXPECT_EQ(o.chargeoff_loss, 234400);               // x LGD 0.8
  EXPECT_EQ(o.chargeoff_recovery, 293000 - 234400);  // charge-off = loss + eventual recovery
  EXPECT_EQ(o.recovery, o.chargeoff_recovery);       // no curve: collected in the charge-off month
  EXPECT_EQ(o.interest, 3000);                        // revenue is reported gross; the reversal nets it
  EXPECT_EQ(o.fees, 2500);

  // The reversal never exceeds the balance: 10.00 + 0.10 + 25.00 = 35.10 < 35.10 + 70.00 accrued.
  s = account(1000, 500000, 6, 0);
  s.accrued.push(3000);
  s.accrued.push(4000);
  o = step();
  EXPECT_EQ(o.reversal, 3510);
  EXPECT_EQ(o.chargeoff_exposure, 0);
  EXPECT_EQ(o.chargeoff_loss + o.chargeoff_recovery, 0);

  // Without reversal_months nothing is reversed.
  bp.reversal_months = 0;
  s = account(300000, 500000, 6, 0);
  s.accrued.push(4000);
  o = step();
  EXPECT_EQ(o.reversal, 0);
  EXPECT_EQ(o.chargeoff_exposure, 305500);
}

TEST_F(StepFixture, TheMonthlyHistoryOfInterestAndFeesIsKept) {
  d.u[kDrawDelinquency] = 0.01;  // a miss: interest 10.00, fee 25.00
  step();
  EXPECT_EQ(s.accrued.sum(1), 3500u);
  d.u[kDrawDelinquency] = 0.9;   // a stay at 1-30: pays the minimum 103.50, interest on 931.50 = 9.32
  d.u[kDrawCure] = 0.9;
  step(1);
  EXPECT_EQ(s.accrued.sum(1), 932u);
  EXPECT_EQ(s.accrued.sum(2), 932u + 3500u);
}

TEST_F(StepFixture, RecoveriesArriveAlongTheCurveAndAddUpToTheBookedRecovery) {
  // A third of the recovery in each of the three months after the charge-off month, none in it.
  bp.recovery_months = 4;
  const double cum[] = {0.0, 1.0 / 3.0, 2.0 / 3.0, 1.0};
  for (int k = 0; k < 4; ++k) bp.recovery_cum[k] = cum[k];
  s = account(300000, 500000, 6, 0);
  d.u[kDrawDelinquency] = 0.4;
  std::int64_t row[kNumMetrics] = {};
  RowSink sink{row};
  MonthOutcome o = step(0);
  accumulate(o, sink);
  ASSERT_TRUE(o.charged_off);
  EXPECT_EQ(o.chargeoff_recovery, 61100);  // 3055.00 - 2444.00
  EXPECT_EQ(o.recovery, 0);
  const std::int64_t expect[] = {20367, 20366, 20367};  // round(611.00 / 3), round(2 x 611.00 / 3) - 203.67, the rest
  for (int k = 0; k < 3; ++k) {
    o = step(k + 1);
    EXPECT_FALSE(o.was_open);
    EXPECT_EQ(o.recovery, expect[k]) << "month " << k + 1 << " after the charge-off";
    accumulate(o, sink);
  }
  EXPECT_EQ(s.recovery_total, 0);
  EXPECT_EQ(step(4).recovery, 0);  // collected in full
  // The reducer books the eventual recovery in the charge-off month and the collections as they come,
  // and exposure = loss + eventual recovery = loss + everything collected.
  EXPECT_EQ(row[kChargeoffRecovery], 61100);
  EXPECT_EQ(row[kRecovery], 61100);
  EXPECT_EQ(row[kChargeoffExposure], row[kChargeoffLoss] + row[kRecovery]);
  EXPECT_EQ(row[kChargeoffCount], 1);
  EXPECT_EQ(row[kActive], 0);
}

// ---------------------------------------------------------------- borrowing response

TEST_F(StepFixture, ALineIncreaseIsBorrowedByTheCustomersScoreBand) {
  bp.n_mpb_bands = 2;
  bp.mpb_score_min[0] = 700; bp.mpb[0] = 0.1;
  bp.mpb_score_min[1] = 350; bp.mpb[1] = 0.6;
  c.score = 650;                                // the low band: 60% of new credit is borrowed
  s = account(100000, 500000, 0, 12);
  s.open_limit = 300000;                        // the line has grown by 2000.00 since the run started
  MonthOutcome o = step();                      // the card is not used this month (u0 = 0.9)
  // Pays 100.00 + 900.00 x 0.5^2 = 325.00; 675.00 revolved earns 6.75; then borrows 0.6 x 2000.00.
  EXPECT_EQ(o.payment, 32500);
  EXPECT_EQ(o.spend, 120000);
  EXPECT_EQ(o.draws, 1);
  EXPECT_EQ(s.borrowed, 120000);
  EXPECT_EQ(s.balance, 100000 - 32500 + 675 + 120000);
  // Next month the minimum (188.18 of 1881.75) repays 10% of what was borrowed: it borrows that back.
  d.u[kDrawPayRatio] = 1e-9;
  o = step(1);
  EXPECT_NEAR(o.payment, 18818, 1);  // 10% of 1881.75
  const std::int64_t carried = llround(120000.0 * (188175.0 - o.payment) / 188175.0);
  EXPECT_EQ(carried, 108000);
  EXPECT_EQ(o.spend, 120000 - carried);
  EXPECT_EQ(s.borrowed, 120000);

  // A transactor repays in full every month and borrows the whole response again.
  c.transactor = true;
  s = account(100000, 500000, 0, 12);
  s.open_limit = 300000;
  o = step();
  EXPECT_EQ(o.payment, 100000);
  EXPECT_EQ(o.spend, 120000);

  // The high band borrows 10%; no increase since the start, nothing; a declined account, nothing.
  c.score = 720;
  s = account(100000, 500000, 0, 12);
  s.open_limit = 300000;
  EXPECT_EQ(step().spend, 20000);
  s = account(100000, 500000, 0, 12);
  EXPECT_EQ(step().spend, 0);
  bp.decline_bucket = 1;
  s = account(100000, 500000, 0, 12);
  s.open_limit = 300000;
  d.u[kDrawDelinquency] = 0.01;
  EXPECT_EQ(step().spend, 0);
}

// ---------------------------------------------------------------- correlation horizon

TEST(CorrelationHorizon, OneMonthIsTheMonthlyCopula) {
  for (const double p : {0.003, 0.02, 0.45})
    for (const double z : {-2.5, -0.3, 1.7})
      for (const double u : {1e-4, 0.01, 0.3, 0.5, 0.9}) {
        const bool monthly = std::sqrt(0.04) * z + std::sqrt(0.96) * norm_inv(u) < norm_inv(p);
        EXPECT_EQ(copula_event(u, p, z, 0.04, 1), monthly) << p << " " << z << " " << u;
        EXPECT_EQ(copula_event(u, p, z, 0.04), monthly);
        EXPECT_EQ(copula_event(u, p, z, 0.0, 12), u < p);  // no correlation: no factor
      }
}

TEST(CorrelationHorizon, TheTwelveMonthProbabilityFollowsVasicekAndKeepsItsMean) {
  // Annual PD 4% as a constant monthly hazard; given the factor held for the year, the annual PD is
  // Vasicek's Phi((Phi^-1(0.04) - sqrt(rho) z) / sqrt(1 - rho)): 12.38% at the 99.9% factor (z = -3.0902).
  const double pd = 0.04, rho = 0.04, pm = 1.0 - std::pow(1.0 - pd, 1.0 / 12.0);
  for (const double z : {-3.0902, -1.0, 0.0, 2.0}) {
    const double annual = 1.0 - std::pow(1.0 - horizon_conditional(pm, z, rho, 12), 12.0);
    const double vasicek = norm_cdf((norm_inv(pd) - std::sqrt(rho) * z) / std::sqrt(1.0 - rho));
    EXPECT_NEAR(annual, vasicek, 1e-11) << z;
  }
  EXPECT_NEAR(1.0 - std::pow(1.0 - horizon_conditional(pm, -3.0902, rho, 12), 12.0), 0.12382, 5e-5);
  // Its mean over the factor is the annual PD: integrate the annual survival against phi(z).
  for (const double p : {0.003, 0.03, 0.45}) {
    double mean = 0.0;
    const double h = 1e-3;
    for (double z = -9.0; z <= 9.0; z += h)
      mean += std::pow(1.0 - horizon_conditional(p, z, 0.04, 12), 12.0) * std::exp(-0.5 * z * z) * h;
    mean /= std::sqrt(2.0 * M_PI);
    EXPECT_NEAR(mean, std::pow(1.0 - p, 12.0), 1e-9) << p;
  }
}

}  // namespace
