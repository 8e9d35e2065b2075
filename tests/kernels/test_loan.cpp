// The cash-loan arithmetic (kernels/loan.hpp): amortisation schedules worked by hand for both methods,
// prepayment, a missed instalment's roll and cure, charge-off, the draws of a new loan, and the exact
// identity principal disbursed = repaid + prepaid + charged off + outstanding over simulated schedules.
// Amounts are in cents.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "kernels/loan.hpp"
#include "kernels/rng.hpp"

namespace {

using namespace limitsim;

LoanParams params(double daily_rate, Amortisation method) {
  LoanParams p{};
  p.daily_rate = daily_rate;
  p.amortisation = method;
  p.n_terms = 3;
  p.terms[0] = 3; p.terms[1] = 6; p.terms[2] = 12;
  p.term_cum[0] = 0.2; p.term_cum[1] = 0.5; p.term_cum[2] = 1.0;
  p.takeup_intercept = logit(0.05);
  p.size_median_share = 0.5;
  p.size_log_sd = 0.0;
  p.size_rounding = 10000;
  p.min_amount = 50000;
  return p;
}

struct Row {
  std::int64_t interest, principal, instalment;
};

// Pays every instalment on time and checks each month against `rows`.
void expect_schedule(const LoanParams& p, std::int64_t amount, const std::vector<Row>& rows) {
  Loan l = open_loan(p, amount, static_cast<std::int32_t>(rows.size()));
  std::int64_t repaid = 0;
  for (std::size_t k = 0; k < rows.size(); ++k) {
    SCOPED_TRACE("month " + std::to_string(k + 1));
    const LoanMonth m = loan_month(p, l, kPayAll);
    EXPECT_EQ(m.due_interest, rows[k].interest);
    EXPECT_EQ(m.due_principal, rows[k].principal);
    EXPECT_EQ(m.due_interest + m.due_principal, rows[k].instalment);
    EXPECT_EQ(m.paid_interest, m.due_interest);
    EXPECT_EQ(m.paid_principal, m.due_principal);
    EXPECT_EQ(m.bucket, 0);
    EXPECT_FALSE(m.missed);
    EXPECT_EQ(m.repaid, k + 1 == rows.size());
    repaid += m.paid_principal;
  }
  EXPECT_EQ(repaid, amount);
  EXPECT_EQ(l.outstanding, 0);
}

// 0.04% a day: APR 14.6%, a month 365 x 0.0004 / 12 = 1.216667%.
// 5,000.00 over 3 months: annuity 5000 x r (1+r)^3 / ((1+r)^3 - 1) = 1,707.3857 -> 1,707.39.
//   month 1: interest 5,000.00 x r = 60.8333 -> 60.83, principal 1,707.39 - 60.83 = 1,646.56
//   month 2: balance 3,353.44, interest 40.8002 -> 40.80, principal 1,666.59
//   month 3: balance 1,686.85, interest 20.5233 -> 20.52, principal 1,686.85 (all of it):
//            the instalment 1,707.37 absorbs the 0.02 of rounding.
TEST(Loan, EqualInstalmentScheduleWorkedByHand) {
  const LoanParams p = params(0.0004, Amortisation::kEqualInstalment);
  EXPECT_EQ(annuity_instalment(500000, 3, loan_monthly_rate(p)), 170739);
  EXPECT_EQ(open_loan(p, 500000, 3).instalment, 170739);
  expect_schedule(p, 500000, {{6083, 164656, 170739}, {4080, 166659, 170739}, {2052, 168685, 170737}});
}

// 0.05% a day: a month 365 x 0.0005 / 12 = 1.520833%.
// 1,000.00 over 3 months, equal principal 1,000.00 / 3 = 333.33:
//   month 1: interest 1,000.00 x r = 15.2083 -> 15.21, principal 333.33, instalment 348.54
//   month 2: balance 666.67, interest 10.1389 -> 10.14, principal 333.33, instalment 343.47
//   month 3: balance 333.34, interest 5.0695 -> 5.07, principal 333.34 (absorbs the cent), instalment 338.41
TEST(Loan, EqualPrincipalScheduleWorkedByHand) {
  const LoanParams p = params(0.0005, Amortisation::kEqualPrincipal);
  EXPECT_EQ(open_loan(p, 100000, 3).instalment, 33333);
  expect_schedule(p, 100000, {{1521, 33333, 34854}, {1014, 33333, 34347}, {507, 33334, 33841}});
}

// No interest: the instalments are the principal split evenly, the last taking the rest.
TEST(Loan, AtZeroRateBothMethodsSplitThePrincipal) {
  for (const Amortisation method : {Amortisation::kEqualInstalment, Amortisation::kEqualPrincipal}) {
    const LoanParams p = params(0.0, method);
    expect_schedule(p, 100000, {{0, 16667, 16667}, {0, 16667, 16667}, {0, 16667, 16667},
                                {0, 16667, 16667}, {0, 16667, 16667}, {0, 16665, 16665}});
  }
}

// Over many amounts, rates and terms: the principal repaid adds up to the loan exactly; every
// equal instalment but the last is the annuity, and the last differs from it by the rounding (each
// month's at most a cent, compounded at r: under 2 cents a month for these terms); equal principal repays the same principal every month but the last.
TEST(Loan, TheLastInstalmentAbsorbsTheRoundingForAnyLoan) {
  for (const Amortisation method : {Amortisation::kEqualInstalment, Amortisation::kEqualPrincipal}) {
    for (const double daily : {0.0, 0.0002, 0.00035, 0.0005, 0.001}) {
      const LoanParams p = params(daily, method);
      for (const std::int32_t term : {3, 6, 12}) {
        for (std::int64_t amount = 50000; amount < 100000000; amount = amount * 7 + 1234567) {
          SCOPED_TRACE(std::to_string(amount) + " over " + std::to_string(term) + " at " + std::to_string(daily));
          Loan l = open_loan(p, amount, term);
          std::int64_t repaid = 0, last_instalment = 0;
          for (int k = 0; k < term; ++k) {
            const LoanMonth m = loan_month(p, l, kPayAll);
            repaid += m.paid_principal;
            last_instalment = m.due_principal + m.due_interest;
            if (k + 1 < term) {
              const std::int64_t fixed =
                  method == Amortisation::kEqualInstalment ? last_instalment : m.due_principal;
              EXPECT_EQ(fixed, l.instalment);
            }
          }
          EXPECT_EQ(repaid, amount);
          EXPECT_EQ(l.outstanding, 0);
          if (method == Amortisation::kEqualInstalment) {
            EXPECT_LE(std::llabs(last_instalment - l.instalment), 2 * term);
          }
        }
      }
    }
  }
}

// Prepayment after the first instalment of the 5,000.00 loan above: the customer pays the 3,353.44
// still outstanding and nothing more (the first instalment carried the month's interest); the
// interest of months 2 and 3 (40.80 + 20.52) is never charged. A loan in arrears does not prepay.
TEST(Loan, PrepaymentPaysTheOutstandingPrincipalAndInterestToDate) {
  const LoanParams p = params(0.0004, Amortisation::kEqualInstalment);
  Loan l = open_loan(p, 500000, 3);
  const LoanMonth m = loan_month(p, l, kPayAll);
  EXPECT_EQ(m.paid_interest, 6083);
  EXPECT_EQ(loan_prepay(l), 335344);
  EXPECT_EQ(l.outstanding, 0);
  EXPECT_EQ(loan_prepay(l), 0);

  Loan late = open_loan(p, 500000, 3);
  loan_month(p, late, 0);  // misses the first instalment
  EXPECT_EQ(loan_prepay(late), 0);
  EXPECT_EQ(late.outstanding, 500000);
}

// A missed instalment rolls like a revolving account's missed payment, counted from the oldest unpaid
// instalment. The 5,000.00 loan above, with a late fee of 10.00 and penalty interest at 1.5 x r =
// 1.825% a month on principal in arrears:
//   month 1: misses 1,707.39 (60.83 + 1,646.56): 1-30 DPD; fee 10.00, penalty 1,646.56 x 1.825% =
//            30.0497 -> 30.05; charges 40.05
//   month 2: pays one instalment, the oldest (the first); the second is now 1-30 DPD: the bucket stays;
//            penalty on 1,666.59: 30.4153 -> 30.42, no fee; charges 70.47
//   month 3: misses again: the second instalment is 31-60 DPD (bucket 2), the third 1-30; fee 10.00,
//            penalty on 1,666.59 + 1,686.85 = 3,353.44: 61.2003 -> 61.20; charges 141.67
//   month 4: pays all: both instalments (3,353.44 principal, 40.80 + 20.52 interest) and the charges
//            141.67; current and repaid.
TEST(Loan, AMissedInstalmentRollsAndCuresFromTheOldestUnpaidInstalment) {
  LoanParams p = params(0.0004, Amortisation::kEqualInstalment);
  p.late_fee = 1000;
  p.penalty_rate_mult = 1.5;
  Loan l = open_loan(p, 500000, 3);

  LoanMonth m = loan_month(p, l, 0);
  EXPECT_TRUE(m.missed);
  EXPECT_EQ(m.bucket, 1);
  EXPECT_EQ(m.due_principal + m.due_interest, 170739);
  EXPECT_EQ(m.paid_principal + m.paid_interest + m.paid_charges, 0);
  EXPECT_EQ(m.fee, 1000);
  EXPECT_EQ(m.penalty, 3005);
  EXPECT_EQ(l.charges, 4005);
  EXPECT_EQ(l.outstanding, 500000);
  EXPECT_EQ(loan_arrears(l, loan_monthly_rate(p)).principal, 164656);
  EXPECT_EQ(loan_arrears(l, loan_monthly_rate(p)).interest, 6083);

  m = loan_month(p, l, 1);
  EXPECT_FALSE(m.missed);
  EXPECT_EQ(m.bucket, 1);
  EXPECT_EQ(m.paid_instalments, 1);
  EXPECT_EQ(m.paid_principal, 164656);
  EXPECT_EQ(m.paid_interest, 6083);
  EXPECT_EQ(m.paid_charges, 0);
  EXPECT_EQ(m.fee, 0);
  EXPECT_EQ(m.penalty, 3042);
  EXPECT_EQ(l.charges, 7047);
  EXPECT_EQ(l.outstanding, 335344);

  m = loan_month(p, l, 0);
  EXPECT_TRUE(m.missed);
  EXPECT_EQ(m.bucket, 2);
  EXPECT_EQ(m.fee, 1000);
  EXPECT_EQ(m.penalty, 6120);
  EXPECT_EQ(l.charges, 14167);
  EXPECT_EQ(loan_arrears(l, loan_monthly_rate(p)).principal, 335344);
  EXPECT_EQ(loan_arrears(l, loan_monthly_rate(p)).interest, 4080 + 2052);

  m = loan_month(p, l, kPayAll);
  EXPECT_EQ(m.due_principal + m.due_interest, 0);  // the term is over: nothing new falls due
  EXPECT_EQ(m.paid_instalments, 2);
  EXPECT_EQ(m.paid_principal, 335344);
  EXPECT_EQ(m.paid_interest, 6132);
  EXPECT_EQ(m.paid_charges, 14167);
  EXPECT_EQ(m.bucket, 0);
  EXPECT_TRUE(m.repaid);
  EXPECT_EQ(l.charges, 0);
}

// Missing every instalment: the bucket grows a month at a time past the end of the term, as days
// past due do, until the charge-off (past bucket 6 here): the whole 5,000.00 is charged off and the
// interest billed and never paid (122.15) and the charges are reversed.
TEST(Loan, AnUnpaidLoanRollsToChargeOffOfItsOutstandingPrincipal) {
  LoanParams p = params(0.0004, Amortisation::kEqualInstalment);
  p.late_fee = 1000;
  Loan l = open_loan(p, 500000, 3);
  for (int month = 1; month <= 7; ++month) {
    const LoanMonth m = loan_month(p, l, 0);
    EXPECT_EQ(m.bucket, month);
    EXPECT_EQ(m.missed, true);  // something is due every month: the arrears
  }
  EXPECT_EQ(loan_arrears(l, loan_monthly_rate(p)).interest, 6083 + 4080 + 2052);
  EXPECT_EQ(l.charges, 7 * 1000);
  const LoanChargeOff c = loan_charge_off(p, l);
  EXPECT_EQ(c.principal, 500000);
  EXPECT_EQ(c.reversal, 12215 + 7000);
  EXPECT_EQ(l.outstanding, 0);
}

// ---------------------------------------------------------------- draws of a new loan

TEST(Loan, TakeUpIsLogisticInRiskShockAndUtilization) {
  LoanParams p = params(0.0004, Amortisation::kEqualInstalment);
  p.takeup_beta_risk = 0.5;
  p.takeup_beta_shock = 2.0;
  p.takeup_beta_util = -1.0;
  p.takeup_util_ref = 0.3;
  EXPECT_NEAR(loan_takeup_probability(p, 0.0, 0.0, 0.3), 0.05, 1e-15);
  // odds 0.05 / 0.95 x e^0.5 = 0.0867749: p = 0.0867749 / 1.0867749 = 0.0798462
  EXPECT_NEAR(loan_takeup_probability(p, 1.0, 0.0, 0.3), 0.0798462, 1e-7);
  // a shock of a quarter of income adds 0.5 to the log-odds too; utilization 0.8 takes 0.5 off
  EXPECT_NEAR(loan_takeup_probability(p, 0.0, 0.25, 0.3), 0.0798462, 1e-7);
  EXPECT_NEAR(loan_takeup_probability(p, 1.0, 0.0, 0.8), 0.05, 1e-15);
}

TEST(Loan, TermIsChosenByTheCumulativeShares) {
  const LoanParams p = params(0.0004, Amortisation::kEqualInstalment);  // 3: 20%, 6: 30%, 12: 50%
  EXPECT_EQ(loan_term(p, 0.1), 3);
  EXPECT_EQ(loan_term(p, 0.2), 6);
  EXPECT_EQ(loan_term(p, 0.49), 6);
  EXPECT_EQ(loan_term(p, 0.5), 12);
  EXPECT_EQ(loan_term(p, 0.999), 12);
}

// A share of the available line: the median share at u = 1/2, capped at the whole line, rounded
// down to 100.00; below the 500.00 minimum no loan.
TEST(Loan, SizeIsALogNormalShareOfTheAvailableLineCappedAndRounded) {
  LoanParams p = params(0.0004, Amortisation::kEqualInstalment);
  EXPECT_EQ(loan_amount(p, 1234567, 0.5), 610000);  // 6,172.84 -> 6,100.00
  p.size_log_sd = 1.0;
  // exp(Phi^-1(0.9)) = exp(1.28155) = 3.6022: 0.5 x 3.6022 > 1, capped at the whole 12,345.67 -> 12,300.00
  EXPECT_EQ(loan_amount(p, 1234567, 0.9), 1230000);
  // exp(Phi^-1(0.1)) = 0.27761: 0.5 x 0.27761 x 12,345.67 = 1,713.64 -> 1,700.00
  EXPECT_EQ(loan_amount(p, 1234567, 0.1), 170000);
  EXPECT_EQ(loan_amount(p, 90000, 0.5), 0);  // 450.00 -> 400.00, under the minimum
  EXPECT_EQ(loan_amount(p, 0, 0.5), 0);
  EXPECT_EQ(loan_amount(p, -500, 0.9), 0);
}

// ---------------------------------------------------------------- identities

// Loans drawn and serviced at random (pay all, miss, pay one or two, prepay, charged off past bucket 6),
// with late fees and penalty interest: at every month end, over all loans,
//   principal disbursed = repaid + prepaid + charged off + outstanding
//   interest and charges billed = paid + reversed + unpaid (the arrears' interest and the charges),
// and each loan's outstanding principal is the scheduled balance of its oldest unpaid instalment.
TEST(Loan, PrincipalDisbursedIsRepaidPrepaidChargedOffOrOutstanding) {
  for (const Amortisation method : {Amortisation::kEqualInstalment, Amortisation::kEqualPrincipal}) {
    LoanParams p = params(0.0005, method);
    p.late_fee = 2500;
    p.penalty_rate_mult = 1.5;
    p.size_log_sd = 0.8;
    const double r = loan_monthly_rate(p);
    std::int64_t disbursed = 0, repaid = 0, prepaid = 0, charged_off = 0;
    std::int64_t billed = 0, collected = 0, reversed = 0;
    int closed_by[3] = {0, 0, 0};  // repaid, prepaid, charged off
    for (std::uint64_t id = 1; id <= 400; ++id) {
      KeyedPhilox rng(7, id, 0, 9);
      const bool bad = u01(rng.next().x) < 0.2;  // a bad customer mostly misses: its loans reach charge-off
      Loan l{};
      bool open = false;
      for (int month = 0; month < 30; ++month) {
        const Block4 b = rng.next();
        if (!open) {
          const std::int64_t amount = loan_amount(p, 2000000, u01(b.x));
          if (amount == 0) continue;
          l = open_loan(p, amount, loan_term(p, u01(b.y)));
          disbursed += amount;
          open = true;
          continue;
        }
        const double u = u01(b.z);
        const double all = bad ? 0.1 : 0.75, none = bad ? 0.8 : 0.9;
        const std::int32_t pay = u < all ? kPayAll : (u < none ? 0 : (u < (1.0 + none) / 2 ? 1 : 2));
        const LoanMonth m = loan_month(p, l, pay);
        repaid += m.paid_principal;
        billed += m.due_interest + m.fee + m.penalty;
        collected += m.paid_interest + m.paid_charges;
        EXPECT_EQ(m.bucket, loan_bucket(l));
        if (m.repaid) {
          open = false;
          ++closed_by[0];
        } else if (m.bucket > 6) {
          const LoanChargeOff c = loan_charge_off(p, l);
          charged_off += c.principal;
          reversed += c.reversal;
          open = false;
          ++closed_by[2];
        } else if (m.bucket == 0 && u01(b.w) < 0.05) {
          prepaid += loan_prepay(l);
          open = false;
          ++closed_by[1];
        } else {
          // The outstanding principal is the schedule's balance before the oldest unpaid instalment.
          Loan fresh = open_loan(p, l.principal, l.term);
          std::int64_t balance = fresh.outstanding;
          for (int i = 0; i < l.paid; ++i) balance -= loan_entry(fresh, r, balance, i).principal;
          EXPECT_EQ(l.outstanding, balance);
        }
      }
      if (open) {
        const Instalment a = loan_arrears(l, r);
        const std::int64_t outstanding = l.outstanding;
        EXPECT_GT(outstanding, 0);
        EXPECT_EQ(disbursed, repaid + prepaid + charged_off + outstanding)
            << "after customer " << id;
        EXPECT_EQ(billed, collected + reversed + a.interest + l.charges) << "after customer " << id;
        disbursed -= outstanding;  // the open loan leaves the running totals
        billed -= a.interest + l.charges;
      } else {
        EXPECT_EQ(disbursed, repaid + prepaid + charged_off) << "after customer " << id;
        EXPECT_EQ(billed, collected + reversed) << "after customer " << id;
      }
    }
    // Every way out happened, so the identity was tested on each.
    EXPECT_GT(closed_by[0], 20);
    EXPECT_GT(closed_by[1], 20);
    EXPECT_GT(closed_by[2], 20);
    EXPECT_GT(disbursed, 0);
    EXPECT_GT(reversed, 0);
  }
}

}  // namespace
