// limitsim calibrate: behaviour parameters estimated from a monthly panel
// (docs/calibration.md). Counting, Wilson intervals, logistic regressions by
// Newton-Raphson, quantiles; the behaviour file is written by config.cpp's own
// writer (effective_toml) so that it reads back into the same doubles.

#include "src/analysis/calibrate.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <stdexcept>

#include "src/config/toml_io.hpp"
#include "kernels/model.hpp"
#include "kernels/special.hpp"
#include "version.hpp"

namespace limitsim {

const std::array<double, 9> kDistributionLevels = {0.01, 0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99};

namespace {

constexpr double kZ95 = 1.959963984540054;  // Phi^-1(0.975)
constexpr int kMaxNewtonIterations = 50;
constexpr double kMaxAbsCoef = 30.0;       // past this on the logit scale: (quasi-)separation
constexpr double kUtilCap = 1.5;           // the model's cap on utilization in the logit terms

// ---------------------------------------------------------------- small helpers

std::string fmt(const char* f, double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, x);
  return buf;
}

std::string fmt_int(std::int64_t x) { return std::to_string(x); }

using toml_io::fmt_double;
using toml_io::quote;
using toml_io::toml_double;

// Text safe inside a TOML comment: no control characters.
std::string comment_safe(std::string s) {
  std::replace_if(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }, '?');
  return s;
}

std::string pad(std::string s, std::size_t width, bool left = false) {
  if (s.size() >= width) return s;
  return left ? s + std::string(width - s.size(), ' ') : std::string(width - s.size(), ' ') + s;
}

// Bucket names as in docs/config.md.
std::string bucket_name(int b) {
  if (b == 0) return "current";
  return std::to_string(30 * (b - 1) + 1) + "-" + std::to_string(30 * b);
}

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

// ---------------------------------------------------------------- logistic regression

// Solves the symmetric positive definite system a x = b (a: k x k row-major)
// by Cholesky; false when a is not positive definite. inv, when given,
// receives a^-1.
bool cholesky_solve(std::vector<double> a, std::size_t k, const std::vector<double>& b, std::vector<double>& x,
                    std::vector<double>* inv = nullptr) {
  for (std::size_t j = 0; j < k; ++j) {
    double d = a[j * k + j];
    for (std::size_t m = 0; m < j; ++m) d -= a[j * k + m] * a[j * k + m];
    if (!(d > 1e-300) || !std::isfinite(d)) return false;
    const double l = std::sqrt(d);
    a[j * k + j] = l;
    for (std::size_t i = j + 1; i < k; ++i) {
      double s = a[i * k + j];
      for (std::size_t m = 0; m < j; ++m) s -= a[i * k + m] * a[j * k + m];
      a[i * k + j] = s / l;
    }
  }
  auto solve = [&](const std::vector<double>& rhs, std::vector<double>& out) {
    std::vector<double> z(k);
    for (std::size_t i = 0; i < k; ++i) {
      double s = rhs[i];
      for (std::size_t m = 0; m < i; ++m) s -= a[i * k + m] * z[m];
      z[i] = s / a[i * k + i];
    }
    out.assign(k, 0.0);
    for (std::size_t i = k; i-- > 0;) {
      double s = z[i];
      for (std::size_t m = i + 1; m < k; ++m) s -= a[m * k + i] * out[m];
      out[i] = s / a[i * k + i];
    }
  };
  solve(b, x);
  if (inv) {
    inv->assign(k * k, 0.0);
    std::vector<double> e(k), col;
    for (std::size_t j = 0; j < k; ++j) {
      std::fill(e.begin(), e.end(), 0.0);
      e[j] = 1.0;
      solve(e, col);
      for (std::size_t i = 0; i < k; ++i) (*inv)[i * k + j] = col[i];
    }
  }
  return true;
}

// log(1 + e^x) without overflow.
double softplus(double x) { return x > 0.0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)); }

}  // namespace

LogitFit fit_logistic(const std::vector<double>& x, std::size_t k, const std::vector<std::uint8_t>& y) {
  const std::size_t n = y.size();
  if (k == 0 || x.size() != n * k) throw std::invalid_argument("fit_logistic: x must hold y.size() rows of k values");
  LogitFit f;
  if (n < k) {
    f.failure = "fewer observations (" + std::to_string(n) + ") than coefficients (" + std::to_string(k) + ")";
    return f;
  }
  std::size_t events = 0;
  for (const std::uint8_t v : y) events += v ? 1 : 0;
  if (events == 0 || events == n) {
    f.failure = events == 0 ? "no events" : "only events";
    return f;
  }
  auto eta_of = [&](const std::vector<double>& beta, std::size_t i) {
    double eta = 0.0;
    for (std::size_t j = 0; j < k; ++j) eta += x[i * k + j] * beta[j];
    return eta;
  };
  auto loglik = [&](const std::vector<double>& beta) {
    double ll = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      const double eta = eta_of(beta, i);
      ll += (y[i] ? eta : 0.0) - softplus(eta);
    }
    return ll;
  };
  // Score (gradient) and Fisher information at beta.
  auto score_info = [&](const std::vector<double>& beta, std::vector<double>& g, std::vector<double>& h) {
    g.assign(k, 0.0);
    h.assign(k * k, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
      const double* xi = &x[i * k];
      const double p = logistic(eta_of(beta, i));
      const double r = (y[i] ? 1.0 : 0.0) - p, w = p * (1.0 - p);
      for (std::size_t a = 0; a < k; ++a) {
        g[a] += xi[a] * r;
        const double wa = w * xi[a];
        for (std::size_t b = 0; b <= a; ++b) h[a * k + b] += wa * xi[b];
      }
    }
    for (std::size_t a = 0; a < k; ++a)
      for (std::size_t b = 0; b < a; ++b) h[b * k + a] = h[a * k + b];
  };

  std::vector<double> beta(k, 0.0), g, h, step, trial(k);
  double ll = loglik(beta);
  bool converged = false;
  for (int it = 1; it <= kMaxNewtonIterations && !converged; ++it) {
    score_info(beta, g, h);
    if (!cholesky_solve(h, k, g, step)) {
      f.failure = "the information matrix is singular (a covariate is constant or collinear, or separation)";
      return f;
    }
    // Newton step, halved until the log-likelihood does not fall.
    double scale = 1.0, ll_new = 0.0;
    for (int halvings = 0;; ++halvings) {
      for (std::size_t j = 0; j < k; ++j) trial[j] = beta[j] + scale * step[j];
      ll_new = loglik(trial);
      if (std::isfinite(ll_new) && ll_new >= ll - 1e-12 * (1.0 + std::fabs(ll))) break;
      if (halvings == 40) {
        f.failure = "Newton steps stopped increasing the likelihood";
        return f;
      }
      scale *= 0.5;
    }
    double largest = 0.0;
    for (std::size_t j = 0; j < k; ++j) largest = std::max(largest, std::fabs(scale * step[j]));
    beta = trial;
    ll = ll_new;
    f.iterations = it;
    converged = largest < 1e-9;
  }
  if (!converged) {
    f.failure = "no convergence in " + std::to_string(kMaxNewtonIterations) +
                " Newton iterations (separation: some covariate pattern predicts the outcome perfectly)";
    return f;
  }
  std::vector<double> cov, unused;
  score_info(beta, g, h);
  if (!cholesky_solve(h, k, g, unused, &cov)) {
    f.failure = "the information matrix is singular at the estimate";
    return f;
  }
  f.log_likelihood = ll;
  for (std::size_t j = 0; j < k; ++j) {
    const Coef c{beta[j], std::sqrt(cov[j * k + j])};
    if (!std::isfinite(c.value) || !std::isfinite(c.se) || std::fabs(c.value) > kMaxAbsCoef) {
      f.failure = "coefficient " + std::to_string(j) + " = " + fmt_double(c.value) +
                  " is past +-30 on the logit scale (separation)";
      f.coef.clear();
      return f;
    }
    f.coef.push_back(c);
  }
  f.ok = true;
  return f;
}

Rate wilson(std::int64_t events, std::int64_t trials) {
  Rate r;
  r.events = events;
  r.trials = trials;
  if (trials <= 0) return r;  // p = 0, interval [0, 1]: nothing is known
  const double n = static_cast<double>(trials), z2 = kZ95 * kZ95;
  const double p = static_cast<double>(events) / n;
  const double denom = 1.0 + z2 / n;
  const double center = (p + z2 / (2.0 * n)) / denom;
  const double half = kZ95 * std::sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / denom;
  r.p = p;
  r.lo = events <= 0 ? 0.0 : std::max(0.0, center - half);
  r.hi = events >= trials ? 1.0 : std::min(1.0, center + half);
  return r;
}

namespace {

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
  std::array<std::int64_t, kMaxBuckets> trials{}, rolls{}, cures{};
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
    const double risk = -(static_cast<double>(p.score[static_cast<std::size_t>(i)]) - pc.score_mean) / pc.score_sd;
    const bool risk_ok = std::isfinite(risk);
    const std::int64_t limit = p.limit[static_cast<std::size_t>(i)];

    // Transitions t -> t+1: the state at the end of month t (bucket, statement
    // balance, utilization) is what the model's delinquency event of month t+1
    // acts on (step_month: due = the balance carried in, util on the line at the
    // start of the month). So bucket[t+1] is the outcome of the state of t.
    for (std::int32_t t = first; t < last; ++t) {
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
          ++partial_cures;  // counted as a stay
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
  if (partial_cures > 0)
    c.notes.push_back(fmt_int(partial_cures) + " delinquent accounts improved to a better delinquent bucket "
                      "(partial cures); counted as stays");
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

// ---------------------------------------------------------------- report

namespace {

std::string rate_line(const std::string& label, const Rate& r) {
  std::string s = "  " + pad(label, 26, true) + pad(fmt_int(r.events), 10) + pad(fmt_int(r.trials), 11);
  if (r.trials <= 0) return s + "         -\n";
  return s + pad(fmt("%.4f", r.p), 10) + "  [" + fmt("%.4f", r.lo) + ", " + fmt("%.4f", r.hi) + "]\n";
}

std::string dist_line(const std::string& label, const Distribution& d, const char* f) {
  std::string s = "  " + pad(label, 15, true) + pad(fmt_int(d.n), 9);
  if (d.n == 0) return s + "  -\n";
  s += pad(fmt(f, d.mean), 11);
  for (const double q : d.q) s += pad(fmt(f, q), 11);
  return s + "\n";
}

std::string coef_line(const std::string& label, const Coef& c, const std::string& extra = "") {
  return "  " + pad(label, 18, true) + pad(fmt("%.4f", c.value), 10) + pad(fmt("%.4f", c.se), 9) + "  [" +
         fmt("%.4f", c.value - kZ95 * c.se) + ", " + fmt("%.4f", c.value + kZ95 * c.se) + "]" + extra + "\n";
}

bool is_estimated(const Calibration& c, const std::string& key) {
  return std::find(c.estimated.begin(), c.estimated.end(), key) != c.estimated.end();
}

}  // namespace

std::string calibration_report(const Calibration& c) {
  std::ostringstream os;
  const int cb = c.chargeoff_bucket;
  os << "Calibration of behaviour parameters (limitsim " << c.limitsim_version << ")\n";
  os << "  data      " << (c.data_file.empty() ? "(unnamed panel)" : c.data_file) << "\n";
  if (!c.data_sha256.empty()) os << "  sha256    " << c.data_sha256 << "\n";
  if (!c.mapping_file.empty()) os << "  mapping   " << c.mapping_file << "\n";
  os << "  months    " << (c.months.empty() ? "-" : c.months.front() + " .. " + c.months.back()) << " ("
     << c.months.size() << " months), " << c.customers << " customers, " << c.transitions
     << " transitions (customer, month -> next month)\n";
  os << "  risk      = -(score - " << fmt_double(c.score_mean) << ") / " << fmt_double(c.score_sd)
     << ";  util_excess = min(balance / limit, 1.5) - " << fmt_double(c.util_ref) << "\n\n";

  // Transition matrix: counts, then row shares.
  os << "Bucket transitions, month t -> t+1 (rows: from; columns: to; c/o = charged off)\n";
  std::string head = "  " + pad("from \\ to", 10, true);
  for (int b = 0; b < kMaxBuckets; ++b) head += pad(bucket_name(b), 10);
  head += pad("c/o", 8) + pad("total", 10);
  os << head << "\n";
  std::array<std::int64_t, kMaxBuckets> totals{};
  for (int a = 0; a < kMaxBuckets; ++a) {
    const std::size_t u = static_cast<std::size_t>(a);
    for (int b = 0; b < kMaxBuckets; ++b) totals[u] += c.counts[u][static_cast<std::size_t>(b)];
    totals[u] += c.to_chargeoff[u];
    std::string row = "  " + pad(bucket_name(a), 10, true);
    for (int b = 0; b < kMaxBuckets; ++b) row += pad(fmt_int(c.counts[u][static_cast<std::size_t>(b)]), 10);
    os << row << pad(fmt_int(c.to_chargeoff[u]), 8) << pad(fmt_int(totals[u]), 10) << "\n";
  }
  os << "Row shares (%)\n" << head.substr(0, head.size() - 10) << "\n";
  for (int a = 0; a < kMaxBuckets; ++a) {
    const std::size_t u = static_cast<std::size_t>(a);
    std::string row = "  " + pad(bucket_name(a), 10, true);
    auto share = [&](std::int64_t x) {
      return totals[u] > 0 ? fmt("%.2f", 100.0 * static_cast<double>(x) / static_cast<double>(totals[u])) : "-";
    };
    for (int b = 0; b < kMaxBuckets; ++b) row += pad(share(c.counts[u][static_cast<std::size_t>(b)]), 10);
    os << row << pad(share(c.to_chargeoff[u]), 8) << "\n";
  }

  os << "\nRates the model uses (Wilson 95% intervals)\n";
  os << "  " << pad("", 26, true) << pad("events", 10) << pad("trials", 11) << pad("rate", 10) << "  95% interval\n";
  os << rate_line("miss (current, due > 0)", c.miss);
  for (int b = 1; b <= cb; ++b) {
    const std::size_t u = static_cast<std::size_t>(b);
    os << rate_line("roll " + bucket_name(b), c.roll[u]);
    os << rate_line("cure " + bucket_name(b), c.cure[u]);
    os << rate_line("cure | no roll " + bucket_name(b), c.cure_share[u]);
  }

  os << "\nUsage types (customer-months whose status states one)\n";
  os << rate_line("transactor", c.transactor_share) << rate_line("revolver", c.revolver_share)
     << rate_line("inactive", c.inactive_share);

  os << "\nDistributions (quantiles of type 7: linear interpolation between order statistics)\n";
  std::string dh = "  " + pad("", 15, true) + pad("n", 9) + pad("mean", 11);
  for (const double l : kDistributionLevels) dh += pad(fmt("%g%%", 100.0 * l), 11);
  os << dh << "\n";
  os << dist_line("payment ratio", c.payment_ratio, "%.4f") << dist_line("spend", c.spend, "%.2f")
     << dist_line("utilization", c.utilization, "%.4f");
  os << "  (payment ratio = payment of month t+1 / statement of month t > 0; spend = max(0, balance_t - "
        "balance_t-1 + payment_t) when > 0, currency units; utilization = month-end balance / limit)\n";

  os << "\nMiss regression: logit P(miss) = a + b_risk * risk + b_util * util_excess\n";
  if (c.miss_fitted) {
    os << "  (" << c.miss_rows << " current customer-months with a balance due, " << c.miss.events << " misses, "
       << c.miss_iterations << " Newton iterations; +-1.96 SE)\n";
    os << "  " << pad("", 18, true) << pad("value", 10) << pad("se", 9) << "  95% interval\n";
    os << coef_line("intercept a", c.miss_intercept,
                    "  miss_probability = " + fmt("%.5f", c.behaviour.miss_probability));
    os << coef_line("b_risk", c.miss_beta_risk) << coef_line("b_util", c.miss_beta_util);
  } else {
    os << "  not fitted (see notes)\n";
  }
  os << "\nRoll regression: logit P(roll | bucket b) = a_b + b_risk * risk + b_util * util_excess\n";
  if (c.roll_fitted) {
    os << "  (" << c.roll_rows << " delinquent customer-months with a balance due, " << c.roll_iterations
       << " Newton iterations; +-1.96 SE)\n";
    os << "  " << pad("", 18, true) << pad("value", 10) << pad("se", 9) << "  95% interval\n";
    for (int b = 1; b <= cb; ++b) {
      const std::size_t u = static_cast<std::size_t>(b);
      if (c.roll_intercept[u].se > 0.0)
        os << coef_line("a " + bucket_name(b), c.roll_intercept[u],
                        "  roll = " + fmt("%.4f", c.behaviour.params.roll[u]));
    }
    os << coef_line("b_risk", c.roll_beta_risk) << coef_line("b_util", c.roll_beta_util);
  } else {
    os << "  not fitted (see notes)\n";
  }
  os << "\nSpending: within-customer log-sd of positive monthly spend\n";
  if (c.spend_sigma_df > 0) {
    os << "  sigma = " << fmt("%.4f", c.spend_sigma.value) << " +- " << fmt("%.4f", kZ95 * c.spend_sigma.se) << " ("
       << c.spend_sigma_customers << " customers with >= 2 active months, " << c.spend_sigma_df
       << " degrees of freedom)\n";
  } else {
    os << "  no customer has two active months\n";
  }

  os << "\nBehaviour written (delinquency by bucket; * = estimated, else the base value)\n";
  os << "  " << pad("bucket", 10, true) << pad("roll", 10) << pad("cure", 10) << "\n";
  for (int b = 1; b < kMaxBuckets; ++b) {
    const std::size_t u = static_cast<std::size_t>(b);
    const bool est = is_estimated(c, "delinquency.roll[" + std::to_string(b - 1) + "]");
    os << "  " << pad(bucket_name(b), 10, true) << pad(fmt("%.4f", c.behaviour.params.roll[u]), 10)
       << pad(fmt("%.4f", c.behaviour.params.cure[u]), 10) << (est ? " *" : "") << "\n";
  }
  os << "\nEstimated keys (roll[i] / cure[i]: file index i = bucket i + 1):" << (c.estimated.empty() ? " none" : "");
  std::size_t width = 1000;
  for (std::size_t i = 0; i < c.estimated.size(); ++i) {
    const std::string item = c.estimated[i] + (i + 1 < c.estimated.size() ? "," : "");
    if (width + item.size() + 1 > 100) {
      os << "\n ";
      width = 1;
    }
    os << " " << item;
    width += item.size() + 1;
  }
  os << "\n";
  os << "Not estimated (base values): every other key, among them payment.min_payment_rate (a contract term)\n";
  if (!c.notes.empty()) {
    os << "\nNotes\n";
    for (const std::string& note : c.notes) os << "  - " << note << "\n";
  }
  return os.str();
}

// ---------------------------------------------------------------- behaviour file

namespace {

// The comment on one `key = value` line of table [behaviour.<table>].
std::string annotation(const Calibration& c, const std::string& table, const std::string& key) {
  const std::string full = table + "." + key;
  if (full == "delinquency.roll" || full == "delinquency.cure") {
    std::vector<std::string> est, def;
    for (int b = 1; b < kMaxBuckets; ++b)
      (is_estimated(c, full + "[" + std::to_string(b - 1) + "]") ? est : def).push_back(bucket_name(b));
    auto list = [](const std::vector<std::string>& v) {
      std::string s;
      for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
      return s;
    };
    if (def.empty()) return "estimated";
    if (est.empty()) return "default (not estimated)";
    return "estimated for " + list(est) + "; default (not estimated) for " + list(def);
  }
  if (is_estimated(c, full)) return "estimated";
  if (full == "payment.min_payment_rate") return "default (not estimated: a contract term, see docs/calibration.md)";
  return "default (not estimated)";
}

}  // namespace

std::string calibration_toml(const Calibration& c) {
  // The [behaviour.*] tables exactly as config.cpp writes them (every key,
  // shortest round-trip numbers), taken from the effective configuration of a
  // run that holds this behaviour.
  RunConfig rc;
  rc.behaviour = c.behaviour;
  const std::string eff = effective_toml(rc);
  const std::size_t start = eff.find("\n[behaviour.");
  if (start == std::string::npos) throw std::logic_error("calibration_toml: effective_toml wrote no behaviour tables");
  std::size_t end = eff.find("\n[[", start + 1);
  if (end == std::string::npos) end = eff.size();

  std::ostringstream os;
  os << "# Behaviour estimated by `limitsim calibrate` (docs/calibration.md) from\n"
     << "#   " << comment_safe(c.data_file.empty() ? "(unnamed panel)" : c.data_file) << "\n"
     << "#   months " << comment_safe(c.months.empty() ? "-" : c.months.front() + " .. " + c.months.back()) << ", "
     << c.customers << " customers, " << c.transitions << " transitions.\n"
     << "# Keys marked \"estimated\" were set from the data; \"default (not estimated)\" ones are the base\n"
     << "# behaviour's (" << comment_safe(c.behaviour.source.empty() ? "the built-in defaults" : c.behaviour.source)
     << "). Money in currency units. The estimates, with counts and\n"
     << "# intervals, are listed as comments after [behaviour.calibration].\n";

  std::istringstream in(eff.substr(start, end - start));
  std::string line, table;
  bool skip = false;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] == '[') {
      table = line.substr(1, line.find(']') - 1);
      // A provenance table written by config.cpp itself is replaced by ours below.
      skip = table == "behaviour.calibration" || table.rfind("behaviour.calibration.", 0) == 0;
      if (!skip) os << line << "\n";
      table = table.rfind("behaviour.", 0) == 0 ? table.substr(10) : table;
      continue;
    }
    if (skip) continue;
    const std::size_t eq = line.find(" = ");
    if (eq == std::string::npos || line[0] == '#') {
      os << line << "\n";
      continue;
    }
    os << pad(line, 36, true) << "  # " << annotation(c, table, line.substr(0, eq)) << "\n";
  }

  os << "\n[behaviour.calibration]\n";
  os << "source = " << quote(c.data_file) << "\n";
  os << "sha256 = " << quote(c.data_sha256) << "\n";
  os << "mapping = " << quote(c.mapping_file) << "\n";
  os << "months = [";
  for (std::size_t i = 0; i < c.months.size(); ++i) os << (i ? ", " : "") << quote(c.months[i]);
  os << "]\n";
  os << "customers = " << c.customers << "\n";
  os << "transitions = " << c.transitions << "\n";
  // The scale of the risk proxy behind miss_beta_risk and roll_beta_risk: a run must use the same.
  os << "score_mean = " << toml_double(c.score_mean) << "\n";
  os << "score_sd = " << toml_double(c.score_sd) << "\n";
  if (!c.created.empty()) os << "created = " << quote(c.created) << "\n";
  os << "limitsim_version = " << quote(c.limitsim_version) << "\n";

  os << "\n# ---------------------------------------------------------------- estimates\n#\n";
  std::istringstream report(calibration_report(c));
  while (std::getline(report, line)) os << (line.empty() ? "#" : "# " + comment_safe(line)) << "\n";
  return os.str();
}

}  // namespace limitsim
