// The customer-month step: written once, compiled by nvcc for the GPU and by
// g++ for the CPU. No I/O, no allocation, no launch-shape dependence.
//
// Order of events within month m (docs/model.md "One month"):
//   1. delinquency event on the statement due (the balance carried in):
//      current -> miss, or delinquent -> roll forward / cure / stay,
//      correlated across customers through the systematic factor;
//   2. payment (none on a miss or roll; the minimum when staying; transactors
//      pay in full, revolvers between the minimum and the full statement);
//   3. interest on the revolved amount, a late fee on a miss or roll;
//   4. spending, capped by the available line; none on a frozen line;
//   5. charge-off (exposure x LGD) or voluntary attrition closes the account;
//   6. limit policy at month end: freeze, unfreeze, periodic review.
#pragma once

#include <cstdint>

#include "customer.hpp"
#include "hd.hpp"
#include "params.hpp"
#include "rng.hpp"
#include "special.hpp"

namespace limitsim {

// Draw slots of one customer-month. Every month uses all eight, whatever the
// branch, so policies and scenarios see the same numbers.
enum DrawSlot : int {
  kDrawActive = 0,     // is the card used this month
  kDrawSpend = 1,      // spend amount (normal via inverse CDF)
  kDrawDelinquency = 2,// miss / roll-forward latent (normal via inverse CDF)
  kDrawCure = 3,       // cure versus stay, given no roll
  kDrawPayRatio = 4,   // revolver's payment ratio
  kDrawAttrition = 5,  // voluntary closure
  kDrawLgd = 6,        // LGD quantile
  kDrawReserved = 7,   // reserved (income shocks, issue 4); drawn, unused
};

struct MonthDraws {
  double u[kDrawsPerMonth];  // uniforms on (0, 1)
};

LIMITSIM_INLINE MonthDraws make_draws(const Block4& a, const Block4& b) {
  MonthDraws d;
  d.u[0] = u01(a.x); d.u[1] = u01(a.y); d.u[2] = u01(a.z); d.u[3] = u01(a.w);
  d.u[4] = u01(b.x); d.u[5] = u01(b.y); d.u[6] = u01(b.z); d.u[7] = u01(b.w);
  return d;
}

// The next month's draws from a customer-path stream.
LIMITSIM_INLINE MonthDraws next_month_draws(KeyedPhilox& rng) {
  const Block4 a = rng.next();
  const Block4 b = rng.next();
  return make_draws(a, b);
}

// One customer's static attributes, by value.
struct Customer {
  std::uint64_t id;
  double score, spend_propensity, activity, revolve_shape, risk;
  std::int64_t income, limit, balance;
  std::int32_t segment, months_on_book, bucket;
  bool transactor;
};

LIMITSIM_INLINE Customer load_customer(const CustomerView& v, std::int64_t i) {
  Customer c;
  c.id = v.id[i];
  c.score = v.score[i];
  c.spend_propensity = v.spend_propensity[i];
  c.activity = v.activity[i];
  c.revolve_shape = v.revolve_shape[i];
  c.risk = v.risk[i];
  c.income = v.income[i];
  c.limit = v.limit[i];
  c.balance = v.balance[i];
  c.segment = v.segment[i];
  c.months_on_book = v.months_on_book[i];
  c.bucket = v.bucket[i];
  c.transactor = v.transactor[i] != 0;
  return c;
}

LIMITSIM_INLINE std::int64_t min64(std::int64_t a, std::int64_t b) { return a < b ? a : b; }
LIMITSIM_INLINE std::int64_t max64(std::int64_t a, std::int64_t b) { return a > b ? a : b; }
LIMITSIM_INLINE std::int64_t round_cents(double x) { return static_cast<std::int64_t>(llround(x)); }

// Largest multiple of unit not above x (x >= 0, unit >= 1).
LIMITSIM_INLINE std::int64_t round_down(std::int64_t x, std::int64_t unit) { return x / unit * unit; }

// Initial line of a new account: income x multiple of the customer's score
// band, rounded down to the rounding unit, clamped to [floor, cap] and to the
// policy's ceiling.
LIMITSIM_INLINE std::int64_t initial_line(const PolicyParams& p, double score, std::int64_t income) {
  int band = p.n_bands - 1;
  for (int b = 0; b < p.n_bands; ++b) {
    if (score >= p.band_score_min[b]) { band = b; break; }
  }
  const double raw = static_cast<double>(income) * p.band_income_multiple[band];
  std::int64_t line = round_down(round_cents(raw < 1e15 ? raw : 1e15), p.line_rounding);  // bounded before rounding
  line = max64(p.band_floor[band], min64(line, p.band_cap[band]));
  return min64(line, p.max_limit);
}

LIMITSIM_INLINE AccountState init_state(const ModelView& mv, const Customer& c) {
  AccountState s;
  const bool is_new = c.months_on_book == 0;
  s.limit = is_new ? initial_line(mv.policy, c.score, c.income) : c.limit;
  s.balance = is_new ? 0 : c.balance;
  // An opening bucket past the behaviour's charge-off point counts as that point.
  s.bucket = is_new ? 0 : (c.bucket < mv.behaviour.chargeoff_bucket ? c.bucket : mv.behaviour.chargeoff_bucket);
  s.months_on_book = c.months_on_book;
  s.months_current = s.bucket == 0 ? c.months_on_book : 0;  // no history: assume current since opening
  s.util_window_ppm = 0;
  s.open = true;
  s.frozen = mv.policy.freeze_bucket > 0 && s.bucket >= mv.policy.freeze_bucket;
  return s;
}

// Utilization in parts per million, capped at 10x the line. No line but a
// balance counts as the cap.
LIMITSIM_INLINE std::int32_t utilization_ppm(std::int64_t balance, std::int64_t limit) {
  constexpr std::int64_t kCap = 10000000;
  if (balance <= 0) return 0;
  if (limit <= 0) return static_cast<std::int32_t>(kCap);
  const double u = static_cast<double>(balance) * 1e6 / static_cast<double>(limit);
  return static_cast<std::int32_t>(u >= static_cast<double>(kCap) ? kCap : llround(u));
}

// p moved by `shift` on the logit scale; p itself when shift is 0, so a fixed
// roll-rate matrix is reproduced exactly.
LIMITSIM_INLINE double logit_shift(double p, double shift) {
  if (shift == 0.0 || p <= 0.0 || p >= 1.0) return p;
  return logistic(logit(p) + shift);
}

// One-factor Gaussian copula: the event happens when the latent
// sqrt(rho) Z + sqrt(1 - rho) eps falls below Phi^-1(p), eps = Phi^-1(u).
// Conditional on Z, its probability is Phi((Phi^-1(p) - sqrt(rho) Z) / sqrt(1 - rho)).
// With rho = 0 it is exactly u < p.
LIMITSIM_INLINE bool copula_event(double u, double p, double z, double rho) {
  if (p <= 0.0) return false;
  if (p >= 1.0) return true;
  if (rho == 0.0) return u < p;
  return sqrt(rho) * z + sqrt(1.0 - rho) * norm_inv(u) < norm_inv(p);
}

// LGD for a charge-off: fixed, or the Beta quantile at u from the host-built
// inverse-CDF table (linear interpolation between kLgdTableSize knots).
LIMITSIM_INLINE double draw_lgd(const ModelView& mv, double u) {
  if (mv.behaviour.lgd_mode == LgdMode::kFixed || mv.lgd_quantiles == nullptr) return mv.behaviour.lgd;
  const double x = u * (kLgdTableSize - 1);
  int i = static_cast<int>(x);
  if (i >= kLgdTableSize - 1) i = kLgdTableSize - 2;
  const double f = x - i;
  return mv.lgd_quantiles[i] + f * (mv.lgd_quantiles[i + 1] - mv.lgd_quantiles[i]);
}

// A revolver pays min_due + (due - min_due) * u^gamma: gamma > 1 leans towards
// the minimum. Result in [min_due, due].
LIMITSIM_INLINE std::int64_t revolver_payment(std::int64_t due, std::int64_t min_due, double u, double gamma) {
  const double share = pow(u, gamma);
  const std::int64_t extra = round_cents(static_cast<double>(due - min_due) * share);
  return min64(due, min_due + extra);
}

// Advances one open account by one month. `z` is the systematic factor of this
// (path, month) before the scenario's shift.
LIMITSIM_INLINE MonthOutcome step_month(const ModelView& mv, const Customer& c, AccountState& s, int month,
                                        const MonthDraws& d, double z) {
  MonthOutcome o{};
  o.was_open = s.open;
  o.bucket = s.bucket;
  if (!s.open) return o;

  const BehaviourParams& bp = mv.behaviour;
  const PolicyParams& pp = mv.policy;
  const ScenarioMonth& sc = mv.scenario[month];
  const std::int32_t b = s.bucket;
  const std::int64_t due = s.balance > 0 ? s.balance : 0;
  const double util = utilization_ppm(s.balance, s.limit) * 1e-6;
  const double util_excess = (util < 1.5 ? util : 1.5) - bp.util_ref;
  const double zs = z + sc.factor_shift;

  // 1. Delinquency event on the statement due.
  bool missed = false, rolled = false, cured = false;
  if (due > 0) {
    if (b == 0) {
      const double p = logistic(bp.miss_intercept + bp.miss_beta_risk * c.risk + bp.miss_beta_util * util_excess) *
                       sc.miss_mult;
      missed = copula_event(d.u[kDrawDelinquency], p, zs, bp.rho);
    } else {
      const double p = logit_shift(bp.roll[b], bp.roll_beta_risk * c.risk + bp.roll_beta_util * util_excess) *
                       sc.roll_mult;
      rolled = copula_event(d.u[kDrawDelinquency], p, zs, bp.rho);
      const double cure_share = bp.roll[b] < 1.0 ? bp.cure[b] / (1.0 - bp.roll[b]) : 0.0;
      cured = !rolled && d.u[kDrawCure] < cure_share;
    }
  } else if (b > 0) {
    cured = true;  // nothing owed any more: arrears are cleared
  }

  // 2. Payment.
  const std::int64_t min_due =
      due > 0 ? min64(due, max64(bp.min_payment_floor, round_cents(bp.min_payment_rate * static_cast<double>(due)))) : 0;
  std::int64_t pay = 0;
  if (missed || rolled) {
    pay = 0;
  } else if (b > 0 && !cured) {
    pay = min_due;  // stays in its bucket: pays this month's minimum, not the arrears
  } else {
    pay = c.transactor ? due : revolver_payment(due, min_due, d.u[kDrawPayRatio], c.revolve_shape);
    if (cured) pay = max64(pay, min64(due, static_cast<std::int64_t>(b + 1) * min_due));  // clears the arrears
  }

  // 3. Interest on what is carried, and the late fee.
  const std::int64_t fee = (missed || rolled) ? bp.late_fee : 0;
  const std::int64_t revolved = due - pay;
  const std::int64_t interest = revolved > 0 ? round_cents(static_cast<double>(revolved) * (bp.apr / 12.0)) : 0;
  std::int32_t nb = missed ? 1 : (rolled ? b + 1 : (cured ? 0 : b));
  const bool charge_off = rolled && nb > bp.chargeoff_bucket;
  std::int64_t balance = s.balance - pay + interest + fee;

  // 4. Spending, capped by the available line.
  std::int64_t spend = 0;
  if (!charge_off && !s.frozen && d.u[kDrawActive] < c.activity) {
    const double noise = exp(bp.spend_sigma * norm_inv(d.u[kDrawSpend]) - 0.5 * bp.spend_sigma * bp.spend_sigma);
    const double desired = static_cast<double>(c.income) * c.spend_propensity / c.activity * noise * sc.spend_mult;
    const std::int64_t available = max64(0, s.limit - balance);
    spend = desired < static_cast<double>(available) ? round_cents(desired) : available;
  }
  balance += spend;

  o.spend = spend;
  o.payment = pay;
  o.interest = interest;
  o.fees = fee;
  o.missed = missed || rolled;

  // 5. Charge-off or attrition closes the account.
  if (charge_off) {
    const double lgd = draw_lgd(mv, d.u[kDrawLgd]);
    o.charged_off = true;
    o.chargeoff_exposure = balance;
    o.chargeoff_loss = round_cents(static_cast<double>(balance) * lgd);
    o.chargeoff_recovery = balance - o.chargeoff_loss;
    s.open = false;
    s.balance = 0;
    s.bucket = nb;
    o.bucket = nb;
    return o;
  }
  if (nb == 0 && d.u[kDrawAttrition] < bp.attrition_rate) {
    o.attrited = true;
    o.payment += balance;  // pays off and closes
    s.open = false;
    s.balance = 0;
    s.bucket = 0;
    return o;
  }

  // 6. Limit policy at month end.
  s.balance = balance;
  s.bucket = nb;
  s.months_current = nb == 0 ? s.months_current + 1 : 0;
  s.months_on_book += 1;
  s.util_window_ppm += utilization_ppm(balance, s.limit);
  if (pp.freeze_bucket > 0 && !s.frozen && nb >= pp.freeze_bucket) {
    s.frozen = true;
    o.froze = true;
  } else if (s.frozen && pp.unfreeze_after_clean_months > 0 && s.months_current >= pp.unfreeze_after_clean_months) {
    s.frozen = false;
  }
  if (pp.review_every > 0 && (month + 1) % pp.review_every == 0) {
    const double mean_util_ppm = static_cast<double>(s.util_window_ppm) / pp.review_every;
    const bool eligible = !s.frozen && nb == 0 && s.months_current >= pp.review_min_clean_months &&
                          mean_util_ppm >= pp.review_min_utilization * 1e6 && c.score >= pp.review_min_score;
    if (eligible) {
      std::int64_t raise = round_cents(static_cast<double>(s.limit) * pp.review_raise_pct);
      if (pp.review_max_raise > 0) raise = min64(raise, pp.review_max_raise);
      const std::int64_t target = min64(pp.max_limit, round_down(s.limit + raise, pp.line_rounding));
      if (target > s.limit) {
        o.limit_increase = target - s.limit;
        s.limit = target;
      }
    }
    s.util_window_ppm = 0;
  }

  o.active = true;
  o.balance = s.balance;
  o.limit = s.limit;
  o.bucket = nb;
  o.frozen = s.frozen;
  o.util_ppm = utilization_ppm(s.balance, s.limit);
  return o;
}

}  // namespace limitsim
