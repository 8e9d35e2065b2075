// The customer-month step: written once, compiled by nvcc for the GPU and by
// g++ for the CPU. No I/O, no allocation, no launch-shape dependence.
//
// Order of events within month m (docs/model.md "One month"):
//   0. an income shock may start (scenario probability; it lowers spending and
//      raises the miss and roll odds while it lasts);
//   1. delinquency event on the statement due (the balance carried in):
//      current -> miss, or delinquent -> roll forward / cure / stay,
//      correlated across customers through the systematic factor;
//   2. payment (none on a miss or roll; the minimum when staying; transactors
//      pay in full, revolvers between the minimum and the full statement);
//   3. interest on the revolved amount, a late fee on a miss or roll;
//      a delinquent account may also move back one or two buckets (a partial cure);
//   4. spending, capped by the available line (plus a temporary raise in
//      flagged months), with the borrowing response to line increases; none
//      on a frozen line or on an account past the authorisation bucket;
//   5. charge-off (interest and fees of the last months reversed, the rest
//      x LGD lost, the recovery collected along a monthly curve) or voluntary
//      attrition closes the account (or starts its run-off);
//   6. limit policy at month end: freeze / unfreeze, decrease (score,
//      utilization, borrowing frequency), then periodic review or event
//      trigger increase.
#pragma once

#include <cstdint>

#include "customer.hpp"
#include "hd.hpp"
#include "params.hpp"
#include "rng.hpp"
#include "special.hpp"

namespace limitsim {

// On the GPU a warp runs both sides of any branch its 32 lanes disagree on, so
// the step computes its costly terms (logistic, copula, normal quantiles, exp,
// pow) at one place for every lane there (kEager) instead of inside the
// branches that use them; on the CPU only where they are used. The numbers
// that are used are the same either way.
#if defined(__CUDA_ARCH__)
constexpr bool kEager = true;
#else
constexpr bool kEager = false;
#endif

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
  kDrawIncomeShock = 7,// an income shock starts this month
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
  std::int32_t segment, region, months_on_book, bucket;
  std::int32_t months_current, since_missed;  // payment history at the start (CustomerView)
  std::int32_t arrival;                        // an applicant's arrival month (0-based)
  float demand, pool_rank, dti;                // an applicant's demand, place in its pool, debt-to-income
                                               // (floats as stored: fewer registers on the GPU)
  bool transactor;
  bool applicant;                              // false: a customer of the opening book
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
  c.region = v.region[i];
  c.months_on_book = v.months_on_book[i];
  c.bucket = v.bucket[i];
  c.months_current = v.months_current[i];
  c.since_missed = v.since_missed[i];
  c.transactor = v.transactor[i] != 0;
  c.applicant = v.arrival != nullptr && v.arrival[i] >= 0;
  c.arrival = c.applicant ? v.arrival[i] : 0;
  c.demand = v.demand ? v.demand[i] : 0.0f;
  c.pool_rank = v.pool_rank ? v.pool_rank[i] : 0.0f;
  c.dti = v.dti ? v.dti[i] : 0.0f;
  return c;
}

LIMITSIM_INLINE std::int64_t min64(std::int64_t a, std::int64_t b) { return a < b ? a : b; }
LIMITSIM_INLINE std::int64_t max64(std::int64_t a, std::int64_t b) { return a > b ? a : b; }
LIMITSIM_INLINE std::int64_t round_cents(double x) { return static_cast<std::int64_t>(llround(x)); }

// Largest multiple of unit not above x (x >= 0, unit >= 1).
LIMITSIM_INLINE std::int64_t round_down(std::int64_t x, std::int64_t unit) { return x / unit * unit; }

// Utilization in parts per million, capped at 10x the line. No line but a
// balance counts as the cap.
LIMITSIM_INLINE std::int32_t utilization_ppm(std::int64_t balance, std::int64_t limit) {
  constexpr std::int64_t kCap = 10000000;
  if (balance <= 0) return 0;
  if (limit <= 0) return static_cast<std::int32_t>(kCap);
  const double u = static_cast<double>(balance) * 1e6 / static_cast<double>(limit);
  return static_cast<std::int32_t>(u >= static_cast<double>(kCap) ? kCap : llround(u));
}

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

// APR of a customer: the policy's price band by origination score, else the behaviour's.
LIMITSIM_INLINE double customer_apr(const ModelView& mv, double score) {
  const PolicyParams& p = mv.policy;
  for (int b = 0; b < p.n_price_bands; ++b)
    if (score >= p.price_score_min[b]) return p.price_apr[b];
  return p.n_price_bands > 0 ? p.price_apr[p.n_price_bands - 1] : mv.behaviour.apr;
}

// Is utilization (ppm) at or above the decrease rule's level? Compared in whole
// ppm, the same way at the start of the run and every month.
LIMITSIM_INLINE bool high_utilization(const PolicyParams& p, std::int32_t util_ppm) {
  return p.decrease_high_util > 0.0 && util_ppm >= llround(p.decrease_high_util * 1e6);
}

LIMITSIM_INLINE std::int32_t months_later(std::int32_t m) { return m < kLongAgo ? m + 1 : kLongAgo; }

// Does an applicant open an account? It must be present under the scenario (its demand below the
// arrival month's applicant_mult) and pass the policy's approval rule (docs/model.md "Acquisition").
LIMITSIM_INLINE bool applicant_present(const ModelView& mv, const Customer& c) {
  return c.applicant && c.demand < mv.scenario[c.arrival].applicant_mult;
}
LIMITSIM_INLINE bool applicant_approved(const PolicyParams& p, const Customer& c) {
  return c.score >= p.approve_min_score && (p.approve_max_dti <= 0.0 || c.dti <= p.approve_max_dti) &&
         c.pool_rank < p.approve_share;
}

// The state a customer starts the run in. An applicant starts closed: its account opens (as a new
// account, months on book 0) in its arrival month, if it is present and approved (open_applicant).
LIMITSIM_INLINE AccountState init_state(const ModelView& mv, const Customer& c) {
  AccountState s;
  const bool is_new = c.months_on_book == 0 || c.applicant;
  s.limit = is_new ? initial_line(mv.policy, c.score, c.income) : c.limit;
  s.open_limit = s.limit;
  s.balance = is_new ? 0 : c.balance;
  // An opening bucket past the behaviour's charge-off point counts as that point.
  s.bucket = is_new ? 0 : (c.bucket < mv.behaviour.chargeoff_bucket ? c.bucket : mv.behaviour.chargeoff_bucket);
  s.months_on_book = c.months_on_book;
  // The history the population carries (a synthetic one: current since opening, never missed).
  s.months_current = s.bucket == 0 ? c.months_current : 0;
  s.since_missed = s.bucket == 0 ? c.since_missed : 0;
  s.since_increase = c.months_on_book < kLongAgo ? c.months_on_book : kLongAgo;
  s.since_decrease = kLongAgo;
  // Existing accounts: the opening utilization stands for the months before the run.
  const std::int32_t opening_util_ppm = utilization_ppm(s.balance, s.limit);
  s.high_util_months = !is_new && high_utilization(mv.policy, opening_util_ppm) ? kHistoryMonths : 0;
  // Existing accounts: the opening utilization stands for the months before the
  // run, and their draw history (unknown) starts at zero. New accounts have none.
  s.util_bp.fill(is_new ? 0 : static_cast<std::uint64_t>(opening_util_ppm / 100));
  s.draws.fill(0);
  s.history_months = is_new ? 0 : kHistoryMonths;
  s.shock_left = 0;
  s.shock_size = 0.0f;
  s.accrued.fill(0);  // the months before the run count as none
  s.borrowed = 0;
  s.recovery_total = s.recovery_done = 0;
  s.recovery_age = 0;
  s.open = !c.applicant;
  s.runoff = false;
  s.frozen = mv.policy.freeze_bucket > 0 && s.bucket >= mv.policy.freeze_bucket;
  return s;
}

// The seasoning multiplier of the miss probability at `mob` months on book.
LIMITSIM_INLINE double seasoning_mult(const BehaviourParams& bp, std::int32_t mob) {
  if (bp.n_seasoning <= 0) return 1.0;
  const int k = mob < bp.n_seasoning - 1 ? (mob > 0 ? mob : 0) : bp.n_seasoning - 1;
  return bp.seasoning[k];
}

// The behaviour score the policy rules see at month end (docs/model.md
// "Behaviour score"): the origination score less penalties for the current
// bucket, a recent missed payment and utilization above util_ref.
LIMITSIM_INLINE double behaviour_score(const BehaviourParams& bp, const Customer& c, const AccountState& s,
                                       double util) {
  const double u = util < 1.5 ? util : 1.5;
  const double recent = s.since_missed < bp.score_recent_months
                            ? static_cast<double>(bp.score_recent_months - s.since_missed) / bp.score_recent_months
                            : 0.0;
  double score = c.score - bp.score_bucket_penalty * s.bucket - bp.score_recent_penalty * recent -
                 bp.score_util_penalty * (u > bp.util_ref ? u - bp.util_ref : 0.0);
  if (score < 350.0) score = 350.0;
  if (score > 950.0) score = 950.0;
  return score;
}

// 1 + Poisson(lambda) by inversion of the uniform u (at most 255).
LIMITSIM_INLINE std::int32_t draw_count(double u, double lambda) {
  double p = exp(-lambda), cdf = p;
  std::int32_t k = 0;
  while (u > cdf && k < 254) {
    ++k;
    p *= lambda / k;
    cdf += p;
  }
  return k + 1;
}

// p moved by `shift` on the logit scale; p itself when shift is 0, so a fixed
// roll-rate matrix is reproduced exactly.
LIMITSIM_INLINE double logit_shift(double p, double shift) {
  if (shift == 0.0 || p <= 0.0 || p >= 1.0) return p;
  return logistic(logit(p) + shift);
}

// The monthly probability of an event whose H-month probability 1 - (1 - p)^H
// follows the one-factor Gaussian copula given the factor z: the H-month
// survival s = (1 - p)^H becomes Phi((Phi^-1(s) + sqrt(rho) z) / sqrt(1 - rho))
// (Vasicek), and the monthly probability 1 - s_z^(1/H). Its mean over z keeps
// the H-month probability exactly (docs/model.md "Correlation horizon").
LIMITSIM_INLINE double horizon_conditional(double p, double z, double rho, int horizon) {
  const double s = exp(horizon * log1p(-p));
  const double s_z = norm_cdf((norm_inv(s) + sqrt(rho) * z) / sqrt(1.0 - rho));
  return -expm1(log(s_z) / horizon);
}

// One-factor Gaussian copula: the event happens when the latent
// sqrt(rho) Z + sqrt(1 - rho) eps falls below Phi^-1(p), eps = Phi^-1(u).
// Conditional on Z, its probability is Phi((Phi^-1(p) - sqrt(rho) Z) / sqrt(1 - rho)).
// With rho = 0 it is exactly u < p. With a horizon of H > 1 months, rho is the
// correlation of H-month events: the event happens when u < horizon_conditional(p, Z).
LIMITSIM_INLINE bool copula_event(double u, double p, double z, double rho, int horizon = 1) {
  if (p <= 0.0) return false;
  if (p >= 1.0) return true;
  if (rho == 0.0) return u < p;
  if (horizon > 1) return u < horizon_conditional(p, z, rho, horizon);
  return sqrt(rho) * z + sqrt(1.0 - rho) * norm_inv(u) < norm_inv(p);
}

// The share of a line increase a customer borrows (behaviour mpb): the first
// band, sorted by descending score_min, whose score_min <= the origination score.
LIMITSIM_INLINE double borrowing_response(const BehaviourParams& bp, double score) {
  for (int b = 0; b < bp.n_mpb_bands; ++b)
    if (score >= bp.mpb_score_min[b]) return bp.mpb[b];
  return bp.n_mpb_bands > 0 ? bp.mpb[bp.n_mpb_bands - 1] : 0.0;
}

// Collects this month's part of a charged-off account's recovery: by the end
// of the k-th month from the charge-off month (k = 0, 1, ...),
// round(recovery x recovery_cum[k]) in all, and the whole recovery in the last.
LIMITSIM_INLINE std::int64_t collect_recovery(const BehaviourParams& bp, AccountState& s) {
  const int k = s.recovery_age;
  const std::int64_t upto =
      k + 1 >= bp.recovery_months ? s.recovery_total
                                  : round_cents(static_cast<double>(s.recovery_total) * bp.recovery_cum[k]);
  const std::int64_t now = upto - s.recovery_done;
  s.recovery_done = upto;
  s.recovery_age = k + 1;
  if (k + 1 >= bp.recovery_months) s.recovery_total = s.recovery_done = 0;  // collected in full
  return now;
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

// A revolver pays min_due + (due - min_due) * share, share = u^gamma in [0, 1]
// (gamma > 1 leans towards the minimum). Result in [min_due, due].
LIMITSIM_INLINE std::int64_t revolver_payment_share(std::int64_t due, std::int64_t min_due, double share) {
  const std::int64_t extra = round_cents(static_cast<double>(due - min_due) * share);
  return min64(due, min_due + extra);
}

LIMITSIM_INLINE bool month_flagged(const std::uint64_t (&mask)[kMonthMaskWords], int month) {
  return month >= 0 && month < kMaxMonths && ((mask[month / 64] >> (month % 64)) & 1u) != 0;
}

// New line after a raise of limit x pct + amount, capped per action and by max_limit, rounded down.
LIMITSIM_INLINE std::int64_t raised_line(const PolicyParams& pp, std::int64_t limit, double pct, std::int64_t amount,
                                         std::int64_t max_raise) {
  std::int64_t raise = round_cents(static_cast<double>(limit) * pct) + amount;
  if (max_raise > 0) raise = min64(raise, max_raise);
  return min64(pp.max_limit, round_down(limit + raise, pp.line_rounding));
}

// New line after a cut to max(balance, pct x line), rounded down to the rounding unit.
LIMITSIM_INLINE std::int64_t cut_line(const PolicyParams& pp, std::int64_t limit, std::int64_t balance, double pct) {
  const std::int64_t target = round_down(round_cents(static_cast<double>(limit) * pct), pp.line_rounding);
  return max64(balance > 0 ? balance : 0, target);
}

// Advances one open account by one month. `z` is the systematic factor of the
// customer's region at this (path, month), before the scenario's shift.
LIMITSIM_INLINE MonthOutcome step_month(const ModelView& mv, const Customer& c, AccountState& s, int month,
                                        const MonthDraws& d, double z) {
  MonthOutcome o{};
  o.was_open = s.open;
  o.bucket = s.bucket;
  if (!s.open) {
    if (s.recovery_total > 0) o.recovery = collect_recovery(mv.behaviour, s);  // after a charge-off
    return o;
  }

  const BehaviourParams& bp = mv.behaviour;
  const PolicyParams& pp = mv.policy;
  const ScenarioMonth& sc = mv.scenario[month];
  const std::int32_t b = s.bucket;
  const std::int64_t due = s.balance > 0 ? s.balance : 0;
  const double util = utilization_ppm(s.balance, s.limit) * 1e-6;
  const double util_excess = (util < 1.5 ? util : 1.5) - bp.util_ref;
  const double zs = z + sc.factor_shift;

  // An income shock may start (it lasts shock_months months, this one included).
  bool shock_start = false;
  if (s.shock_left == 0 && d.u[kDrawIncomeShock] < sc.shock_prob) {
    s.shock_left = sc.shock_months;
    s.shock_size = static_cast<float>(sc.shock_size);
    shock_start = true;
  }
  const double income_lost = s.shock_left > 0 ? static_cast<double>(s.shock_size) : 0.0;
  const double shock_logit = bp.income_shock_beta * income_lost;
  o.shock_start = shock_start;
  o.shocked = s.shock_left > 0;

  // A temporary raise for this month, decided on the state the month starts in.
  std::int64_t temp_extra = 0;
  if (month_flagged(pp.temp_month_mask, month) && b == 0 && !s.frozen && !s.runoff) {
    temp_extra = round_down(round_cents(static_cast<double>(s.limit) * pp.temp_raise_pct) + pp.temp_raise_amount,
                            pp.line_rounding);
    temp_extra = min64(temp_extra, max64(0, pp.max_limit - s.limit));  // not past the policy's ceiling
  }
  const std::int64_t line = s.limit + temp_extra;

  // 1. Delinquency event on the statement due: current -> miss with the
  // logistic miss probability; delinquent -> roll forward with the roll rate
  // moved on the logit scale (exactly the roll rate when the shift is 0), else
  // cure, move back one or two buckets, or stay. One copula event serves both.
  bool missed = false, rolled = false, cured = false;
  std::int32_t back = 0;  // buckets moved back by a partial cure
  if (kEager || due > 0) {
    const double roll_shift = bp.roll_beta_risk * c.risk + bp.roll_beta_util * util_excess + shock_logit;
    const double p_roll = bp.roll[b > 0 ? b : 1];
    const bool moved = b > 0 && roll_shift != 0.0 && p_roll > 0.0 && p_roll < 1.0;
    double x = 0.0;  // the event's log-odds where a logistic gives its probability
    if (b == 0) {
      x = bp.miss_intercept + bp.miss_beta_risk * c.risk + bp.miss_beta_util * util_excess + shock_logit;
    } else if (kEager || moved) {
      x = logit(moved ? p_roll : 0.5) + roll_shift;
    }
    const double q = (kEager || b == 0 || moved) ? logistic(x) : 0.0;
    const double p =
        b == 0 ? q * sc.miss_mult * seasoning_mult(bp, s.months_on_book) : (moved ? q : p_roll) * sc.roll_mult;
    const bool event = copula_event(d.u[kDrawDelinquency], p, zs, bp.rho, bp.rho_horizon_months);
    missed = due > 0 && b == 0 && event;
    rolled = due > 0 && b > 0 && event;
    if (due > 0 && b > 0 && !rolled) {
      // Given no roll: cure, back one bucket, back two, or stay, in that order on one uniform.
      const double no_roll = 1.0 - bp.roll[b];
      const double cure_share = bp.roll[b] < 1.0 ? bp.cure[b] / no_roll : 0.0;
      cured = d.u[kDrawCure] < cure_share;
      if (!cured && bp.roll[b] < 1.0) {
        const double back_one = (bp.cure[b] + bp.partial_cure[b]) / no_roll;
        const double back_two = (bp.cure[b] + bp.partial_cure[b] + bp.partial_cure_two[b]) / no_roll;
        back = d.u[kDrawCure] < back_one ? 1 : (d.u[kDrawCure] < back_two ? 2 : 0);
        if (back > b - 1) back = b - 1;  // never past 1-30: that would be a cure
      }
    }
  }
  if (due <= 0 && b > 0) cured = true;  // nothing owed any more: arrears are cleared

  // 2. Payment.
  const std::int64_t min_due =
      due > 0 ? min64(due, max64(bp.min_payment_floor, round_cents(bp.min_payment_rate * static_cast<double>(due)))) : 0;
  std::int64_t pay = 0;
  const bool pays_share = !(missed || rolled) && !(b > 0 && !cured) && !c.transactor;
  const double pay_share = (kEager || pays_share) ? pow(d.u[kDrawPayRatio], c.revolve_shape) : 0.0;
  if (missed || rolled) {
    pay = 0;
  } else if (b > 0 && !cured) {
    // Stays in its bucket: pays this month's minimum, not the arrears; moving
    // back k buckets also pays k months of arrears.
    pay = back > 0 ? min64(due, static_cast<std::int64_t>(back + 1) * min_due) : min_due;
  } else {
    pay = c.transactor ? due : revolver_payment_share(due, min_due, pay_share);
    if (cured) pay = max64(pay, min64(due, static_cast<std::int64_t>(b + 1) * min_due));  // clears the arrears
  }

  // 3. Interest on what is carried, and the late fee.
  const std::int64_t fee = (missed || rolled) ? bp.late_fee : 0;
  const std::int64_t revolved = due - pay;
  const std::int64_t interest =
      revolved > 0 ? round_cents(static_cast<double>(revolved) * (customer_apr(mv, c.score) / 12.0)) : 0;
  std::int32_t nb = missed ? 1 : (rolled ? b + 1 : (cured ? 0 : b - back));
  const bool charge_off = rolled && nb > bp.chargeoff_bucket;
  std::int64_t balance = s.balance - pay + interest + fee;

  // 4. Spending, capped by the available line. A used card makes 1 + Poisson
  // draws; the count reuses the activity uniform, rescaled to (0, 1) given use,
  // so the number of uniforms per month does not change. Authorisation declines
  // purchases on an account at or past decline_bucket after this month's event.
  // The borrowing response: the customer keeps mpb x (limit - opening limit)
  // more on the card. What it borrowed so far is repaid in proportion to the
  // statement (a full payment repays it all), and topped up by spending.
  const bool declined = bp.decline_bucket > 0 && nb >= bp.decline_bucket;
  const bool allowed = !charge_off && !s.frozen && !declined && !s.runoff;  // a run-off line takes no purchases
  const std::int64_t carried_borrowing =
      s.borrowed > 0 && due > 0
          ? round_cents(static_cast<double>(s.borrowed) * (static_cast<double>(due - pay) / static_cast<double>(due)))
          : 0;
  const std::int64_t target_borrowing =
      bp.n_mpb_bands > 0 && s.limit > s.open_limit
          ? round_cents(borrowing_response(bp, c.score) * static_cast<double>(s.limit - s.open_limit))
          : 0;
  const std::int64_t top_up = allowed ? max64(0, target_borrowing - carried_borrowing) : 0;
  std::int64_t spend = 0;
  std::int32_t draws = 0;
  const bool uses = allowed && d.u[kDrawActive] < c.activity;
  const bool elastic = bp.spend_limit_elasticity != 0.0 && s.open_limit > 0 && line > 0 && line != s.open_limit;
  const double noise = (kEager || uses)
                           ? exp(bp.spend_sigma * norm_inv(d.u[kDrawSpend]) - 0.5 * bp.spend_sigma * bp.spend_sigma)
                           : 0.0;
  const double line_factor =
      (kEager || (uses && elastic))
          ? pow(elastic ? static_cast<double>(line) / static_cast<double>(s.open_limit) : 1.0, bp.spend_limit_elasticity)
          : 1.0;
  const double lambda = (kEager || uses) && bp.draws_extra_mean > 0.0
                            ? bp.draws_extra_mean * exp(bp.draws_beta_risk * c.risk + bp.draws_beta_util * util_excess)
                            : 0.0;
  if (uses || top_up > 0) {
    double desired = 0.0;
    if (uses) {
      desired = static_cast<double>(c.income) * c.spend_propensity / c.activity * noise * sc.spend_mult *
                (1.0 - income_lost);
      if (elastic) desired *= line_factor;
    }
    if (top_up > 0) desired += static_cast<double>(top_up);
    const std::int64_t available = max64(0, line - balance);
    spend = desired < static_cast<double>(available) ? round_cents(desired) : available;
    if (spend > 0 && (bp.draws_extra_mean <= 0.0 || !uses)) {
      draws = 1;  // a top-up alone is one draw
    } else if (spend > 0) {
      draws = draw_count(d.u[kDrawActive] / c.activity, lambda);
    }
  }
  balance += spend;
  const std::int64_t borrowed = carried_borrowing + min64(top_up, spend);  // the top-up comes first

  o.spend = spend;
  o.draws = draws;
  o.payment = pay;
  o.interest = interest;
  o.fees = fee;
  o.missed = missed || rolled;
  o.partial_cure = back > 0;
  o.declined = declined && !charge_off;

  // 5. Charge-off or attrition closes the account. The interest and fees of
  // the last reversal_months months (this one included) are reversed, at most
  // the balance; the charge-off is the rest, lost x LGD and recovered over the
  // recovery curve from this month on.
  if (charge_off) {
    const double lgd_raw = draw_lgd(mv, d.u[kDrawLgd]) * sc.lgd_mult;
    const double lgd = lgd_raw < 1.0 ? lgd_raw : 1.0;
    const std::int64_t accrued =
        bp.reversal_months > 0
            ? interest + fee + static_cast<std::int64_t>(s.accrued.sum(bp.reversal_months - 1))
            : 0;
    const std::int64_t reversal = max64(0, min64(balance, accrued));
    const std::int64_t gross = balance - reversal;
    o.charged_off = true;
    o.reversal = reversal;
    o.chargeoff_exposure = gross;
    o.chargeoff_loss = round_cents(static_cast<double>(gross) * lgd);
    o.chargeoff_recovery = gross - o.chargeoff_loss;
    if (bp.recovery_months > 0 && o.chargeoff_recovery > 0) {
      s.recovery_total = o.chargeoff_recovery;
      s.recovery_done = 0;
      s.recovery_age = 0;
      o.recovery = collect_recovery(bp, s);
    } else {
      o.recovery = o.chargeoff_recovery;  // all in the charge-off month
    }
    s.open = false;
    s.balance = 0;
    s.bucket = nb;
    o.bucket = nb;
    return o;
  }
  // Attrition: the customer leaves. It pays off and closes at once, or (attrition_runoff) stops
  // purchasing and runs its balance off through its payments; nothing to run off closes at once.
  const bool attrites = !s.runoff && nb == 0 && d.u[kDrawAttrition] < bp.attrition_rate;
  if (attrites && (bp.attrition_runoff == 0 || balance <= 0)) {
    o.attrited = true;
    o.payment += balance;  // pays off and closes
    s.open = false;
    s.balance = 0;
    s.bucket = 0;
    return o;
  }
  if (attrites) {
    o.attrited = true;
    s.runoff = true;
  }

  // 6. Limit policy at month end.
  s.balance = balance;
  s.bucket = nb;
  s.months_current = nb == 0 ? s.months_current + 1 : 0;
  s.months_on_book += 1;
  s.since_missed = o.missed ? 0 : months_later(s.since_missed);
  s.since_increase = months_later(s.since_increase);
  s.since_decrease = months_later(s.since_decrease);
  if (s.shock_left > 0) --s.shock_left;
  s.accrued.push(static_cast<std::uint64_t>(interest + fee));
  s.borrowed = min64(borrowed, max64(0, balance));
  const std::int32_t end_util_ppm = utilization_ppm(balance, line);
  s.util_bp.push(static_cast<std::uint64_t>(end_util_ppm / 100));
  s.draws.push(static_cast<std::uint64_t>(draws));
  if (s.history_months < kHistoryMonths) ++s.history_months;

  // A run-off account closes at the month end its balance reaches zero, and until then takes no line
  // action (`acts` is false: no freeze, cut, signal or raise).
  if (s.runoff && balance <= 0) {
    s.open = false;
    s.balance = 0;
    s.bucket = 0;
    return o;
  }
  const bool acts = !s.runoff;

  if (acts && pp.freeze_bucket > 0 && !s.frozen && nb >= pp.freeze_bucket) {
    s.frozen = true;
    o.froze = true;
  } else if (acts && s.frozen && pp.unfreeze_after_clean_months > 0 &&
             s.months_current >= pp.unfreeze_after_clean_months) {
    s.frozen = false;
  }

  const double end_util = end_util_ppm * 1e-6;
  const double score = behaviour_score(bp, c, s, end_util);
  const bool signal =
      acts && pp.freq_window > 0 && s.draws.sum(pp.freq_window) >= static_cast<std::uint64_t>(pp.freq_max_draws);
  s.high_util_months = high_utilization(pp, end_util_ppm) ? s.high_util_months + 1 : 0;

  // Decreases first: an account cut this month is not raised.
  double cut_pct = 2.0;  // above 1: no cut
  if (acts && pp.decrease_cut_to_pct > 0.0) {
    const bool low_score = pp.decrease_score_below > 0.0 && score < pp.decrease_score_below;
    const bool stressed = pp.decrease_high_util > 0.0 && s.high_util_months >= pp.decrease_high_util_months &&
                          score <= c.score - pp.decrease_score_drop;
    if (low_score || stressed) cut_pct = pp.decrease_cut_to_pct;
  }
  if (signal && pp.freq_cut_to_pct > 0.0 && pp.freq_cut_to_pct < cut_pct) cut_pct = pp.freq_cut_to_pct;
  if (cut_pct <= 1.0 && s.since_decrease >= pp.decrease_cooldown_months) {
    const std::int64_t target = cut_line(pp, s.limit, balance, cut_pct);
    if (target < s.limit) {
      o.limit_decrease = s.limit - target;
      s.limit = target;
      s.since_decrease = 0;
    }
  }

  // Increases: the periodic review on the account's anniversary months, else
  // the event trigger. Never in a month when a cut rule fires (even one held
  // back by the cool-down or with nothing to cut).
  const bool may_raise = acts && cut_pct > 1.0 && !s.frozen && nb == 0 && !(signal && pp.freq_block_increases);
  if (may_raise && pp.review_every > 0 && s.months_on_book % pp.review_every == 0) {
    const int n = pp.review_lookback < s.history_months ? pp.review_lookback : s.history_months;
    const double mean_util_bp = n > 0 ? static_cast<double>(s.util_bp.sum(n)) / n : 0.0;
    if (s.months_current >= pp.review_min_clean_months && s.months_on_book >= pp.review_min_months_on_book &&
        mean_util_bp >= pp.review_min_utilization * 1e4 && score >= pp.review_min_score) {
      const std::int64_t target =
          raised_line(pp, s.limit, pp.review_raise_pct, pp.review_raise_amount, pp.review_max_raise);
      if (target > s.limit) {
        o.limit_increase = target - s.limit;
        s.limit = target;
        s.since_increase = 0;
      }
    }
  }
  if (may_raise && o.limit_increase == 0 && pp.trigger_clean_months > 0) {
    const int n = pp.trigger_clean_months;
    if (s.months_current >= n && s.since_increase >= n && s.history_months >= n &&
        static_cast<double>(s.util_bp.sum(n)) >= pp.trigger_min_utilization * 1e4 * n &&
        score >= pp.trigger_min_score) {
      const std::int64_t target =
          raised_line(pp, s.limit, pp.trigger_raise_pct, pp.trigger_raise_amount, pp.trigger_max_raise);
      if (target > s.limit) {
        o.limit_increase = target - s.limit;
        o.trigger_increase = true;
        s.limit = target;
        s.since_increase = 0;
      }
    }
  }

  o.active = true;
  o.runoff = s.runoff;
  o.balance = s.balance;
  o.limit = s.limit + temp_extra;
  o.temp_extra = temp_extra;
  o.signal = signal;
  o.bucket = nb;
  o.frozen = s.frozen;
  o.util_ppm = utilization_ppm(s.balance, o.limit);
  return o;
}

// One month of a customer, as both backends run it. In an applicant's arrival month the applicant
// applies (when present under the scenario) and, approved, opens its account and lives the month as a
// new account; before it, an applicant is not simulated (the backends start at its arrival month).
LIMITSIM_INLINE MonthOutcome customer_month(const ModelView& mv, const Customer& c, AccountState& s, int month,
                                            const MonthDraws& d, double z) {
  if (!c.applicant || month != c.arrival) return step_month(mv, c, s, month, d, z);
  const bool applies = applicant_present(mv, c);
  const bool opens = applies && applicant_approved(mv.policy, c);
  s.open = opens;
  MonthOutcome o{};
  if (opens) o = step_month(mv, c, s, month, d, z);
  o.applicant = applies;
  o.opened = opens;
  return o;
}

// The first month a customer is simulated in: its arrival month for an applicant, else 0. Its draws
// start there: month m uses the customer-path stream's month m - first_month(c).
LIMITSIM_INLINE int first_month(const Customer& c) { return c.applicant ? c.arrival : 0; }

}  // namespace limitsim
