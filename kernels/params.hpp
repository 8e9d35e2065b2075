// Plain, trivially copyable parameter structs: what a kernel is given.
// Host code validates TOML into these (src/config/); nothing here parses.
// Every field's meaning, unit and default is documented in docs/config.md (keys)
// and docs/model.md (how the model uses them).
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
constexpr int kMaxSegments = 16;   // population score bands
constexpr int kMaxRegions = 16;    // regions: one systematic factor each
constexpr int kMaxCells = 64;      // reporting segments = score bands x regions
constexpr int kUtilBins = 12;      // [0], (0,10%], ..., (90,100%], >100%
constexpr int kMaxRecoveryMonths = 36;  // length of the recovery curve after a charge-off
constexpr int kMaxMpbBands = 8;    // score bands of the borrowing response to new credit
constexpr int kMaxSeasoning = 60;  // months on book of the seasoning curve (the last value holds after)

enum class LgdMode : std::int32_t { kFixed = 0, kBeta = 1 };

// Months of per-account history kept for look-back rules (utilization, draws) and charge-off reversals.
constexpr int kHistoryMonths = 12;

struct BehaviourParams {
  // --- spending ---
  double spend_sigma;               // log-sd of a month's spend given the card is used
  double spend_limit_elasticity;    // desired spend x (line / opening line)^e: more line, more spending
  double draws_extra_mean;          // a used card makes 1 + Poisson(lambda) draws; lambda at risk 0, util = util_ref
  double draws_beta_risk;           // log change of lambda per unit of latent risk
  double draws_beta_util;           // log change of lambda per unit of utilization above util_ref
  // --- statement and payment ---
  double min_payment_rate;          // minimum payment as a share of the statement
  std::int64_t min_payment_floor;   // minimum payment floor, cents
  double apr;                       // annual rate on revolved balances (monthly = apr/12), unless the policy prices by band
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
  double rho;                       // asset correlation of the Gaussian copula, [0, 1): loading on the region's factor
  double income_shock_beta;         // log-odds added to miss and roll probabilities per unit of income lost in a shock
  // rho is the correlation of default events over this many months (1 = each month's event; 0 is read as 1):
  // the systematic factor is held for that many months and a monthly probability p is moved as the
  // H-month probability 1 - (1 - p)^H would be by the one-factor copula (docs/model.md "Correlation horizon").
  std::int32_t rho_horizon_months;
  double partial_cure[kMaxBuckets];     // [b] base probability that bucket b moves back one bucket (b >= 2)
  double partial_cure_two[kMaxBuckets]; // [b] base probability that bucket b moves back two buckets (b >= 3)
  // --- authorisation ---
  std::int32_t decline_bucket;      // purchases are declined at this bucket or worse (after the month's event); 0 = never
  // --- borrowing response to new credit (Agarwal et al. 2018) ---
  // The customer keeps mpb x max(0, limit - opening limit) more on the card than it otherwise would: mpb of the
  // first band (rows sorted by descending score_min) whose score_min <= the origination score. 0 bands = off.
  std::int32_t n_mpb_bands;
  double mpb_score_min[kMaxMpbBands];
  double mpb[kMaxMpbBands];
  // --- loss ---
  LgdMode lgd_mode;
  double lgd;                       // fixed LGD, or the Beta mean (reported)
  double lgd_beta_a, lgd_beta_b;    // Beta(a, b) when lgd_mode == kBeta
  // Charge-off accounting: interest and fees billed over the last reversal_months months (the charge-off
  // month included) are reversed, and the charge-off is the balance less that reversal. Its recovery,
  // charge-off - loss, is collected over recovery_months months from the charge-off month on:
  // by the end of the k-th (0-based) of them, round(recovery x recovery_cum[k]); recovery_cum of the last is 1.
  // recovery_months 0 collects it all in the charge-off month.
  std::int32_t reversal_months;     // 0..kHistoryMonths; 0 = no reversal
  std::int32_t recovery_months;     // 0..kMaxRecoveryMonths
  double recovery_cum[kMaxRecoveryMonths];
  // --- attrition ---
  double attrition_rate;            // monthly probability that a current account closes voluntarily
  // 0: an attriting account pays its balance off and closes at once; 1: it runs off (no new purchases,
  // no line actions, payments as usual) and closes at the month end its balance reaches zero.
  std::int32_t attrition_runoff;
  // --- seasoning ---
  // The current -> 1-30 miss probability is multiplied by seasoning[min(months on book, n_seasoning - 1)]
  // (months on book at the start of the month). 0 entries = off (x 1).
  std::int32_t n_seasoning;
  double seasoning[kMaxSeasoning];
  // --- behaviour score (what a lender's policy rules see each month) ---
  // score_t = score - bucket_penalty x bucket - recent_penalty x max(0, recent_months - months since the
  // last missed payment) / recent_months - util_penalty x max(0, min(util, 1.5) - util_ref), clamped to [350, 950].
  double score_bucket_penalty;      // points per delinquency bucket
  double score_recent_penalty;      // points just after a missed payment, fading linearly
  std::int32_t score_recent_months; // months over which that penalty fades (>= 1)
  double score_util_penalty;        // points per unit of utilization above util_ref
};

// Temporary-limit months are a bit mask over simulated months 1..kMaxMonths.
constexpr int kMaxMonths = 600;
constexpr int kMonthMaskWords = (kMaxMonths + 63) / 64;

struct PolicyParams {
  // Initial line for new accounts (months on book 0), by score band:
  // the first row whose score_min <= score applies (rows sorted descending).
  std::int32_t n_bands;
  double band_score_min[kMaxBands];
  double band_income_multiple[kMaxBands];   // line = income x multiple ...
  std::int64_t band_floor[kMaxBands];       // ... clamped to [floor, cap], cents
  std::int64_t band_cap[kMaxBands];
  std::int64_t line_rounding;               // lines are rounded down to a multiple of this, cents (>= 1)
  std::int64_t max_limit;                   // no increase goes past this line, cents
  // Periodic review, on each account's months-on-book anniversary of every `review_every` months.
  std::int32_t review_every;                // months; 0 disables reviews
  std::int32_t review_min_clean_months;     // consecutive current months required
  std::int32_t review_min_months_on_book;
  std::int32_t review_lookback;             // months of utilization averaged (1..kHistoryMonths)
  double review_min_utilization;            // mean month-end utilization over the look-back
  double review_min_score;                  // behaviour score
  double review_raise_pct;                  // raise = limit x pct + amount ...
  std::int64_t review_raise_amount;         // cents
  std::int64_t review_max_raise;            // ... capped per review, cents (0 = no cap)
  // Event-triggered increase: after trigger_clean_months consecutive current
  // months (and as many since the last increase) with high mean utilization.
  std::int32_t trigger_clean_months;        // 0 disables; <= kHistoryMonths
  double trigger_min_utilization;
  double trigger_min_score;
  double trigger_raise_pct;
  std::int64_t trigger_raise_amount;
  std::int64_t trigger_max_raise;           // 0 = no cap
  // Decrease: line -> max(balance, cut_to_pct x line) when the behaviour score
  // is below decrease_score_below, or when utilization has been at least
  // decrease_high_util for decrease_high_util_months months running while the
  // score sits at least decrease_score_drop points under the origination score.
  double decrease_score_below;              // 0 = off
  double decrease_high_util;                // 0 = off
  std::int32_t decrease_high_util_months;
  double decrease_score_drop;
  double decrease_cut_to_pct;               // 0 = no decrease rule
  std::int32_t decrease_cooldown_months;    // months between two cuts of one account (>= 1)
  // Freeze.
  std::int32_t freeze_bucket;               // freeze at this bucket or worse; 0 disables freezing
  std::int32_t unfreeze_after_clean_months; // 0 = a frozen line stays frozen
  // Temporary limit: in the flagged months a current, unfrozen account may
  // draw limit x pct + amount above its line; it lapses afterwards.
  std::uint64_t temp_month_mask[kMonthMaskWords];  // bit m-1 set: month m (1-based) carries the raise
  double temp_raise_pct;
  std::int64_t temp_raise_amount;
  // Borrowing-frequency signal: on when the draws of the last freq_window
  // months add up to at least freq_max_draws.
  std::int32_t freq_window;                 // months, 0 disables; <= kHistoryMonths
  std::int32_t freq_max_draws;
  std::int32_t freq_block_increases;        // 1: no review or trigger increase while the signal is on
  double freq_cut_to_pct;                   // > 0: cut like a decrease (same cool-down) while the signal is on
  // Approval of applicants (the living book): an applicant opens an account when its score is at least
  // approve_min_score, its debt-to-income at most approve_max_dti (0 = no limit), and its place in its
  // month's applicant pool (share of the pool scoring higher) below approve_share.
  double approve_min_score;
  double approve_max_dti;
  double approve_share;                     // 1 = every applicant that passes the other two; 0 = nobody
  // Risk-based pricing: APR by origination score band (rows sorted descending); 0 rows = behaviour apr.
  std::int32_t n_price_bands;
  double price_score_min[kMaxBands];
  double price_apr[kMaxBands];
};

// One month of a stress scenario. Arrays of these, one per simulated month.
struct ScenarioMonth {
  double factor_shift;   // added to every systematic factor (negative = worse)
  double miss_mult;      // multiplies the current -> 1-30 miss probability
  double roll_mult;      // multiplies roll-forward probabilities
  double spend_mult;     // multiplies desired spending
  double shock_prob;     // probability that an account not in an income shock starts one this month
  double shock_size;     // share of income lost by a shock starting this month
  double lgd_mult;       // multiplies LGD at charge-off (capped at 1)
  double applicant_mult; // multiplies the month's applicant volume (<= the pool's headroom; 1 = as configured)
  double approval_mult;  // multiplies every policy's approval share this month (credit tightening; 1 = as the policy says)
  std::int32_t shock_months;  // months a shock starting this month lasts (>= 1)
};

static_assert(std::is_trivially_copyable<BehaviourParams>::value, "kernel params must be trivially copyable");
static_assert(std::is_trivially_copyable<PolicyParams>::value, "kernel params must be trivially copyable");
static_assert(std::is_trivially_copyable<ScenarioMonth>::value, "kernel params must be trivially copyable");

// Read-only views of host- or device-resident arrays handed to a launch: one
// per (scenario, policy) pair. Pairs of one launch share the factor array.
struct ModelView {
  BehaviourParams behaviour;
  PolicyParams policy;
  const ScenarioMonth* scenario;    // [months]
  const double* factor;             // [paths_total][months][factors] systematic factors Z (before the scenario shift)
  const double* lgd_quantiles;      // [kLgdTableSize] Beta LGD inverse CDF table, or nullptr
  std::uint64_t seed;
  std::int32_t months;
  std::int32_t paths_total;         // path stride of `factor`
  std::int32_t factors;             // regions: factor index of a customer = its region
};
constexpr int kLgdTableSize = 1025;
static_assert(std::is_trivially_copyable<ModelView>::value, "kernel views must be trivially copyable");

}  // namespace limitsim
