// Derived figures, computed on the host from the exact integer sums.
// Sign convention: losses are positive numbers (currency units); VaR_q is the
// q-quantile of the cumulative net loss over paths, ES_q the mean loss at or
// beyond VaR_q. Every mean over paths is weighted by the paths' importance-
// sampling likelihood ratios (RunResults::path_weight; 1 without importance
// sampling, which gives the plain means bit for bit). See docs/metrics.md for
// every definition; the loss figures themselves are in risk.hpp.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "src/engine/results.hpp"
#include "src/analysis/pnl.hpp"
#include "src/analysis/risk.hpp"

namespace limitsim {

// Figures at one month (1-based), means over paths with standard errors.
struct MonthFigures {
  std::int32_t month = 0;
  Estimate active;                        // accounts
  Estimate overdue30_count, overdue60_count, overdue90_count;        // share of open accounts
  Estimate overdue30_balance, overdue60_balance, overdue90_balance;  // share of balances
  Estimate utilization;                   // total balance / total line
  Estimate mean_utilization;              // mean of per-account utilization
  Estimate cumulative_net_loss;           // currency units, months 1..month
  Estimate cumulative_chargeoffs;         // accounts
  Estimate gross_chargeoffs;              // currency units, this month: charged off (after reversals)
  Estimate recoveries;                    // currency units, this month: collected
  Estimate net_chargeoffs;                // currency units, this month: gross_chargeoffs - recoveries
  Estimate net_chargeoff_rate;            // share a year: 12 x net_chargeoffs / month-end balance
};

struct ComboSummary {
  std::string scenario;
  std::string policy;
  std::vector<double> path_loss;           // cumulative net loss per path at the horizon, currency units
  Estimate expected_loss;                  // (weighted) mean of path_loss
  Interval expected_loss_ci;               // 95%: EL ± t(0.975, P − 1) se
  Estimate unexpected_loss;                // (weighted) standard deviation of path_loss (se: bootstrap)
  Interval unexpected_loss_ci;             // 95% bootstrap percentile interval
  std::vector<TailEstimate> tail;          // [level]: Summary::levels (0.95, 0.99, 0.999 unless chosen)
  // Euler contributions of EL, UL, VaR and ES (docs/metrics.md, "Risk contributions"):
  RiskContributions by_segment;            // [segment] (score band x region cells)
  RiskContributions by_band;               // [band]: sums of the segments of each score band
  RiskContributions by_region;             // [region]: sums of the segments of each region
  // The loss figures on the first n paths, n = convergence_grid(P); the last is n = P.
  std::vector<ConvergencePoint> convergence;
  Estimate exposure_at_chargeoff;          // cumulative, currency units
  Estimate revenue;                        // interest + fees - reversals, cumulative, currency units
  Estimate reversals;                      // interest and fees reversed at charge-off, cumulative, currency units
  Estimate limit_increases;                // count, cumulative
  Estimate freezes;                        // count, cumulative
  std::array<Estimate, kNumPnlLines> pnl;  // the P&L over the horizon, [PnlLine] (docs/pnl.md)
  std::vector<MonthFigures> months;        // every month 1..T (index month-1)
  std::vector<std::int32_t> report_months; // months shown in tables; always ends with T
};

// The segments as (score band, region) cells, with RunResults' empty fields
// filled in: no band names means each segment is its own band (named like the
// segment), no region names means one region, "all".
struct SegmentCells {
  std::vector<std::string> segment_names;   // [segment]
  std::vector<std::string> band_names;      // [band]
  std::vector<std::string> region_names;    // [region]
  std::vector<std::int32_t> segment_band;   // [segment] -> band
  std::vector<std::int32_t> segment_region; // [segment] -> region
};
// Throws std::invalid_argument when the fields are inconsistent (sizes, indices out of range).
SegmentCells segment_cells(const RunResults& r);

// The path weights to use: empty when importance sampling is off (no weights,
// or every weight exactly 1), else r.path_weight. Throws std::invalid_argument
// for a wrong count or a negative, non-finite or all-zero weight.
std::vector<double> effective_path_weights(const RunResults& r);

// The run's tail levels: r.meta.tail_levels as exact fractions, or kTailLevels
// when it is empty. Throws std::invalid_argument for an invalid list.
std::vector<TailLevel> run_tail_levels(const RunResults& r);

struct Summary {
  std::int32_t paths = 0, months = 0;
  std::int64_t customers = 0;
  bool weighted = false;                   // figures weighted by importance-sampling likelihood ratios
  double importance_shift = 0.0;           // RunMetadata::importance_shift (0 = off)
  // Diagnostics of the path weights (1 and P without importance sampling):
  double mean_weight = 1.0;                // should be near 1: E[w] = 1 under the sampling measure
  double effective_paths = 0.0;            // Kish: (sum w)^2 / sum w^2
  SegmentCells cells;                      // names of the contributions' units
  std::vector<TailLevel> levels;           // tail levels of VaR and ES (run_tail_levels)
  std::vector<ComboSummary> combos;        // same order as RunResults::combos
};

// Whether importance-sampling weights leave the means over paths unreliable: few effective paths
// (Kish, below a tenth of the paths) or a mean weight far from its expected 1.
bool few_paths_carry_the_weight(double mean_weight, double effective_paths, std::int32_t paths);

// Valid months of `requested` (1..months), sorted and deduplicated, plus `months`.
std::vector<std::int32_t> normalize_report_months(const std::vector<std::int32_t>& requested,
                                                  std::int32_t months);

// One Estimate member of MonthFigures or ComboSummary, described for writers and tables.
template <class Owner>
struct FigureInfo {
  const char* name;         // e.g. "overdue30_count" (HDF5 dataset name; its se is name + "_se")
  const char* unit;         // "accounts", "share" or "currency"
  const char* description;
  Estimate Owner::*field;
};
// Every Estimate of MonthFigures, in declaration order.
const std::vector<FigureInfo<MonthFigures>>& month_figure_info();
// The scalar Estimates of ComboSummary: expected_loss, unexpected_loss,
// exposure_at_chargeoff, revenue, limit_increases, freezes.
const std::vector<FigureInfo<ComboSummary>>& combo_figure_info();

// report_months: months (1-based) to show besides the horizon; invalid ones are ignored.
// Throws std::invalid_argument when r has no paths or months, or a combo's sums
// do not have r.cells() entries.
Summary compute_summary(const RunResults& r, const std::vector<std::int32_t>& report_months = {});

// A short human-readable table of the key figures: monthly figures, EL, UL,
// VaR and ES with their 95% CIs, and the contributions by score band (and by
// region where there is more than one).
std::string format_summary_table(const RunResults& r, const Summary& s);

// The convergence bands as a table: for every (scenario, policy), each loss
// figure on the first n paths with its 95% CI, n = 10, 20, 50, ..., P.
std::string format_convergence_table(const RunResults& r, const Summary& s);

// The summary as tidy CSV: one row per (scenario, policy, month, figure), with
// month empty for horizon figures (EL, UL, VaR, ES and the totals), columns
// scenario, policy, month, figure, unit, value, se, ci_lo, ci_hi (empty where
// a figure has none). Every month of the run is included, not only the report months.
std::string format_summary_csv(const Summary& s);

// The summary as one JSON document: run metadata, the figure definitions, and
// per (scenario, policy) the horizon figures, the tail (VaR and ES with their
// intervals at each level) and every month's figures.
std::string format_summary_json(const RunResults& r, const Summary& s);

}  // namespace limitsim
