// limitsim calibrate: behaviour parameters estimated from a monthly panel of
// real accounts (src/data/panel.hpp), with counts and confidence intervals, written
// as a behaviour file that `limitsim run` reads directly (docs/calibration.md).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "src/config/config.hpp"
#include "src/data/panel.hpp"

namespace limitsim {

// A proportion with its Wilson 95% interval.
struct Rate {
  std::int64_t events = 0, trials = 0;
  double p = 0.0, lo = 0.0, hi = 1.0;
};
Rate wilson(std::int64_t events, std::int64_t trials);

// A fitted logistic-regression coefficient with its standard error.
struct Coef {
  double value = 0.0, se = 0.0;
};

// Quantiles 1, 5, 10, 25, 50, 75, 90, 95, 99% and the mean of a sample.
struct Distribution {
  std::int64_t n = 0;
  double mean = 0.0;
  std::array<double, 9> q{};
};
extern const std::array<double, 9> kDistributionLevels;

// Panel conventions read by calibrate(): a month whose bucket is negative has
// no observation (the account is closed, or not yet open); a bucket past the
// base behaviour's charge-off bucket in month t+1 is a charge-off, i.e. a roll
// from the charge-off bucket (a panel built from a simulation marks a
// charge-off month with chargeoff_bucket + 1, which may be kMaxBuckets).
// Buckets, balances and payments of month t are the state at the END of month
// t; the model's delinquency event of month t+1 acts on that state.

// A rate (a bucket's roll and cure, the miss regression) is estimated only from
// at least this many trials; with fewer, the base value is kept (and noted).
constexpr std::int64_t kCalibrationMinTrials = 30;
// spending.sigma is estimated only with at least this many degrees of freedom
// (sum over customers of active months - 1).
constexpr std::int64_t kCalibrationMinSpendDf = 100;

struct Calibration {
  // Provenance.
  std::string data_file, data_sha256, mapping_file;
  std::vector<std::string> months;      // panel months used, first..last
  std::int64_t customers = 0;
  std::int64_t transitions = 0;         // (customer, month -> next month) pairs used
  std::string created;                  // ISO 8601 UTC time of the run; set by the caller ("" = not written)
  std::string limitsim_version;         // "<version>+<git commit>", set by calibrate()
  std::int32_t first_month = 0, last_month = 0;  // the window, 0-based panel months
  std::int32_t chargeoff_bucket = 6;    // of the base behaviour
  double score_mean = 0.0, score_sd = 1.0, util_ref = 0.5;  // behind risk = -(score - mean) / sd and util_ref
  // Bucket transitions month t -> t+1 (t, t+1 in the window), counts[from][to].
  std::array<std::array<std::int64_t, kMaxBuckets>, kMaxBuckets> counts{};
  std::array<std::int64_t, kMaxBuckets> to_chargeoff{};  // [from]: moves to a bucket >= kMaxBuckets (charged off)
  Rate miss;                            // current with a balance due -> any delinquent bucket
  std::array<Rate, kMaxBuckets> roll;   // [b]: b -> a worse bucket (b >= 1)
  std::array<Rate, kMaxBuckets> cure;   // [b]: b -> current (b >= 1)
  std::array<Rate, kMaxBuckets> cure_share;  // [b]: b -> current among the months that did not roll
  std::array<Rate, kMaxBuckets> back_one_share;  // [b]: b -> b - 1 >= 1 among the months that did not roll (partial cure)
  std::array<Rate, kMaxBuckets> back_two_share;  // [b]: b -> b - 2 or better, not current, among them
  // Usage types of the customer-months whose status states one.
  Rate transactor_share, revolver_share, inactive_share;
  // Payment ratio (payment / previous statement, statements > 0), spending per
  // active month (currency units), month-end utilization (balance / limit).
  Distribution payment_ratio, spend, utilization;
  // Miss regression: logit P(miss) = a + b_risk * risk + b_util * (min(util, 1.5) - util_ref).
  Coef miss_intercept, miss_beta_risk, miss_beta_util;
  Coef roll_beta_risk, roll_beta_util;  // logit shift of roll probabilities, pooled over buckets
  std::array<Coef, kMaxBuckets> roll_intercept;  // [b]: logit of roll[b] at risk 0, util_ref (pooled regression)
  bool miss_fitted = false, roll_fitted = false;  // the regressions converged and were applied
  std::int64_t miss_rows = 0, roll_rows = 0;      // observations in each regression
  int miss_iterations = 0, roll_iterations = 0;
  // Within-customer log-sd of positive monthly spend (pooled, n - 1 per customer).
  Coef spend_sigma;
  std::int64_t spend_sigma_customers = 0, spend_sigma_df = 0;
  std::vector<std::string> estimated;   // behaviour keys set from the data
  std::vector<std::string> notes;       // warnings (e.g. empty buckets kept at the default)
  BehaviourConfig behaviour;            // the base behaviour with the estimates applied
};

// A logistic regression fitted by Newton-Raphson (IRLS) with step halving.
// x is row-major, y.size() rows of k covariates (include a column of ones for
// an intercept). Standard errors come from the inverse Fisher information at
// the estimate. ok is false (and failure says why) when the outcomes are all
// equal, the information matrix is singular, the iterations do not converge
// (separation), or a coefficient runs past +-30 on the logit scale.
struct LogitFit {
  bool ok = false;
  int iterations = 0;
  double log_likelihood = 0.0;
  std::vector<Coef> coef;
  std::string failure;
};
LogitFit fit_logistic(const std::vector<double>& x, std::size_t k, const std::vector<std::uint8_t>& y);

// Estimates from panel months [first, last] (0-based, inclusive; transitions
// use pairs inside the window). `base` supplies every parameter the data cannot
// identify; `pc` supplies the score mean and sd behind the risk proxy.
Calibration calibrate(const Panel& p, std::int32_t first, std::int32_t last, const BehaviourConfig& base,
                      const PopulationConfig& pc);

// The behaviour file: [behaviour.*] tables that load_run_config accepts, a
// [behaviour.calibration] provenance table, and the estimates with their
// counts and intervals as comments.
std::string calibration_toml(const Calibration& c);

// A human-readable report of the estimates (printed by `limitsim calibrate`).
std::string calibration_report(const Calibration& c);

}  // namespace limitsim
