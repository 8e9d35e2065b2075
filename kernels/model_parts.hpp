// The parts of the customer-month step (kernels/model.hpp): the draws of a month, a customer's
// attributes, the account's starting state and the rules step_month applies (lines, prices,
// probabilities, the behaviour score, recoveries, LGD). Written once, compiled by nvcc for the GPU and
// by g++ for the CPU; no I/O, no allocation, no launch-shape dependence.
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
// approval_mult: the arrival month's scenario multiplier of the policy's share (credit tightening).
LIMITSIM_INLINE bool applicant_approved(const PolicyParams& p, const Customer& c, double approval_mult = 1.0) {
  return c.score >= p.approve_min_score && (p.approve_max_dti <= 0.0 || c.dti <= p.approve_max_dti) &&
         c.pool_rank < p.approve_share * approval_mult;
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

}  // namespace limitsim
