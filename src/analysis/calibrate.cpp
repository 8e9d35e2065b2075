// limitsim calibrate: behaviour parameters estimated from a monthly panel
// (docs/calibration.md): counting transitions, the rates, the miss and roll
// regressions, the distributions and the spending spread. The estimators are in
// src/analysis/estimators.cpp, the report and the behaviour file in
// src/analysis/calibrate_report.cpp.

#include "src/analysis/calibrate.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "kernels/model.hpp"
#include "kernels/special.hpp"
#include "src/analysis/calibrate_text.hpp"
#include "src/config/toml_io.hpp"
#include "src/data/features.hpp"
#include "version.hpp"

namespace limitsim {

const std::array<double, 9> kDistributionLevels = {0.01, 0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99};

namespace {

using namespace calib;
using toml_io::fmt_double;

constexpr double kUtilCap = 1.5;           // the model's cap on utilization in the logit terms

// Type 7 quantiles (R's default): linear interpolation between order
// statistics, x[(n-1)p] with fractional positions interpolated.
Distribution distribution(std::vector<double> v) {
  Distribution d;
  d.n = static_cast<std::int64_t>(v.size());
  if (v.empty()) return d;
  std::sort(v.begin(), v.end());
  long double sum = 0.0L;
  for (const double x : v) sum += x;
  d.mean = static_cast<double>(sum / static_cast<long double>(v.size()));
  for (std::size_t j = 0; j < kDistributionLevels.size(); ++j) {
    const double h = (static_cast<double>(v.size()) - 1.0) * kDistributionLevels[j];
    const std::size_t lo = static_cast<std::size_t>(std::floor(h));
    const double frac = h - static_cast<double>(lo);
    d.q[j] = lo + 1 < v.size() ? v[lo] + frac * (v[lo + 1] - v[lo]) : v[lo];
  }
  return d;
}

// One delinquent customer-month of the pooled roll regression.
struct RollRow {
  std::int8_t bucket;
  std::uint8_t rolled;
  double risk, util_excess;
};

std::string version_string() {
  return std::string(LIMITSIM_VERSION) + "+" + LIMITSIM_GIT_COMMIT;
}

}  // namespace

Calibration calibrate(const Panel& p, std::int32_t first, std::int32_t last, const BehaviourConfig& base,
                      const PopulationConfig& pc) {
  const std::int64_t n = p.size();
  const std::size_t cells = static_cast<std::size_t>(n) * static_cast<std::size_t>(std::max(p.months, 0));
  if (p.months < 2) throw ConfigError("calibrate: the panel needs at least 2 months, got " + std::to_string(p.months));
  if (first < 0 || last >= p.months || first >= last)
    throw ConfigError("calibrate: months [" + std::to_string(first) + ", " + std::to_string(last) +
                      "] must satisfy 0 <= first < last < " + std::to_string(p.months) + " (the panel's months)");
  if (p.bucket.size() != cells || p.balance.size() != cells)
    throw ConfigError("calibrate: the panel needs monthly status (bucket) and balance series for every customer");
  if (p.limit.size() != static_cast<std::size_t>(n) || p.score.size() != static_cast<std::size_t>(n))
    throw ConfigError("calibrate: the panel needs a limit and a score for every customer");
  if (!(pc.score_sd > 0.0)) throw ConfigError("calibrate: the population's score_sd must be > 0");
  const bool have_payment = p.payment.size() == cells;
  const bool have_type = p.type.size() == cells;

  Calibration c;
  c.data_file = p.source;
  c.data_sha256 = p.sha256;
  c.customers = n;
  c.first_month = first;
  c.last_month = last;
  c.limitsim_version = version_string();
  for (std::int32_t t = first; t <= last; ++t)
    c.months.push_back(static_cast<std::int32_t>(p.month_names.size()) == p.months ? p.month_names[static_cast<std::size_t>(t)]
                                                                                  : "month " + std::to_string(t));
  c.behaviour = base;
  BehaviourParams& bp = c.behaviour.params;
  const int cb = std::clamp(base.params.chargeoff_bucket, 1, kMaxBuckets - 1);
  c.chargeoff_bucket = cb;
  c.score_mean = pc.score_mean;
  c.score_sd = pc.score_sd;
  c.util_ref = base.params.util_ref;
  const double util_ref = base.params.util_ref;

  auto valid = [](std::int8_t b) { return b >= 0 && b < kMaxBuckets; };
  // The model's covariates of a month-end state (kernels/model.hpp step_month):
  // utilization on the same ppm grid, capped at 1.5, less util_ref.
  auto util_excess = [&](std::int64_t balance, std::int64_t limit) {
    const double u = utilization_ppm(balance, limit) * 1e-6;
    return std::min(u, kUtilCap) - util_ref;
  };

  // Counters of moves the model cannot make (reported in notes).
  std::int64_t miss_skips = 0, miss_to_chargeoff = 0, miss_nothing_due = 0, roll_skips = 0, partial_cures = 0;
  std::int64_t delinquent_nothing_due = 0, past_chargeoff = 0, closed_then_seen = 0, bad_score = 0;
  std::array<std::int64_t, kMaxBuckets> trials{}, rolls{}, cures{}, back_one{}, back_two{};
  std::int64_t miss_trials = 0, miss_events = 0;
  std::vector<double> miss_x;
  std::vector<std::uint8_t> miss_y;
  std::vector<RollRow> roll_rows;
  std::int64_t typed = 0, n_transactor = 0, n_revolver = 0, n_inactive = 0;
  std::vector<double> ratios, spends, utils;
  long double spend_ss = 0.0L;
  std::int64_t spend_df = 0, spend_customers = 0;
  std::vector<double> logs;

  for (std::int64_t i = 0; i < n; ++i) {
    const double risk_all = -(static_cast<double>(p.score[static_cast<std::size_t>(i)]) - pc.score_mean) / pc.score_sd;
    const std::int64_t limit = p.limit[static_cast<std::size_t>(i)];

    // Transitions t -> t+1: the state at the end of month t (bucket, statement
    // balance, utilization) is what the model's delinquency event of month t+1
    // acts on (step_month: due = the balance carried in, util on the line at the
    // start of the month). So bucket[t+1] is the outcome of the state of t.
    for (std::int32_t t = first; t < last; ++t) {
      // A scorecard's score (docs/data.md) is taken as of month t: it never sees the outcome month.
      const double risk = p.scorecard ? -(static_cast<double>(score_at(p, i, t)) - pc.score_mean) / pc.score_sd : risk_all;
      const bool risk_ok = std::isfinite(risk);
      const std::size_t a = p.at(i, t), z = p.at(i, t + 1);
      const std::int8_t b0 = p.bucket[a], b1 = p.bucket[z];
      if (b0 < 0 || b1 < 0) continue;  // no observation in one of the two months
      ++c.transitions;
      if (!valid(b0)) {
        ++closed_then_seen;
        continue;
      }
      if (valid(b1)) {
        ++c.counts[static_cast<std::size_t>(b0)][static_cast<std::size_t>(b1)];
      } else {
        ++c.to_chargeoff[static_cast<std::size_t>(b0)];
      }
      const std::int64_t due = p.balance[a];
      if (b0 == 0) {
        // The model misses only on a positive statement, and only into 1-30 DPD.
        if (due <= 0) {
          if (b1 > 0) ++miss_nothing_due;
          continue;
        }
        if (!risk_ok) {
          ++bad_score;
          continue;
        }
        const bool missed = b1 > 0;
        ++miss_trials;
        if (missed) {
          ++miss_events;
          if (b1 > cb) {
            ++miss_to_chargeoff;
          } else if (b1 > 1) {
            ++miss_skips;
          }
        }
        miss_x.push_back(1.0);
        miss_x.push_back(risk);
        miss_x.push_back(util_excess(due, limit));
        miss_y.push_back(missed ? 1 : 0);
      } else if (b0 > cb) {
        ++past_chargeoff;  // the model charges off before this bucket
      } else {
        // From b >= 1 the model rolls one bucket (past cb: charge-off), cures
        // to current, or stays. Nothing due: the model cures outright, no event.
        if (due <= 0) {
          ++delinquent_nothing_due;
          continue;
        }
        if (!risk_ok) {
          ++bad_score;
          continue;
        }
        const std::size_t b = static_cast<std::size_t>(b0);
        ++trials[b];
        const bool rolled = b1 > b0;
        if (rolled) {
          ++rolls[b];
          if (b0 < cb && b1 > b0 + 1) ++roll_skips;  // from cb any worse bucket is the charge-off
        } else if (b1 == 0) {
          ++cures[b];
        } else if (b1 < b0) {
          ++partial_cures;
          ++(b1 == b0 - 1 ? back_one : back_two)[b];  // back three or more counts as two
        }
        roll_rows.push_back({b0, static_cast<std::uint8_t>(rolled ? 1 : 0), risk, util_excess(due, limit)});
      }
    }

    // Usage types and utilization of the months t in [first, last].
    for (std::int32_t t = first; t <= last; ++t) {
      const std::size_t a = p.at(i, t);
      if (!valid(p.bucket[a])) continue;
      if (have_type && p.type[a] != UsageType::kNone) {
        ++typed;
        n_transactor += p.type[a] == UsageType::kTransactor ? 1 : 0;
        n_revolver += p.type[a] == UsageType::kRevolver ? 1 : 0;
        n_inactive += p.type[a] == UsageType::kInactive ? 1 : 0;
      }
      if (limit > 0) utils.push_back(static_cast<double>(p.balance[a]) / static_cast<double>(limit));
    }
    if (!have_payment) continue;

    // Payment ratio: the payment of month t+1 pays the statement of month t.
    for (std::int32_t t = first; t < last; ++t) {
      const std::size_t a = p.at(i, t), z = p.at(i, t + 1);
      if (!valid(p.bucket[a]) || p.bucket[z] < 0 || p.balance[a] <= 0) continue;
      ratios.push_back(static_cast<double>(p.payment[z]) / static_cast<double>(p.balance[a]));
    }
    // Spending: what the statement grew by, plus what was paid off it.
    logs.clear();
    for (std::int32_t t = first + 1; t <= last; ++t) {
      const std::size_t a = p.at(i, t - 1), z = p.at(i, t);
      if (!valid(p.bucket[a]) || !valid(p.bucket[z])) continue;
      const std::int64_t s = p.balance[z] - p.balance[a] + p.payment[z];
      if (s <= 0) continue;
      spends.push_back(static_cast<double>(s) / 100.0);
      logs.push_back(std::log(static_cast<double>(s)));
    }
    if (logs.size() >= 2) {
      long double mean = 0.0L;
      for (const double v : logs) mean += v;
      mean /= static_cast<long double>(logs.size());
      for (const double v : logs) spend_ss += (v - mean) * (v - mean);
      spend_df += static_cast<std::int64_t>(logs.size()) - 1;
      ++spend_customers;
    }
  }

  // ---- rates
  c.miss = wilson(miss_events, miss_trials);
  for (int b = 1; b < kMaxBuckets; ++b) {
    const std::size_t u = static_cast<std::size_t>(b);
    c.roll[u] = wilson(rolls[u], trials[u]);
    c.cure[u] = wilson(cures[u], trials[u]);
    c.cure_share[u] = wilson(cures[u], trials[u] - rolls[u]);
    c.back_one_share[u] = wilson(back_one[u], trials[u] - rolls[u]);
    c.back_two_share[u] = wilson(back_two[u], trials[u] - rolls[u]);
  }
  const std::int64_t all_misses = miss_events;
  if (miss_skips > 0)
    c.notes.push_back(fmt_int(miss_skips) + " of " + fmt_int(all_misses) +
                      " misses went from current straight to a bucket past 1-30 DPD; counted as misses (the model's "
                      "only move from current is into 1-30 DPD)");
  if (miss_to_chargeoff > 0)
    c.notes.push_back(fmt_int(miss_to_chargeoff) + " accounts went from current straight past the charge-off bucket; "
                      "counted as misses");
  if (miss_nothing_due > 0)
    c.notes.push_back(fmt_int(miss_nothing_due) + " current accounts with nothing due went delinquent; left out "
                      "(the model cannot miss on a zero statement)");
  if (roll_skips > 0)
    c.notes.push_back(fmt_int(roll_skips) + " delinquent accounts skipped a bucket; counted as one-bucket rolls");
  std::int64_t three_back = 0;
  for (int b = 4; b < kMaxBuckets; ++b)
    for (int to = 1; to < b - 2; ++to) three_back += c.counts[static_cast<std::size_t>(b)][static_cast<std::size_t>(to)];
  if (three_back > 0)
    c.notes.push_back(fmt_int(three_back) + " of " + fmt_int(partial_cures) + " partial cures moved back three or more "
                      "buckets; counted as moves back two (the model's deepest partial cure)");
  if (delinquent_nothing_due > 0)
    c.notes.push_back(fmt_int(delinquent_nothing_due) + " delinquent months had nothing due; left out of the roll "
                      "and cure trials (the model clears their arrears without an event)");
  if (past_chargeoff > 0)
    c.notes.push_back(fmt_int(past_chargeoff) + " months sat in a bucket past the charge-off bucket (chargeoff_dpd = " +
                      std::to_string(30 * cb) + "); left out");
  if (closed_then_seen > 0)
    c.notes.push_back(fmt_int(closed_then_seen) + " months of charged-off accounts (bucket >= " +
                      std::to_string(kMaxBuckets) + ") had a next month; left out");
  if (bad_score > 0)
    c.notes.push_back(fmt_int(bad_score) + " months of customers without a finite score; left out of the rates");

  // ---- miss regression
  c.miss_rows = static_cast<std::int64_t>(miss_y.size());
  if (miss_trials < kCalibrationMinTrials) {
    c.notes.push_back("miss: " + fmt_int(miss_trials) + " trials < " + fmt_int(kCalibrationMinTrials) +
                      "; miss_probability, miss_beta_risk and miss_beta_util kept at the base values");
  } else {
    const LogitFit f = fit_logistic(miss_x, 3, miss_y);
    c.miss_iterations = f.iterations;
    if (!f.ok) {
      c.notes.push_back("miss regression failed (" + f.failure +
                        "); miss_probability, miss_beta_risk and miss_beta_util kept at the base values");
    } else {
      c.miss_fitted = true;
      c.miss_intercept = f.coef[0];
      c.miss_beta_risk = f.coef[1];
      c.miss_beta_util = f.coef[2];
      // The file holds miss_probability; the reader derives the intercept as its
      // logit, so keep exactly that value here too.
      c.behaviour.miss_probability = logistic(f.coef[0].value);
      bp.miss_intercept = logit(c.behaviour.miss_probability);
      bp.miss_beta_risk = f.coef[1].value;
      bp.miss_beta_util = f.coef[2].value;
      for (const char* k : {"delinquency.miss_probability", "delinquency.miss_beta_risk", "delinquency.miss_beta_util"})
        c.estimated.push_back(k);
    }
  }
  miss_x.clear();
  miss_x.shrink_to_fit();

  // ---- roll regression and the roll / cure rates
  // Buckets with enough trials are estimated; those whose trials all rolled or
  // none did get that rate (0 or 1, which the model never shifts) and no
  // intercept; the rest get their own intercept in the pooled regression.
  std::array<bool, kMaxBuckets> populated{}, fitted{};
  std::array<int, kMaxBuckets> column{};
  int k_dummies = 0;
  // A roll from the charge-off bucket is a move past it. When that bucket is
  // the panel's last (151-180), a loaded panel can only show such a move with
  // a charge-off marker (bucket >= kMaxBuckets); without any, "stays" there
  // include the charge-offs (e.g. codes 6 -> 7 mapped to 6 -> 6) and the
  // bucket's roll and cure cannot be told apart.
  std::int64_t chargeoffs_seen = 0;
  for (const std::int64_t x : c.to_chargeoff) chargeoffs_seen += x;
  const bool last_roll_observable = cb < kMaxBuckets - 1 || chargeoffs_seen > 0;
  for (int b = 1; b <= cb; ++b) {
    const std::size_t u = static_cast<std::size_t>(b);
    if (b == cb && !last_roll_observable) {
      if (trials[u] > 0)
        c.notes.push_back("bucket " + bucket_name(b) + ": the panel records no charge-offs (no bucket past " +
                          bucket_name(kMaxBuckets - 1) + "), so its " + fmt_int(trials[u]) +
                          " months cannot tell a roll past the charge-off point from a stay; roll and cure kept "
                          "at the base values");
      continue;
    }
    populated[u] = trials[u] >= kCalibrationMinTrials;
    if (!populated[u]) {
      c.notes.push_back("bucket " + bucket_name(b) + ": " + fmt_int(trials[u]) + " trials < " +
                        fmt_int(kCalibrationMinTrials) + "; roll and cure kept at the base values");
      continue;
    }
    fitted[u] = rolls[u] > 0 && rolls[u] < trials[u];
    if (fitted[u]) {
      column[u] = k_dummies++;
    } else {
      c.notes.push_back("bucket " + bucket_name(b) + ": " + (rolls[u] == 0 ? "no" : "only") + " rolls in " +
                        fmt_int(trials[u]) + " trials; roll set to " + (rolls[u] == 0 ? "0" : "1") +
                        " (Wilson 95% interval [" + fmt("%.4f", c.roll[u].lo) + ", " + fmt("%.4f", c.roll[u].hi) +
                        "]), outside the pooled roll regression");
    }
  }
  std::array<double, kMaxBuckets> roll_value{};
  for (int b = 1; b <= cb; ++b) roll_value[static_cast<std::size_t>(b)] = c.roll[static_cast<std::size_t>(b)].p;
  if (k_dummies > 0) {
    const std::size_t k = static_cast<std::size_t>(k_dummies) + 2;
    std::vector<double> x;
    std::vector<std::uint8_t> y;
    for (const RollRow& r : roll_rows) {
      const std::size_t u = static_cast<std::size_t>(r.bucket);
      if (!fitted[u]) continue;
      const std::size_t at = x.size();
      x.resize(at + k, 0.0);
      x[at + static_cast<std::size_t>(column[u])] = 1.0;
      x[at + k - 2] = r.risk;
      x[at + k - 1] = r.util_excess;
      y.push_back(r.rolled);
    }
    c.roll_rows = static_cast<std::int64_t>(y.size());
    const LogitFit f = fit_logistic(x, k, y);
    c.roll_iterations = f.iterations;
    if (f.ok) {
      c.roll_fitted = true;
      c.roll_beta_risk = f.coef[k - 2];
      c.roll_beta_util = f.coef[k - 1];
      bp.roll_beta_risk = f.coef[k - 2].value;
      bp.roll_beta_util = f.coef[k - 1].value;
      c.estimated.push_back("delinquency.roll_beta_risk");
      c.estimated.push_back("delinquency.roll_beta_util");
      for (int b = 1; b <= cb; ++b) {
        const std::size_t u = static_cast<std::size_t>(b);
        if (!fitted[u]) continue;
        c.roll_intercept[u] = f.coef[static_cast<std::size_t>(column[u])];
        roll_value[u] = logistic(c.roll_intercept[u].value);
      }
    } else {
      c.notes.push_back("roll regression failed (" + f.failure +
                        "); roll_beta_risk and roll_beta_util kept at the base values, roll set to the observed rates");
    }
  }
  roll_rows.clear();
  roll_rows.shrink_to_fit();
  for (int b = 1; b <= cb; ++b) {
    const std::size_t u = static_cast<std::size_t>(b);
    if (!populated[u]) continue;
    // The model cures with probability cure[b] / (1 - roll[b]) among the
    // months that do not roll, whatever shifts the roll: so estimate that share
    // and scale it back with the (baseline) roll rate.
    const double share = c.cure_share[u].trials > 0 ? c.cure_share[u].p : 0.0;
    bp.roll[u] = roll_value[u];
    bp.cure[u] = std::min(share * (1.0 - roll_value[u]), 1.0 - roll_value[u]);
    c.estimated.push_back("delinquency.roll[" + std::to_string(b - 1) + "]");
    c.estimated.push_back("delinquency.cure[" + std::to_string(b - 1) + "]");
    // Partial cures, likewise as shares of the months that do not roll: back one from 31-60 on, back
    // two from 61-90 on (the model's only moves between delinquent buckets besides a roll).
    const double room = 1.0 - roll_value[u] - bp.cure[u];
    const double one = b >= 2 && c.back_one_share[u].trials > 0 ? c.back_one_share[u].p : 0.0;
    const double two = b >= 3 && c.back_two_share[u].trials > 0 ? c.back_two_share[u].p : 0.0;
    bp.partial_cure[u] = std::max(0.0, std::min(one * (1.0 - roll_value[u]), room));
    bp.partial_cure_two[u] = std::max(0.0, std::min(two * (1.0 - roll_value[u]), room - bp.partial_cure[u]));
    if (b >= 2) c.estimated.push_back("delinquency.partial_cure[" + std::to_string(b - 1) + "]");
    if (b >= 3) c.estimated.push_back("delinquency.partial_cure_two[" + std::to_string(b - 1) + "]");
  }

  // ---- usage types and distributions
  c.transactor_share = wilson(n_transactor, typed);
  c.revolver_share = wilson(n_revolver, typed);
  c.inactive_share = wilson(n_inactive, typed);
  if (!have_type) c.notes.push_back("the panel has no usage types; no transactor / revolver shares");
  if (!have_payment) c.notes.push_back("the panel has no payments; no payment ratios, spending or spending.sigma");
  c.payment_ratio = distribution(std::move(ratios));
  c.spend = distribution(std::move(spends));
  c.utilization = distribution(std::move(utils));

  // ---- spending.sigma
  c.spend_sigma_customers = spend_customers;
  c.spend_sigma_df = spend_df;
  if (spend_df > 0) {
    const double sigma = std::sqrt(static_cast<double>(spend_ss / static_cast<long double>(spend_df)));
    c.spend_sigma = {sigma, sigma / std::sqrt(2.0 * static_cast<double>(spend_df))};
  }
  if (have_payment) {
    if (spend_df < kCalibrationMinSpendDf) {
      c.notes.push_back("spending.sigma: " + fmt_int(spend_df) + " degrees of freedom < " +
                        fmt_int(kCalibrationMinSpendDf) + "; kept at the base value");
    } else if (!(c.spend_sigma.value <= 3.0)) {
      c.notes.push_back("spending.sigma: estimate " + fmt_double(c.spend_sigma.value) +
                        " is past the allowed 3; kept at the base value");
    } else {
      bp.spend_sigma = c.spend_sigma.value;
      c.estimated.push_back("spending.sigma");
    }
  }
  return c;
}

}  // namespace limitsim
