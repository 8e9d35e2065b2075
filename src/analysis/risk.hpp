// Tail risk of the loss distribution over Monte Carlo paths (docs/metrics.md,
// "Loss distribution" and "Risk contributions"): expected and unexpected loss,
// VaR and expected shortfall with confidence intervals, convergence bands, and
// the Euler allocation of each measure to segments.
//
// Everything here is a pure function of per-path vectors: losses L_p and path
// weights w_p, the likelihood ratios of importance sampling (IS) on the
// systematic factor. An empty weight vector means "no importance sampling" and
// selects the exact unweighted rules (integer VaR ranks), which a weighted run
// with every weight exactly 1 uses as well, bit for bit.
//
// Sign convention: losses are positive; VaR_q is the q-quantile of the loss,
// ES_q the mean loss at or beyond VaR_q.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "src/util/tail_level.hpp"

namespace limitsim {

// ---------------------------------------------------------------- constants

// Tail levels, exactly: level = num / den (src/util/tail_level.hpp). The
// default levels; a run may choose others ([run] tail_levels).
inline constexpr TailLevel kTailLevels[] = {{95, 100}, {99, 100}, {999, 1000}};
inline constexpr std::size_t kNumTailLevels = sizeof(kTailLevels) / sizeof(kTailLevels[0]);
// kTailLevels as a vector.
const std::vector<TailLevel>& default_tail_levels();

// Two-sided level of every interval here (EL, UL, VaR, ES, contributions' figures).
inline constexpr double kRiskConfidence = 0.95;

// Bootstrap of the tail figures and of the unexpected loss (docs/metrics.md).
inline constexpr int kBootstrapResamples = 2000;
inline constexpr std::uint64_t kBootstrapSeed = 0x9E3779B97F4A7C15ULL;

// Convergence bands: path counts 10, 20, 50, 100, 200, 500, ... below P, then P.
// Points below P use fewer resamples to keep the cost near 10% of the main
// bootstrap (docs/metrics.md, "Convergence bands").
inline constexpr std::int64_t kConvergenceMinPaths = 10;
inline constexpr int kConvergenceResamples = 200;

// ---------------------------------------------------------------- results

struct Estimate {
  double value = 0.0;  // mean over paths (or the point estimate)
  double se = 0.0;     // standard error over paths; NaN where it cannot be estimated
};

struct Interval {
  double lo = std::numeric_limits<double>::quiet_NaN();
  double hi = std::numeric_limits<double>::quiet_NaN();
};

struct TailEstimate {
  double level = 0.0;   // e.g. 0.95, 0.99, 0.999
  double var = 0.0;     // VaR_q (unweighted: order statistic ceil(level * paths))
  double var_lo = 0.0;  // 95% CI of VaR_q: distribution-free order-statistic interval when unweighted,
  double var_hi = 0.0;  //   bootstrap percentile interval when weighted; NaN where it cannot be had
  double var_se = 0.0;  // bootstrap standard error (fixed bootstrap seed, reproducible)
  double es = 0.0;      // expected shortfall: mean of the losses at or beyond VaR_q
  double es_se = 0.0;   // bootstrap standard error
  double es_lo = std::numeric_limits<double>::quiet_NaN();  // 95% bootstrap percentile interval of ES_q
  double es_hi = std::numeric_limits<double>::quiet_NaN();
  std::int64_t paths_beyond = 0;  // paths whose loss is at or beyond VaR_q: what VaR_q and ES_q rest on
};

// Below this many paths at or beyond VaR_q, VaR_q and ES_q are little more than
// the largest losses observed: summary, compare's JSON and the report say so.
inline constexpr std::int64_t kTailCaveatPaths = 10;

// "rests on N path(s) beyond the quantile" when te.paths_beyond < kTailCaveatPaths, else "".
std::string tail_caveat(const TailEstimate& te);

// The loss figures of one sample of paths.
struct LossRisk {
  std::int64_t paths = 0;
  bool weighted = false;     // the weighted (importance-sampling) estimators were used
  int resamples = 0;         // bootstrap resamples behind the se and the bootstrap intervals
  Estimate expected_loss;    // EL = (1/P) sum w L, se = sd(w L) / sqrt(P)
  Interval expected_loss_ci; // EL ± t(0.975, P − 1) · se
  Estimate unexpected_loss;  // UL = sqrt( sum w (L − EL)² / (P − 1) ), se: bootstrap
  Interval unexpected_loss_ci;  // bootstrap percentile interval
  std::vector<TailLevel> levels;   // the tail levels (kTailLevels unless chosen)
  std::vector<TailEstimate> tail;  // [level]
};

// One point of the convergence bands: the loss figures of the first `paths` paths.
struct ConvergencePoint {
  std::int64_t paths = 0;
  LossRisk risk;
};

// Euler allocation of EL, UL, VaR_q and ES_q to units (segments, score bands or
// regions); each set adds up to the portfolio figure.
struct RiskContributions {
  std::vector<double> expected_loss;           // [unit]
  std::vector<double> unexpected_loss;         // [unit]
  std::vector<std::vector<double>> var, es;    // [level][unit]
  std::vector<std::int64_t> var_rank;          // [level] 1-based rank of VaR_q in the sorted losses
  std::vector<std::int64_t> var_first, var_last;  // [level] the window of ranks averaged for VaR_q's split
};

// ---------------------------------------------------------------- helpers

// The 1-based rank of VaR at `level` among `paths` sorted losses: ceil(level * paths), >= 1.
std::int64_t tail_rank(const TailLevel& level, std::int64_t paths);

// A uniform index in [0, n), n >= 1, from std::mt19937_64 by rejection: draws
// x until x < n * floor(2^64 / n) and returns x % n. Unlike
// std::uniform_int_distribution its output is the same with every standard library.
std::uint64_t uniform_index(std::mt19937_64& gen, std::uint64_t n);

// The p-quantile of Student's t distribution with df > 0 degrees of freedom
// (df need not be an integer). NaN for p outside (0, 1), df <= 0 or NaN.
double student_t_quantile(double p, double df);
// P(T <= t) for Student's t with df > 0 degrees of freedom.
double student_t_cdf(double t, double df);

// Percentile interval of bootstrap replicates: the values at ranks
// k = ceil(0.025 B) and B − k + 1 of the sorted replicates (50 and 1951 for B = 2000).
Interval percentile_interval(std::vector<double> replicates);

// True when w is empty or every weight is exactly 1: the unweighted rules apply.
bool all_unit_weights(const std::vector<double>& w);

// Throws std::invalid_argument (naming `who`) unless w is empty or has `paths`
// finite, non-negative weights with a positive sum.
void check_weights(const std::vector<double>& w, std::size_t paths, const std::string& who);

// ---------------------------------------------------------------- estimators

struct TailPoint {
  double var;
  double es;
};

// VaR_q and ES_q of x, where path i occurs counts[i] times (nullptr: once each;
// n = the sum of the counts) and, when w is not null, has weight w[i].
// `order` lists the paths by ascending x (nullptr: x is already ascending).
// Without weights: the rank rule, VaR = x_(k), k = ceil(q n), ES = the mean of
// the top n − k + 1 values. With weights: VaR = the smallest x present (count
// and weight > 0) with (1/n) Σ_{x_i > VaR} c_i w_i <= 1 − q, and
// ES = Σ_{x_i >= VaR} c_i w_i x_i / Σ_{x_i >= VaR} c_i w_i.
TailPoint tail_point(const std::vector<double>& x, const std::vector<std::size_t>* order,
                     const std::vector<std::uint32_t>* counts, const std::vector<double>* w, std::int64_t n,
                     const TailLevel& level);
// tail_point at every level of `levels` in one walk (the same bits as one level at a time).
std::vector<TailPoint> tail_points(const std::vector<double>& x, const std::vector<std::size_t>* order,
                                   const std::vector<std::uint32_t>* counts, const std::vector<double>* w,
                                   std::int64_t n, const std::vector<TailLevel>& levels = default_tail_levels());

// Weighted mean and sd of x with multiplicities (nullptr: 1) and weights
// (nullptr: 1), n = Σ counts: mean = (1/n) Σ c w x, sd = sqrt(Σ c w (x − mean)² / (n − 1)).
// With unit weights and counts these are the plain mean and sample sd, bit for bit.
double weighted_mean(const std::vector<double>& x, const std::vector<std::uint32_t>* counts,
                     const std::vector<double>* w, std::int64_t n);
double weighted_sd(const std::vector<double>& x, const std::vector<std::uint32_t>* counts,
                   const std::vector<double>* w, std::int64_t n, double mean);

// Paths by ascending x, ties by path index (a stable, library-independent order).
std::vector<std::size_t> ascending_order(const std::vector<double>& x);

// Mean over paths of w_p x_p with se = sd(w x) / sqrt(P) (NaN for one path);
// w empty = 1, which gives the plain mean bit for bit.
Estimate weighted_mean_estimate(const std::vector<double>& x, const std::vector<double>& w);

// EL, UL, VaR and ES at `levels` (increasing) with their standard errors and
// 95% intervals (docs/metrics.md). w: path weights (empty: unweighted; all 1 is
// unweighted too). The bootstrap uses `resamples` resamples from
// std::mt19937_64(kBootstrapSeed). Throws std::invalid_argument for no paths,
// bad weights or no levels.
LossRisk loss_risk(const std::vector<double>& loss, const std::vector<double>& w,
                   int resamples = kBootstrapResamples,
                   const std::vector<TailLevel>& levels = default_tail_levels());

// Path counts of the convergence bands: 10, 20, 50, 100, 200, 500, 1000, ...
// (the 1-2-5 sequence from kConvergenceMinPaths) below `paths`, then `paths`.
std::vector<std::int64_t> convergence_grid(std::int64_t paths);

// The loss figures of the first n paths for every n of convergence_grid; the
// last point (n = P) is `full`, the full-sample figures, unchanged. Points
// below P use kConvergenceResamples bootstrap resamples.
std::vector<ConvergencePoint> convergence_bands(const std::vector<double>& loss, const std::vector<double>& w,
                                                const LossRisk& full);

// Half-width h of the window of order statistics whose mean splits VaR_q:
// the smallest h >= 1 with h² >= P (1 − q), in integers.
std::int64_t var_window_half_width(std::int64_t paths, const TailLevel& level);

// Euler contributions of units to the figures in `risk` (computed by loss_risk
// from `loss` and `w`). unit_loss[g][p] is unit g's loss on path p; Σ_g
// unit_loss[g][p] must equal loss[p] (to rounding).
//   EL_g  = (1/P) Σ_p w_p L_gp
//   UL_g  = Cov_w(L_g, L) / UL,  Cov_w = Σ_p w_p (L_gp − EL_g)(L_p − EL) / (P − 1)
//   ES_g  = Σ_{p in T} w_p L_gp / Σ_{p in T} w_p, T = the paths ES_q averages
//   VaR_g = window mean of L_g around VaR's rank, rescaled to add up to VaR_q
// Throws std::invalid_argument for inconsistent sizes.
RiskContributions risk_contributions(const std::vector<double>& loss,
                                     const std::vector<std::vector<double>>& unit_loss,
                                     const std::vector<double>& w, const LossRisk& risk);

// Contributions of groups of units (e.g. segments to score bands): the sum of
// the contributions of the units with group_of[unit] == group.
RiskContributions aggregate_contributions(const RiskContributions& c, const std::vector<std::int32_t>& group_of,
                                          std::size_t groups);

}  // namespace limitsim
