// The behaviour file ([behaviour] and its subtables): its keys, the documented defaults, the factor correlation.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "kernels/special.hpp"
#include "src/config/schema.hpp"
#include "src/util/linalg.hpp"

namespace limitsim {
namespace fields {

namespace {

void set_recovery_curve(BehaviourParams& p, const std::vector<double>& shares) {
  p.recovery_months = static_cast<std::int32_t>(shares.size());
  double cum = 0.0;
  for (int k = 0; k < kMaxRecoveryMonths; ++k) {
    cum += k < p.recovery_months ? shares[static_cast<std::size_t>(k)] : 0.0;
    p.recovery_cum[k] = k + 1 >= p.recovery_months ? 1.0 : cum;  // the last month collects the rest
  }
}

// File values of six buckets (1-30 .. 151-180) <-> params arrays indexed by bucket.
std::vector<double> by_bucket(const double (&a)[kMaxBuckets]) { return {a + 1, a + kMaxBuckets}; }
void set_by_bucket(double (&a)[kMaxBuckets], const std::vector<double>& v) {
  a[0] = 0.0;
  std::copy(v.begin(), v.end(), a + 1);
}

template <class IO>
void delinquency_fields(IO& t, BehaviourConfig& c) {
  BehaviourParams& p = c.params;
  t.number("miss_probability", c.miss_probability, open_open(0, 1));
  p.miss_intercept = logit(c.miss_probability);
  t.number("miss_beta_risk", p.miss_beta_risk, any_number());
  t.number("miss_beta_util", p.miss_beta_util, any_number());
  t.number("util_ref", p.util_ref, closed(0, 1.5));
  std::vector<double> roll = by_bucket(p.roll), cure = by_bucket(p.cure);
  t.numbers("roll", roll, exactly(kMaxBuckets - 1), closed(0, 1));
  t.numbers("cure", cure, exactly(kMaxBuckets - 1), closed(0, 1));
  for (std::size_t i = 0; i < roll.size(); ++i)
    t.check(roll[i] + cure[i] <= 1.0 + kProbTolerance, "cure",
            "roll[" + std::to_string(i) + "] + cure[" + std::to_string(i) + "] must be <= 1, got " +
                fmt_double(roll[i]) + " + " + fmt_double(cure[i]),
            static_cast<int>(i));
  set_by_bucket(p.roll, roll);
  set_by_bucket(p.cure, cure);
  // Partial cures: back one bucket (from 31-60 on), back two (from 61-90 on).
  std::vector<double> back_one = by_bucket(p.partial_cure), back_two = by_bucket(p.partial_cure_two);
  t.numbers("partial_cure", back_one, exactly(kMaxBuckets - 1), closed(0, 1));
  t.numbers("partial_cure_two", back_two, exactly(kMaxBuckets - 1), closed(0, 1));
  t.check(back_one[0] == 0.0, "partial_cure",
          "the 1-30 DPD entry must be 0 (moving back from 1-30 is a cure), got " + fmt_double(back_one[0]), 0);
  for (int i = 0; i < 2; ++i)
    t.check(back_two[i] == 0.0, "partial_cure_two",
            "the 1-30 and 31-60 DPD entries must be 0 (two buckets back from there is a cure), got " +
                fmt_double(back_two[i]),
            i);
  for (std::size_t i = 0; i < roll.size(); ++i)
    t.check(roll[i] + cure[i] + back_one[i] + back_two[i] <= 1.0 + kProbTolerance, "partial_cure",
            "roll[" + std::to_string(i) + "] + cure + partial_cure + partial_cure_two must be <= 1, got " +
                fmt_double(roll[i]) + " + " + fmt_double(cure[i]) + " + " + fmt_double(back_one[i]) + " + " +
                fmt_double(back_two[i]),
            static_cast<int>(i));
  set_by_bucket(p.partial_cure, back_one);
  set_by_bucket(p.partial_cure_two, back_two);
  t.number("roll_beta_risk", p.roll_beta_risk, any_number());
  t.number("roll_beta_util", p.roll_beta_util, any_number());
  std::int32_t dpd = p.chargeoff_bucket * 30;
  t.integer("chargeoff_dpd", dpd, closed(30, 180));
  t.check(dpd % 30 == 0, "chargeoff_dpd", "must be one of 30, 60, 90, 120, 150, 180, got " + std::to_string(dpd));
  p.chargeoff_bucket = dpd / 30;
  t.number("rho", p.rho, closed_open(0, 1));
  t.integer("rho_horizon_months", p.rho_horizon_months, closed(1, 120));
  t.number("income_shock_beta", p.income_shock_beta, closed(0, 20));
}

template <class IO>
void authorisation_fields(IO& t, BehaviourConfig& c) {
  BehaviourParams& p = c.params;
  std::int32_t at_dpd = dpd_of_bucket(p.decline_bucket);
  t.integer("decline_at_dpd", at_dpd, closed(0, 150));
  p.decline_bucket = bucket_of_dpd(at_dpd);
  t.check(p.decline_bucket <= p.chargeoff_bucket, "decline_at_dpd",
          "is past the charge-off at " + std::to_string(30 * p.chargeoff_bucket) +
              " DPD, so no purchase would ever be declined; use at most " +
              std::to_string(dpd_of_bucket(p.chargeoff_bucket)) + " (or 0 for no declines), got " +
              std::to_string(at_dpd));
}

template <class IO>
void factor_fields(IO& t, BehaviourConfig& c) {
  t.number("ar1", c.factor_ar1, open_open(-1, 1));
  t.correlation("correlation", c.factor_correlation, c.factor_correlation_matrix, closed(-1, 1));
  const int R = c.regions;
  if (!c.factor_correlation_matrix.empty()) {
    const auto& m = c.factor_correlation_matrix;
    t.check(m.size() == static_cast<std::size_t>(R), "correlation",
            "must be " + std::to_string(R) + " x " + std::to_string(R) + " (one row per region of the population), got " +
                std::to_string(m.size()) + " rows");
    for (int i = 0; i < R; ++i) {
      t.check(m[i].size() == static_cast<std::size_t>(R), "correlation",
              "row " + std::to_string(i) + " must have " + std::to_string(R) + " entries, got " +
                  std::to_string(m[i].size()),
              i);
      t.check(m[i][i] == 1.0, "correlation",
              "the diagonal must be 1, got " + fmt_double(m[i][i]) + " at [" + std::to_string(i) + "][" +
                  std::to_string(i) + "]",
              i);
      for (int j = 0; j < i; ++j)
        t.check(m[i][j] == m[j][i], "correlation",
                "must be symmetric, got [" + std::to_string(i) + "][" + std::to_string(j) + "] = " +
                    fmt_double(m[i][j]) + " but [" + std::to_string(j) + "][" + std::to_string(i) +
                    "] = " + fmt_double(m[j][i]),
                i);
    }
  }
  const std::vector<double> ev = symmetric_eigenvalues(factor_correlation(c, R), R);
  t.check(ev.front() >= -1e-10, "correlation",
          "must be positive semi-definite, but its smallest eigenvalue is " + fmt_short(ev.front()) +
              (c.factor_correlation_matrix.empty() ? " (a common correlation must be >= -1/(regions - 1))" : ""));
}

template <class IO>
void loss_fields(IO& t, BehaviourConfig& c) {
  BehaviourParams& p = c.params;
  std::string mode = p.lgd_mode == LgdMode::kBeta ? "beta" : "fixed";
  t.choice("lgd_mode", mode, {"fixed", "beta"});
  p.lgd_mode = mode == "beta" ? LgdMode::kBeta : LgdMode::kFixed;
  t.number("lgd", p.lgd, closed(0, 1));
  if (p.lgd_mode == LgdMode::kBeta) {
    t.check(p.lgd > 0.0 && p.lgd < 1.0, "lgd", "must be in (0, 1) when lgd_mode = \"beta\", got " + fmt_double(p.lgd));
    if (c.lgd_concentration <= 0.0) c.lgd_concentration = kDefaultLgdConcentration;
    t.number("lgd_concentration", c.lgd_concentration, above(0));
    p.lgd_beta_a = p.lgd * c.lgd_concentration;
    p.lgd_beta_b = (1.0 - p.lgd) * c.lgd_concentration;
  } else {
    t.forbid("lgd_concentration", "only allowed when lgd_mode = \"beta\" (lgd_mode is \"fixed\")");
    c.lgd_concentration = 0.0;
    p.lgd_beta_a = p.lgd_beta_b = 0.0;
  }
  t.integer("reversal_months", p.reversal_months, closed(0, kHistoryMonths));
  t.numbers("recovery_curve", c.recovery_curve, non_empty(kMaxRecoveryMonths), closed(0, 1));
  double sum = 0.0;
  for (const double share : c.recovery_curve) sum += share;
  t.check(std::fabs(sum - 1.0) <= kSumTolerance, "recovery_curve",
          "the shares must sum to 1, got " + fmt_double(sum));
  set_recovery_curve(p, c.recovery_curve);
}

struct MpbBand {
  double score_min;
  double mpb;
};

template <class IO>
void spending_fields(IO& t, BehaviourConfig& c) {
  BehaviourParams& p = c.params;
  std::vector<MpbBand> bands;
  for (int i = 0; i < p.n_mpb_bands; ++i) bands.push_back({p.mpb_score_min[i], p.mpb[i]});
  t.rows("borrowing_response", bands, at_most(kMaxMpbBands), [](auto& row, MpbBand& b) {
    for (const char* key : {"score_min", "mpb"}) row.need(key);
    row.number("score_min", b.score_min, closed(0, 950));
    row.number("mpb", b.mpb, closed(0, 1));
  });
  score_rows(t, "borrowing_response", bands, "covered");
  p.n_mpb_bands = static_cast<std::int32_t>(bands.size());
  for (int i = 0; i < kMaxMpbBands; ++i) {
    const bool used = i < p.n_mpb_bands;
    p.mpb_score_min[i] = used ? bands[i].score_min : 0.0;
    p.mpb[i] = used ? bands[i].mpb : 0.0;
  }
  t.number("sigma", p.spend_sigma, closed(0, 3));
  t.number("limit_elasticity", p.spend_limit_elasticity, closed(0, 1));
  t.number("draws_extra_mean", p.draws_extra_mean, closed(0, 50));
  t.number("draws_beta_risk", p.draws_beta_risk, closed(-5, 5));
  t.number("draws_beta_util", p.draws_beta_util, closed(-5, 5));
}

template <class IO>
void score_fields(IO& t, BehaviourConfig& c) {
  BehaviourParams& p = c.params;
  t.number("bucket_penalty", p.score_bucket_penalty, closed(0, 600));
  t.number("recent_missed_penalty", p.score_recent_penalty, closed(0, 600));
  t.integer("recent_months", p.score_recent_months, closed(1, 120));
  t.number("utilization_penalty", p.score_util_penalty, closed(0, 600));
}

template <class IO>
void payment_fields(IO& t, BehaviourConfig& c) {
  BehaviourParams& p = c.params;
  t.number("min_payment_rate", p.min_payment_rate, open_closed(0, 1));
  t.money("min_payment_floor", p.min_payment_floor, at_least(0));
  t.number("apr", p.apr, closed(0, 2));
  t.money("late_fee", p.late_fee, at_least(0));
}

template <class IO>
void attrition_fields(IO& t, BehaviourConfig& c) {
  t.number("monthly_rate", c.params.attrition_rate, closed(0, 1));
  bool runoff = c.params.attrition_runoff != 0;
  t.boolean("runoff", runoff);
  c.params.attrition_runoff = runoff ? 1 : 0;
}

// Seasoning: the miss probability's multiplier by months on book (kernels/params.hpp).
template <class IO>
void seasoning_fields(IO& t, BehaviourConfig& c) {
  t.optional_numbers("miss_multiplier", c.seasoning, at_most(kMaxSeasoning), closed(0, 20));
  BehaviourParams& p = c.params;
  p.n_seasoning = static_cast<std::int32_t>(c.seasoning.size());
  for (int i = 0; i < kMaxSeasoning; ++i) p.seasoning[i] = i < p.n_seasoning ? c.seasoning[i] : 0.0;
}

}  // namespace

template <class IO>
void calibration_fields(IO& t, BehaviourConfig& b) {
  CalibrationInfo& c = b.calibration;
  t.need("source");
  t.text("source", c.source);
  t.check(!c.source.empty(), "source", "must name the data file the behaviour was estimated from");
  t.text("sha256", c.sha256);
  t.text("mapping", c.mapping);
  t.texts("months", c.months, at_most(kMaxMonths));
  t.integer("customers", c.customers, at_least(0));
  t.integer("transitions", c.transitions, at_least(0));
  t.number("score_mean", c.score_mean, closed(0, 950));
  t.number("score_sd", c.score_sd, at_least(0));
  t.text("created", c.created);
  t.text("limitsim_version", c.limitsim_version);
}

template <class IO>
void behaviour_fields(IO& t, BehaviourConfig& c) {
  subtable(t, "spending", c, spending_fields<IO>);
  subtable(t, "payment", c, payment_fields<IO>);
  subtable(t, "delinquency", c, delinquency_fields<IO>);
  subtable(t, "authorisation", c, authorisation_fields<IO>);
  subtable(t, "loss", c, loss_fields<IO>);
  subtable(t, "attrition", c, attrition_fields<IO>);
  if (t.present("seasoning", !c.seasoning.empty()))
    subtable(t, "seasoning", c, seasoning_fields<IO>);
  else
    t.allow("seasoning");
  subtable(t, "score", c, score_fields<IO>);
  subtable(t, "factors", c, factor_fields<IO>);
  // Provenance of a calibrated behaviour: written only when there is some.
  if (!t.present("calibration", !c.calibration.source.empty())) return;
  subtable(t, "calibration", c, calibration_fields<IO>);
}

template void behaviour_fields<Reader>(Reader&, BehaviourConfig&);
template void behaviour_fields<Writer>(Writer&, BehaviourConfig&);

}  // namespace fields

// The card_prime profile (configs/behaviour/card_prime.toml, whose values these are; a test checks
// that they agree). Sources key by key are in that file and docs/config.md.
BehaviourParams default_behaviour() {
  BehaviourParams p;
  std::memset(&p, 0, sizeof p);
  p.spend_sigma = 0.5;
  p.spend_limit_elasticity = 0.0;
  p.draws_extra_mean = 1.0;
  p.draws_beta_risk = 0.3;
  p.draws_beta_util = 0.5;
  const double mpb_score_min[] = {740.0, 700.0, 660.0, 350.0}, mpb[] = {0.0, 0.2, 0.39, 0.59};
  p.n_mpb_bands = 4;
  for (int i = 0; i < 4; ++i) {
    p.mpb_score_min[i] = mpb_score_min[i];
    p.mpb[i] = mpb[i];
  }
  p.min_payment_rate = 0.025;
  p.min_payment_floor = 2500;  // 25.00
  p.apr = 0.215;
  p.late_fee = 3000;  // 30.00
  p.miss_intercept = logit(kDefaultMissProbability);
  p.miss_beta_risk = 0.9;
  p.miss_beta_util = 1.5;
  p.util_ref = 0.5;
  fields::set_by_bucket(p.roll, {0.25, 0.463, 0.6688, 0.7717, 0.8232, 0.8746});
  fields::set_by_bucket(p.cure, {0.55, 0.152, 0.075, 0.015, 0.0196, 0.0167});
  fields::set_by_bucket(p.partial_cure, {0.0, 0.0616, 0.154, 0.027, 0.036, 0.025});
  fields::set_by_bucket(p.partial_cure_two, {0.0, 0.0, 0.046, 0.109, 0.105, 0.075});
  p.roll_beta_risk = 0.3;
  p.roll_beta_util = 0.5;
  p.chargeoff_bucket = 6;  // 180 DPD
  p.rho = 0.04;
  p.rho_horizon_months = 12;
  p.income_shock_beta = 3.0;
  p.decline_bucket = 1;  // any amount past due
  p.lgd_mode = LgdMode::kFixed;
  p.lgd = 0.88;
  p.reversal_months = 6;
  fields::set_recovery_curve(p, default_recovery_curve());
  p.attrition_rate = 0.005;
  p.score_bucket_penalty = 40.0;
  p.score_recent_penalty = 60.0;
  p.score_recent_months = 12;
  p.score_util_penalty = 80.0;
  return p;
}

std::vector<double> default_recovery_curve() {
  return {0.0, 0.15, 0.15, 0.12, 0.1, 0.1, 0.08, 0.08, 0.06, 0.06, 0.05, 0.05};
}

std::vector<double> factor_correlation(const BehaviourConfig& b, int regions) {
  const std::size_t R = static_cast<std::size_t>(regions);
  std::vector<double> c(R * R);
  for (std::size_t i = 0; i < R; ++i)
    for (std::size_t j = 0; j < R; ++j)
      c[i * R + j] = i == j ? 1.0
                            : (b.factor_correlation_matrix.empty() ? b.factor_correlation
                                                                   : b.factor_correlation_matrix[i][j]);
  return c;
}

}  // namespace limitsim
