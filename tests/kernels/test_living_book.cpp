// The living book in the customer-month step (kernels/model.hpp): an applicant's approval, initial line
// and first month; an attriting account's run-off; the seasoning curve. Hand-computed, in cents.
#include "tests/kernels/step_fixture.hpp"

namespace model_test {
namespace {

using LivingBook = StepFixture;

// An applicant arriving in month 3 with the fixture's customer (score 720, income 10,000.00).
Customer applicant(Customer c, int arrival) {
  c.applicant = true;
  c.arrival = arrival;
  c.months_on_book = 0;
  c.demand = 0.5;
  c.pool_rank = 0.375f;  // exact in float, as the kernel stores these
  c.dti = 0.25f;
  return c;
}

TEST_F(LivingBook, ApprovalRuleByHand) {
  pp.approve_min_score = 0.0;
  pp.approve_max_dti = 0.0;
  pp.approve_share = 1.0;
  const Customer a = applicant(c, 3);
  EXPECT_TRUE(applicant_approved(pp, a));
  pp.approve_min_score = 720.0;  // at the minimum: approved
  EXPECT_TRUE(applicant_approved(pp, a));
  pp.approve_min_score = 720.5;
  EXPECT_FALSE(applicant_approved(pp, a));
  pp.approve_min_score = 0.0;
  pp.approve_max_dti = 0.25;  // debt-to-income 0.25 at the maximum: approved
  EXPECT_TRUE(applicant_approved(pp, a));
  pp.approve_max_dti = 0.24;
  EXPECT_FALSE(applicant_approved(pp, a));
  pp.approve_max_dti = 0.0;
  pp.approve_share = 0.375;  // 37.5% of the pool ranks above it: outside a 37.5% share
  EXPECT_FALSE(applicant_approved(pp, a));
  pp.approve_share = 0.38;
  EXPECT_TRUE(applicant_approved(pp, a));
  // A scenario's approval multiplier tightens the share: 0.38 x 0.98 = 0.3724 < 0.375.
  EXPECT_FALSE(applicant_approved(pp, a, 0.98));
  pp.approve_share = 1.0;
  EXPECT_TRUE(applicant_approved(pp, a, 0.38));
  EXPECT_FALSE(applicant_approved(pp, a, 0.375));
  // Present under the scenario only when its demand is below the month's applicant_multiplier.
  months[3].applicant_mult = 0.5;
  EXPECT_FALSE(applicant_present(view(), a));
  months[3].applicant_mult = 0.51;
  EXPECT_TRUE(applicant_present(view(), a));
}

TEST_F(LivingBook, ApplicantOpensInItsArrivalMonthWithTheInitialLine) {
  pp.approve_share = 1.0;
  const Customer a = applicant(c, 3);
  s = init_state(view(), a);
  // Closed until it arrives; its line is the policy's for a new account: band 720 >= 700, income 10,000.00 x 2
  // = 20,000.00, within [1,000.00, 20,000.00].
  EXPECT_FALSE(s.open);
  EXPECT_EQ(s.limit, 2000000);
  EXPECT_EQ(s.balance, 0);
  EXPECT_EQ(s.months_on_book, 0);
  EXPECT_EQ(first_month(a), 3);
  // Its first month: uses the card (u 0.2 < activity 0.5): spend = income x propensity / activity
  // = 10,000.00 x 0.3 / 0.5 = 6,000.00 (sigma 0, elasticity 0); nothing due, so no payment or interest.
  d.u[kDrawActive] = 0.2;
  const MonthOutcome o = customer_month(view(), a, s, 3, d, 0.0);
  EXPECT_TRUE(o.applicant);
  EXPECT_TRUE(o.opened);
  EXPECT_TRUE(o.was_open);
  EXPECT_TRUE(o.active);
  EXPECT_EQ(o.spend, 600000);
  EXPECT_EQ(o.payment, 0);
  EXPECT_EQ(o.interest, 0);
  EXPECT_EQ(o.balance, 600000);
  EXPECT_EQ(o.limit, 2000000);
  EXPECT_EQ(s.months_on_book, 1);
}

TEST_F(LivingBook, RejectedOrAbsentApplicantLeavesNothing) {
  const Customer a = applicant(c, 2);
  pp.approve_share = 0.0;  // approves nobody
  s = init_state(view(), a);
  MonthOutcome o = customer_month(view(), a, s, 2, d, 0.0);
  EXPECT_TRUE(o.applicant);  // it applied ...
  EXPECT_FALSE(o.opened);    // ... and was turned down
  EXPECT_FALSE(o.was_open);
  EXPECT_FALSE(o.active);
  EXPECT_EQ(o.spend, 0);
  EXPECT_FALSE(s.open);
  pp.approve_share = 1.0;
  months[2].applicant_mult = 0.25;  // demand 0.5: this scenario's volume leaves it out
  s = init_state(view(), a);
  o = customer_month(view(), a, s, 2, d, 0.0);
  EXPECT_FALSE(o.applicant);
  EXPECT_FALSE(o.opened);
  EXPECT_FALSE(s.open);
}

// Attrition with run-off: the account stops purchasing, pays as usual, and closes when the balance reaches 0.
TEST_F(LivingBook, RunOffAfterAttritionByHand) {
  bp.attrition_rate = 1.0;  // leaves this month
  bp.attrition_runoff = 1;
  c.transactor = false;
  s = account(100000, 500000, 0, 12);  // owes 1,000.00
  d.u[kDrawPayRatio] = 0.0;           // a revolver paying the minimum: share u^gamma = 0
  d.u[kDrawActive] = 0.2;             // would use the card
  MonthOutcome o = step();
  // Month 1: minimum 10% of 1,000.00 = 100.00 (floor 50.00); 900.00 revolved at 1% = 9.00 interest; before
  // leaving (spending comes before attrition) it spends up to its line: 6,000.00 wanted, 4,091.00 available.
  EXPECT_TRUE(o.attrited);
  EXPECT_TRUE(o.active);
  EXPECT_TRUE(o.runoff);
  EXPECT_EQ(o.payment, 10000);
  EXPECT_EQ(o.interest, 900);
  EXPECT_EQ(o.spend, 409100);
  EXPECT_EQ(o.balance, 500000);
  EXPECT_EQ(o.limit_increase + o.limit_decrease, 0);
  // Month 2: no purchase although the card would be used; minimum 500.00; 4,500.00 revolved at 1% = 45.00.
  o = step(1);
  EXPECT_FALSE(o.attrited);  // counted once, when it left
  EXPECT_TRUE(o.runoff);
  EXPECT_TRUE(o.active);
  EXPECT_EQ(o.spend, 0);
  EXPECT_EQ(o.draws, 0);
  EXPECT_EQ(o.payment, 50000);
  EXPECT_EQ(o.interest, 4500);
  EXPECT_EQ(o.balance, 454500);
  // Paying it all off closes the account at that month end.
  c.transactor = true;
  o = step(2);
  EXPECT_EQ(o.payment, 454500);
  EXPECT_EQ(o.spend, 0);
  EXPECT_FALSE(o.active);
  EXPECT_FALSE(s.open);
  EXPECT_EQ(s.balance, 0);
}

TEST_F(LivingBook, PayOffAttritionClosesAtOnce) {
  bp.attrition_rate = 1.0;
  bp.attrition_runoff = 0;
  s = account(100000, 500000, 0, 12);
  d.u[kDrawPayRatio] = 0.0;
  const MonthOutcome o = step();
  EXPECT_TRUE(o.attrited);
  EXPECT_FALSE(o.active);
  EXPECT_FALSE(o.runoff);
  EXPECT_EQ(o.payment, 10000 + 90900);  // the minimum, then the rest on closing
  EXPECT_FALSE(s.open);
}

// Seasoning multiplies the miss probability by months on book: 2% x 3 = 6% at 0 months on book.
TEST_F(LivingBook, SeasoningMultipliesTheMissProbability) {
  bp.n_seasoning = 3;
  bp.seasoning[0] = 3.0;
  bp.seasoning[1] = 2.0;
  bp.seasoning[2] = 0.5;  // and after
  EXPECT_EQ(seasoning_mult(bp, 0), 3.0);
  EXPECT_EQ(seasoning_mult(bp, 1), 2.0);
  EXPECT_EQ(seasoning_mult(bp, 2), 0.5);
  EXPECT_EQ(seasoning_mult(bp, 40), 0.5);
  bp.miss_beta_util = 0.0;
  s = account(100000, 500000, 0, 12);  // 12 months on book: x 0.5 -> 1%
  d.u[kDrawDelinquency] = 0.0105;
  EXPECT_FALSE(step().missed);
  s = account(100000, 500000, 0, 12);
  d.u[kDrawDelinquency] = 0.0095;
  EXPECT_TRUE(step().missed);
  s = account(100000, 500000, 0, 12);
  s.months_on_book = 0;  // x 3 -> 6%
  d.u[kDrawDelinquency] = 0.0595;
  EXPECT_TRUE(step().missed);
  bp.n_seasoning = 0;  // off: x 1
  EXPECT_EQ(seasoning_mult(bp, 0), 1.0);
}

}  // namespace
}  // namespace model_test
