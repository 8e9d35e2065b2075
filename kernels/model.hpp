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
//
// Its parts (draws, customers, starting state, the rules it applies) are in model_parts.hpp.
#pragma once

#include "model_parts.hpp"

namespace limitsim {

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
  const bool opens = applies && applicant_approved(mv.policy, c, mv.scenario[c.arrival].approval_mult);
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
