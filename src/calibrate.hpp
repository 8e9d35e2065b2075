// limitsim calibrate: behaviour parameters estimated from a monthly panel of
// real accounts (src/panel.hpp), with counts and confidence intervals, written
// as a behaviour file that `limitsim run` reads directly (docs/calibration.md).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "config.hpp"
#include "panel.hpp"

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

struct Calibration {
  // Provenance.
  std::string data_file, data_sha256, mapping_file;
  std::vector<std::string> months;      // panel months used, first..last
  std::int64_t customers = 0;
  std::int64_t transitions = 0;         // (customer, month -> next month) pairs used
  // Bucket transitions month t -> t+1 (t, t+1 in the window), counts[from][to].
  std::array<std::array<std::int64_t, kMaxBuckets>, kMaxBuckets> counts{};
  Rate miss;                            // current with a balance due -> any delinquent bucket
  std::array<Rate, kMaxBuckets> roll;   // [b]: b -> a worse bucket (b >= 1)
  std::array<Rate, kMaxBuckets> cure;   // [b]: b -> current (b >= 1)
  // Usage types of the customer-months whose status states one.
  Rate transactor_share, revolver_share, inactive_share;
  // Payment ratio (payment / previous statement, statements > 0), spending per
  // active month (currency units), month-end utilization (balance / limit).
  Distribution payment_ratio, spend, utilization;
  // Miss regression: logit P(miss) = a + b_risk * risk + b_util * (min(util, 1.5) - util_ref).
  Coef miss_intercept, miss_beta_risk, miss_beta_util;
  Coef roll_beta_risk, roll_beta_util;  // logit shift of roll probabilities, pooled over buckets
  std::vector<std::string> estimated;   // behaviour keys set from the data
  std::vector<std::string> notes;       // warnings (e.g. empty buckets kept at the default)
  BehaviourConfig behaviour;            // the base behaviour with the estimates applied
};

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
