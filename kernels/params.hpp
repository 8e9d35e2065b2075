// Plain, trivially copyable parameter structs: what a kernel is given.
// Host code validates TOML into these (src/config.cpp); nothing here parses.
// Every field's meaning, unit and default is documented in docs/model.md.
#pragma once

#include <cstdint>
#include <type_traits>

#include "hd.hpp"

namespace limitsim {

// Delinquency buckets: 0 current, 1 = 1-30 DPD, 2 = 31-60, 3 = 61-90,
// 4 = 91-120, 5 = 121-150, 6 = 151-180. An account in the charge-off bucket
// that misses again is charged off.
constexpr int kMaxBuckets = 7;
constexpr int kMaxBands = 16;      // rows of a policy's initial-line table
constexpr int kMaxSegments = 16;   // population segments (score bands)
constexpr int kUtilBins = 12;      // [0], (0,10%], ..., (90,100%], >100%

enum class LgdMode : std::int32_t { kFixed = 0, kBeta = 1 };

struct BehaviourParams {
  // --- spending ---
  double spend_sigma;               // log-sd of a month's spend given the card is used
  // --- statement and payment ---
  double min_payment_rate;          // minimum payment as a share of the statement
  std::int64_t min_payment_floor;   // minimum payment floor, cents
  double apr;                       // annual rate on revolved balances (monthly = apr/12)
  std::int64_t late_fee;            // fee charged on each missed payment, cents
  // --- delinquency ---
  double miss_intercept;            // logit of the monthly miss probability at risk 0, util = util_ref
  double miss_beta_risk;            // logit change per unit of latent risk
  double miss_beta_util;            // logit change per unit of utilization above util_ref
  double util_ref;
  double roll[kMaxBuckets];         // [b] base probability that bucket b rolls forward (b >= 1)
  double cure[kMaxBuckets];         // [b] base probability that bucket b cures to current (b >= 1)
  double roll_beta_risk;            // logit shift of roll probabilities per unit of risk
  double roll_beta_util;            // logit shift of roll probabilities per unit of utilization above util_ref
  std::int32_t chargeoff_bucket;    // last bucket before charge-off (6 = charge off past 180 DPD)
  double rho;                       // asset correlation of the one-factor Gaussian copula, [0, 1)
  // --- loss ---
  LgdMode lgd_mode;
  double lgd;                       // fixed LGD, or the Beta mean (reported)
  double lgd_beta_a, lgd_beta_b;    // Beta(a, b) when lgd_mode == kBeta
  // --- attrition ---
  double attrition_rate;            // monthly probability that a current account closes voluntarily
};

struct PolicyParams {
  // Initial line for new accounts (months on book 0), by score band:
  // the first row whose score_min <= score applies (rows sorted descending).
  std::int32_t n_bands;
  double band_score_min[kMaxBands];
  double band_income_multiple[kMaxBands];   // line = income x multiple ...
  std::int64_t band_floor[kMaxBands];       // ... clamped to [floor, cap], cents
  std::int64_t band_cap[kMaxBands];
  std::int64_t line_rounding;               // lines are rounded down to a multiple of this, cents (>= 1)
  // Periodic review.
  std::int32_t review_every;                // months; 0 disables reviews
  std::int32_t review_min_clean_months;     // consecutive current months required
  double review_min_utilization;            // mean end-of-month utilization over the review window
  double review_min_score;
  double review_raise_pct;                  // raise = limit x pct ...
  std::int64_t review_max_raise;            // ... capped per review, cents (0 = no cap)
  std::int64_t max_limit;                   // absolute line ceiling, cents
  // Freeze.
  std::int32_t freeze_bucket;               // freeze at this bucket or worse; 0 disables freezing
  std::int32_t unfreeze_after_clean_months; // 0 = a frozen line stays frozen
};

// One month of a stress scenario. Arrays of these, one per simulated month.
struct ScenarioMonth {
  double factor_shift;   // added to the systematic factor (negative = worse)
  double miss_mult;      // multiplies the current -> 1-30 miss probability
  double roll_mult;      // multiplies roll-forward probabilities
  double spend_mult;     // multiplies desired spending
};

static_assert(std::is_trivially_copyable<BehaviourParams>::value, "kernel params must be trivially copyable");
static_assert(std::is_trivially_copyable<PolicyParams>::value, "kernel params must be trivially copyable");
static_assert(std::is_trivially_copyable<ScenarioMonth>::value, "kernel params must be trivially copyable");

// Read-only views of host- or device-resident arrays handed to a launch.
struct ModelView {
  BehaviourParams behaviour;
  PolicyParams policy;
  const ScenarioMonth* scenario;    // [months]
  const double* factor;             // [paths_total][months] systematic factor Z (before the scenario shift)
  const double* lgd_quantiles;      // [kLgdTableSize] Beta LGD inverse CDF table, or nullptr
  std::uint64_t seed;
  std::int32_t months;
  std::int32_t paths_total;         // row stride of `factor`
};
constexpr int kLgdTableSize = 1025;
static_assert(std::is_trivially_copyable<ModelView>::value, "kernel views must be trivially copyable");

}  // namespace limitsim
