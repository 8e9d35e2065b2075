// The cash-loan product (Jiebei-like): its parameters, the state of one loan, and the arithmetic of a
// loan's month: the instalment falling due (equal instalment or equal principal), payments oldest
// instalment first, a missed instalment's arrears and days-past-due bucket, prepayment and charge-off.
// Written once for both backends (compiled by nvcc and g++): inline functions only, no I/O, no
// allocation. docs/model.md "Cash loans (Jiebei)" describes the rules; docs/config.md "Product file"
// the keys that fill LoanParams.
//
// Rates: the product quotes a daily rate d. APR = 365 d; the monthly rate is r = 365 d / 12 (a month
// is a twelfth of a year, whatever its days). Interest of a month is round(balance x r) in cents.
//
// A loan's schedule is contractual: instalment i (0-based) is computed from the scheduled balance
// S_i (S_0 = principal, S_{i+1} = S_i - principal_i) whatever the customer paid, so the unpaid
// instalments in arrears keep the amounts they fell due with.
#pragma once

#include <cstdint>
#include <type_traits>

#include "hd.hpp"
#include "special.hpp"

namespace limitsim {

constexpr int kMaxLoanTerms = 3;    // term choices a product offers
constexpr int kMaxLoanMonths = 12;  // the longest term, months

enum class Amortisation : std::int32_t {
  kEqualInstalment = 0,  // the same instalment every month (an annuity); the last absorbs rounding
  kEqualPrincipal = 1,   // the same principal every month plus interest on the outstanding; the last absorbs rounding
};

struct LoanParams {
  // --- price ---
  double daily_rate;                    // interest per day on the outstanding principal; APR = 365 x daily_rate
  Amortisation amortisation;
  // --- terms: a new loan takes terms[k] for the first k whose term_cum[k] > u; term_cum of the last is 1 ---
  std::int32_t n_terms;                 // 1..kMaxLoanTerms
  std::int32_t terms[kMaxLoanTerms];    // months, ascending
  double term_cum[kMaxLoanTerms];       // cumulative shares of the terms
  // --- take-up: the monthly probability that a customer draws a loan is
  // logistic(takeup_intercept + beta_risk x risk + beta_shock x income lost + beta_util x (u - util_ref)),
  // u = outstanding principal / cash line at the start of the month ---
  double takeup_intercept;              // logit of the probability at risk 0, no shock, u = takeup_util_ref
  double takeup_beta_risk;              // per unit of latent risk
  double takeup_beta_shock;             // per unit share of income lost in an income shock
  double takeup_beta_util;              // per unit of cash-line utilization above takeup_util_ref
  double takeup_util_ref;
  // --- size: a share of the available cash line, min(1, size_median_share x exp(size_log_sd x N(0,1)))
  // (log-normal, capped at the whole available line), rounded down to size_rounding ---
  double size_median_share;             // (0, 1]
  double size_log_sd;                   // >= 0
  std::int64_t size_rounding;           // cents (>= 1)
  std::int64_t min_amount;              // cents: a draw below it (or an available line below it) is no loan
  // --- repayment ---
  double prepay_rate;                   // monthly probability that a current loan is repaid early in full
  std::int64_t late_fee;                // cents, charged each month a due instalment is missed outright
  double penalty_rate_mult;             // penalty interest on principal in arrears: mult x r a month (0 = none)
};
static_assert(std::is_trivially_copyable<LoanParams>::value, "kernel params must be trivially copyable");

// One loan. An empty slot has principal 0.
struct Loan {
  std::int64_t principal;     // disbursed, cents
  std::int64_t outstanding;   // principal not yet repaid (scheduled balance of the oldest unpaid instalment), cents
  std::int64_t instalment;    // equal instalment: the annuity; equal principal: the principal of every instalment but the last
  std::int64_t charges;       // late fees and penalty interest charged and not yet paid, cents
  std::int32_t term;          // instalments, months
  std::int32_t age;           // months since disbursement: instalment i falls due at age i + 1
  std::int32_t paid;          // instalments paid (the index of the oldest unpaid one)
  Amortisation method;
};
static_assert(std::is_trivially_copyable<Loan>::value, "kernel state must be trivially copyable");

// Principal and interest of one instalment, cents.
struct Instalment {
  std::int64_t principal, interest;
};

// What one loan did in one month (loan_month), cents.
struct LoanMonth {
  std::int64_t due_principal, due_interest;  // of the instalment that fell due this month (0 after the term)
  std::int64_t paid_principal, paid_interest, paid_charges;
  std::int64_t fee, penalty;                 // charged this month
  std::int32_t paid_instalments;             // instalments paid this month
  std::int32_t bucket;                       // days-past-due bucket at month end (0 current)
  bool missed;                               // an instalment was due and nothing was paid
  bool repaid;                               // the last principal was paid: the loan is closed
};

// loan_month's `pay` for "every unpaid instalment": a cure.
constexpr std::int32_t kPayAll = 1 << 20;

LIMITSIM_INLINE std::int64_t loan_round(double x) { return static_cast<std::int64_t>(llround(x)); }

// The monthly rate of a daily rate: 365 d / 12.
LIMITSIM_INLINE double loan_monthly_rate(const LoanParams& p) { return p.daily_rate * 365.0 / 12.0; }

// The equal instalment of `principal` over n months at monthly rate r: the annuity
// P r (1 + r)^n / ((1 + r)^n - 1) rounded to the cent (P / n at r = 0). (1 + r)^n is a product of n
// factors, so both backends get the same bits (IEEE multiply and divide, no pow).
LIMITSIM_INLINE std::int64_t annuity_instalment(std::int64_t principal, int n, double r) {
  if (r <= 0.0) return loan_round(static_cast<double>(principal) / n);
  double g = 1.0;
  for (int k = 0; k < n; ++k) g *= 1.0 + r;
  return loan_round(static_cast<double>(principal) * r * g / (g - 1.0));
}

// A new loan of `amount` cents over `term` months (term >= 1, as the product file's terms are).
LIMITSIM_INLINE Loan open_loan(const LoanParams& p, std::int64_t amount, std::int32_t term) {
  Loan l;
  l.principal = amount;
  l.outstanding = amount;
  l.method = p.amortisation;
  l.instalment = p.amortisation == Amortisation::kEqualInstalment
                     ? annuity_instalment(amount, term, loan_monthly_rate(p))
                     : loan_round(static_cast<double>(amount) / term);
  l.charges = 0;
  l.term = term;
  l.age = 0;
  l.paid = 0;
  return l;
}

// Instalment i of the schedule, given the scheduled balance S_i before it: interest round(S_i x r);
// principal the rest of the annuity (equal instalment) or the fixed part (equal principal), within
// [0, S_i]; the last instalment (i = term - 1) repays all of S_i, absorbing the rounding.
LIMITSIM_INLINE Instalment loan_entry(const Loan& l, double r, std::int64_t balance, int i) {
  Instalment e;
  e.interest = loan_round(static_cast<double>(balance) * r);
  std::int64_t principal = l.method == Amortisation::kEqualInstalment ? l.instalment - e.interest : l.instalment;
  if (i >= l.term - 1 || principal > balance) principal = balance;
  e.principal = principal > 0 ? principal : 0;
  return e;
}

// Instalments fallen due so far.
LIMITSIM_INLINE std::int32_t loan_due_count(const Loan& l) { return l.age < l.term ? l.age : l.term; }

// The days-past-due bucket, counted from the oldest unpaid instalment as the revolving model counts
// DPD: the instalment due at age a, unpaid at the end of month a, is 1-30 DPD (bucket 1), a month
// later 31-60 (bucket 2), and so on. 0 when every instalment fallen due is paid.
LIMITSIM_INLINE std::int32_t loan_bucket(const Loan& l) { return l.paid < loan_due_count(l) ? l.age - l.paid : 0; }

// The principal and interest of the instalments fallen due and unpaid (the arrears, before charges).
LIMITSIM_INLINE Instalment loan_arrears(const Loan& l, double r) {
  Instalment a{0, 0};
  std::int64_t balance = l.outstanding;
  const std::int32_t due = loan_due_count(l);
  for (int i = l.paid; i < due; ++i) {
    const Instalment e = loan_entry(l, r, balance, i);
    a.principal += e.principal;
    a.interest += e.interest;
    balance -= e.principal;
  }
  return a;
}

// One month of an open loan (outstanding > 0): the next instalment falls due (while the term lasts),
// then the customer pays `pay` of the unpaid instalments, oldest first. Paying all of them (pay >= the
// number unpaid) also pays the charges: the loan is current again. Paying none while one is due is a
// missed instalment: it is charged late_fee. Principal still in arrears after the payment is charged
// penalty interest, round(arrears principal x r x penalty_rate_mult). The bucket follows loan_bucket.
LIMITSIM_INLINE LoanMonth loan_month(const LoanParams& p, Loan& l, std::int32_t pay) {
  const double r = loan_monthly_rate(p);
  LoanMonth m{};
  // The instalment falling due: walk the scheduled balance from the oldest unpaid one.
  const std::int32_t due_before = loan_due_count(l);
  l.age += 1;
  const std::int32_t due = loan_due_count(l);
  const std::int32_t unpaid = due - l.paid;
  std::int64_t balance = l.outstanding;
  std::int64_t arrears_principal = 0;
  for (int i = l.paid; i < due; ++i) {
    const Instalment e = loan_entry(l, r, balance, i);
    if (i >= due_before) {
      m.due_principal = e.principal;
      m.due_interest = e.interest;
    }
    if (i - l.paid < pay) {
      m.paid_principal += e.principal;
      m.paid_interest += e.interest;
      m.paid_instalments += 1;
    } else {
      arrears_principal += e.principal;
    }
    balance -= e.principal;
  }
  if (unpaid > 0 && pay >= unpaid) {
    m.paid_charges = l.charges;
    l.charges = 0;
  }
  l.paid += m.paid_instalments;
  l.outstanding -= m.paid_principal;
  m.missed = unpaid > 0 && pay <= 0;
  m.fee = m.missed ? p.late_fee : 0;
  m.penalty = arrears_principal > 0 && p.penalty_rate_mult > 0.0
                  ? loan_round(static_cast<double>(arrears_principal) * r * p.penalty_rate_mult)
                  : 0;
  l.charges += m.fee + m.penalty;
  m.bucket = loan_bucket(l);
  m.repaid = l.outstanding <= 0;
  return m;
}

// Early repayment of a current loan at the end of a month, after that month's instalment: the customer
// pays the outstanding principal and the loan closes. Interest is charged to date: the month's
// instalment carried the interest of the month, and nothing more is due (no prepayment fee). A loan
// in arrears does not prepay: returns 0 and leaves it unchanged. Returns the principal prepaid.
LIMITSIM_INLINE std::int64_t loan_prepay(Loan& l) {
  if (loan_bucket(l) > 0) return 0;
  const std::int64_t prepaid = l.outstanding;
  l.outstanding = 0;
  return prepaid;
}

// A charge-off: the outstanding principal is charged off (the LGD machinery splits it into loss and
// recovery), and the interest of the unpaid instalments and the unpaid charges, billed but never
// collected, are reversed. The loan closes.
struct LoanChargeOff {
  std::int64_t principal;  // charged off, cents
  std::int64_t reversal;   // interest and charges reversed, cents
};
LIMITSIM_INLINE LoanChargeOff loan_charge_off(const LoanParams& p, Loan& l) {
  const Instalment a = loan_arrears(l, loan_monthly_rate(p));
  LoanChargeOff c{l.outstanding, a.interest + l.charges};
  l.outstanding = 0;
  l.charges = 0;
  return c;
}

// ---------------------------------------------------------------- draws of a new loan

// The monthly probability that a customer with latent risk `risk`, having lost `income_lost` of its
// income, with cash-line utilization `util` (outstanding principal / line), draws a loan.
LIMITSIM_INLINE double loan_takeup_probability(const LoanParams& p, double risk, double income_lost, double util) {
  return logistic(p.takeup_intercept + p.takeup_beta_risk * risk + p.takeup_beta_shock * income_lost +
                  p.takeup_beta_util * (util - p.takeup_util_ref));
}

// The term of a new loan for a uniform u on (0, 1).
LIMITSIM_INLINE std::int32_t loan_term(const LoanParams& p, double u) {
  for (int k = 0; k < p.n_terms - 1; ++k)
    if (u < p.term_cum[k]) return p.terms[k];
  return p.terms[p.n_terms - 1];
}

// The amount of a new loan for a uniform u on (0, 1): the log-normal share of the available line,
// capped at 1, rounded down to size_rounding (>= 1, as the product file requires); 0 (no loan) when
// that is below min_amount.
LIMITSIM_INLINE std::int64_t loan_amount(const LoanParams& p, std::int64_t available, double u) {
  if (available <= 0) return 0;
  const double share_raw = p.size_median_share * exp(p.size_log_sd * norm_inv(u));
  const double share = share_raw < 1.0 ? share_raw : 1.0;  // so the amount is at most `available`
  const std::int64_t amount = loan_round(static_cast<double>(available) * share) / p.size_rounding * p.size_rounding;
  return amount >= p.min_amount && amount > 0 ? amount : 0;
}

}  // namespace limitsim
