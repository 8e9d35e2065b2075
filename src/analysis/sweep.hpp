// Policy sweeps: a grid of variants of one base policy, run together on common
// random numbers, summarised per variant with the efficient frontiers of net
// income against expected loss and against 99% VaR (docs/metrics.md, "Sweep").
#pragma once

#include <string>
#include <vector>

#include "src/analysis/compare.hpp"
#include "src/config/config.hpp"
#include "src/engine/results.hpp"

namespace limitsim {

// One policy of the sweep (the base or a variant) in one scenario.
struct SweepRow {
  std::string scenario;
  std::string policy;
  std::int32_t variant = 0;              // 0 = the base policy, v = grid point v (1-based)
  std::vector<std::string> settings;     // the swept keys' values, in parameter order
  std::vector<double> numbers;           // the same as numbers
  Estimate net_loss, revenue, cost_of_funds, net_income, average_utilization;
  double var_99 = 0.0, es_99 = 0.0, var_999 = 0.0;
  Estimate overdue30_count, overdue90_count;   // at the horizon
  double limit_increases = 0.0, limit_decreases = 0.0, freezes = 0.0;  // means over paths
  PairedDifference net_income_vs_base, net_loss_vs_base;  // against the base policy, same paths
  bool frontier_loss = false;            // on the frontier of net income against net_loss
  bool frontier_var99 = false;           // ... against VaR 99%
};

struct SweepSummary {
  std::vector<std::string> keys;         // swept keys
  std::string base_policy;
  std::vector<std::string> scenarios;
  std::vector<SweepRow> rows;            // scenario-major, then base, then variants in grid order
};

// A numeric column of the sweep table (CSV and /sweep in HDF5), after the
// scenario, policy, variant and swept-key columns and before the frontier flags.
struct SweepColumn {
  const char* name;
  const char* unit;          // "currency", "share", "accounts" or "none"
  const char* description;
  double (*get)(const SweepRow&);
};
const std::vector<SweepColumn>& sweep_columns();

// Marks the points not dominated in (risk lower, reward higher): point i is on
// the frontier unless some j has risk_j <= risk_i and reward_j >= reward_i with
// one of them strict. Equal points are both on it.
std::vector<bool> efficient_frontier(const std::vector<double>& risk, const std::vector<double>& reward);

// Summarises a sweep's results; `c` must compare against the base policy.
SweepSummary summarize_sweep(const SweepConfig& sc, const RunResults& r, const Comparison& c);

// One row per (scenario, policy): keys, figures, differences and frontier flags.
std::string format_sweep_csv(const SweepSummary& s);

// The frontier variants of each scenario, for the terminal.
std::string format_sweep_table(const SweepSummary& s);

}  // namespace limitsim
