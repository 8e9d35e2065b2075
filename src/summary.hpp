// Derived figures, computed on the host from the exact integer sums.
// Sign convention: losses are positive numbers (currency units); VaR_q is the
// q-quantile of the cumulative net loss over paths, ES_q the mean loss at or
// beyond VaR_q. See docs/metrics.md for every definition.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "results.hpp"

namespace limitsim {

struct Estimate {
  double value = 0.0;  // mean over paths (or the point estimate)
  double se = 0.0;     // standard error over paths; NaN where it cannot be estimated
};

struct TailEstimate {
  double level = 0.0;        // 0.95, 0.99, 0.999
  double var = 0.0;          // empirical quantile: order statistic ceil(level * paths)
  double var_lo = 0.0;       // distribution-free 95% CI from order statistics (NaN when too few paths)
  double var_hi = 0.0;
  double var_se = 0.0;       // bootstrap standard error (fixed bootstrap seed, reproducible)
  double es = 0.0;           // expected shortfall: mean of the losses >= VaR
  double es_se = 0.0;        // bootstrap standard error
};

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
};

struct ComboSummary {
  std::string scenario;
  std::string policy;
  std::vector<double> path_loss;           // cumulative net loss per path at the horizon, currency units
  Estimate expected_loss;                  // mean of path_loss
  Estimate unexpected_loss;                // standard deviation of path_loss (se: bootstrap)
  std::vector<TailEstimate> tail;          // levels 0.95, 0.99, 0.999
  Estimate exposure_at_chargeoff;          // cumulative, currency units
  Estimate revenue;                        // interest + fees, cumulative, currency units
  Estimate limit_increases;                // count, cumulative
  Estimate freezes;                        // count, cumulative
  std::vector<MonthFigures> months;        // every month 1..T (index month-1)
  std::vector<std::int32_t> report_months; // months shown in tables; always ends with T
};

struct Summary {
  std::int32_t paths = 0, months = 0;
  std::int64_t customers = 0;
  std::vector<ComboSummary> combos;        // same order as RunResults::combos
};

// Tail levels, exactly: level = num / den, so the rank ceil(level * paths) is
// computed in integers (0.95 * 100 in double is not exactly 95).
struct TailLevel {
  std::int64_t num;
  std::int64_t den;
  double value() const { return static_cast<double>(num) / static_cast<double>(den); }
};
inline constexpr TailLevel kTailLevels[] = {{95, 100}, {99, 100}, {999, 1000}};

// Bootstrap of the tail figures and of the unexpected loss (docs/metrics.md).
inline constexpr int kBootstrapResamples = 2000;
inline constexpr std::uint64_t kBootstrapSeed = 0x9E3779B97F4A7C15ULL;

// The 1-based rank of VaR at `level` among `paths` sorted losses: ceil(level * paths), >= 1.
std::int64_t tail_rank(const TailLevel& level, std::int64_t paths);

// A uniform index in [0, n), n >= 1, from std::mt19937_64 by rejection: draws
// x until x < n * floor(2^64 / n) and returns x % n. Unlike
// std::uniform_int_distribution its output is the same with every standard library.
std::uint64_t uniform_index(std::mt19937_64& gen, std::uint64_t n);

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

// A short human-readable table of the key figures.
std::string format_summary_table(const RunResults& r, const Summary& s);

}  // namespace limitsim
