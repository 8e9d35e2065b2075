// Vintages of the living book (docs/model.md "Vintages"): by cohort (the opening book, or the run
// month an account was acquired in) and months on book, the exact sums over paths of the vintage
// metrics (kernels/metrics.hpp VintageMetric), and the figures derived from them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "src/engine/results.hpp"

namespace limitsim {

// [cohort][months on book][vintage metric], cohorts 0..months: cohort 0 is the opening book (the
// portfolio sums less the acquired cohorts'; its months on book count from the start of the run and
// its `opened` is the opening customers x paths), cohort a + 1 the accounts acquired in run month a.
// Sums over all paths; empty when c has no vintage sums.
std::vector<std::int64_t> vintage_table(const RunResults& r, const ComboSums& c);
inline std::size_t vintage_table_index(const RunResults& r, int cohort, int mob, int metric) {
  return (static_cast<std::size_t>(cohort) * r.months + mob) * kNumVintageMetrics + metric;
}

// Name of cohort k of vintage_table: "opening book", "month 1", "month 2", ...
std::string cohort_name(int cohort);

// One cohort at one month on book, as means over paths (a plain mean: vintages are sums over paths,
// not weighted by importance sampling).
struct VintagePoint {
  double opened = 0.0;           // accounts the cohort opened with (per path)
  double active = 0.0;           // open accounts at month end
  double balance = 0.0;          // their balances, currency
  double mean_line = 0.0;        // mean line per open account, currency
  double overdue30_count = 0.0;  // 30+ share of open accounts
  double overdue30_balance = 0.0;// 30+ share of balances
  double cum_chargeoff_rate = 0.0;  // cumulative charge-offs / accounts opened
  double cum_net_loss = 0.0;     // cumulative net loss, currency
};

// The point of cohort `cohort` at `mob` months on book from the table (as vintage_table gives it).
VintagePoint vintage_point(const RunResults& r, const std::vector<std::int64_t>& table, int cohort, int mob);

// The plain-text vintage view of `summary --vintages` for one scenario x policy pair: one row per
// cohort that opened accounts (every `step` months), columns at the given months on book.
std::string vintage_text(const RunResults& r, const ComboSums& c, int step);

}  // namespace limitsim
