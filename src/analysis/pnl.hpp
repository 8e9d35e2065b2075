// The P&L of a (scenario, policy), per path and month (definitions: docs/pnl.md).
//
// The one definition of net income: compare, summary, sweep (through compare),
// regulatory and the HDF5 writer all take it from here. Every line is built
// from the exact integer sums of the kernels (cents and account counts),
// summed over the months first; the rates and per-account amounts are applied
// once, on the host, to those sums.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "src/analysis/risk.hpp"
#include "src/config/config.hpp"
#include "src/engine/results.hpp"

namespace limitsim {

// The lines, in the order written everywhere (tables, CSV, JSON, HDF5). Every
// line is an amount in currency units, costs as positive amounts; net income
// = the income lines - the cost lines; risk_adjusted_margin is a share a year.
enum PnlLine : int {
  kPnlInterest = 0,       // + interest charged
  kPnlFees,               // + late fees charged
  kPnlReversals,          // - interest and fees reversed at charge-off
  kPnlInterchange,        // + interchange_rate x purchase volume
  kPnlAnnualFees,         // + annual_fee / 12 x open accounts at month end
  kPnlCostOfFunds,        // - cost_of_funds / 12 x month-end balance
  kPnlOperatingCost,      // - operating_cost / 12 x open accounts at month end
  kPnlAcquisitionCost,    // - acquisition_cost x accounts opened
  kPnlCollectionCost,     // - collection_cost x accounts in bucket >= 1 at month end
  kPnlNetLoss,            // - net charge-off loss
  kPnlNetIncome,          // the sum of the lines above with their signs
  kPnlRiskAdjustedMargin, // 12 x net income / sum over the months of the month-end balance
  kNumPnlLines
};

struct PnlLineInfo {
  const char* name;         // e.g. "interchange" (HDF5 column, CSV figure, JSON key)
  const char* unit;         // "currency" or "share"
  int sign;                 // +1 income, -1 cost, 0 a result (net income, margin)
  const char* description;
};
const PnlLineInfo& pnl_line_info(int line);

// The P&L's parameters: the run's cost of funds ([run]) and [pnl].
struct PnlRates {
  double cost_of_funds = 0.0;  // annual rate on month-end balances
  PnlConfig pnl;
};
// The [pnl] parameters in a line, e.g. "interchange 2.00% of purchases  |  annual fee 0.00  |  ...".
std::string format_pnl_parameters(const PnlConfig& p);

// The rates a result file was run with (r.meta).
PnlRates run_pnl_rates(const RunResults& r);

// The exact sums the lines are built from, over any span of months of one path.
struct PnlSums {
  std::int64_t interest = 0, fees = 0, reversals = 0, spend = 0, balance = 0, loss = 0;  // cents
  std::int64_t active = 0, new_accounts = 0, delinquent = 0;  // account-months
  std::int32_t months = 0;

  // Adds one month: a row of metric sums (kNumMetrics entries: a portfolio row or one segment's cell).
  void add(const std::int64_t* row);
  std::int64_t revenue() const { return interest + fees - reversals; }  // cents
};

using PnlValues = std::array<double, kNumPnlLines>;

// Every line from the sums. Net income is the integer cents of revenue - net loss,
// then the cost of funds, then the other lines (so with [pnl] all 0 it is the
// net income of the files written before the P&L, bit for bit).
PnlValues pnl_values(const PnlSums& s, const PnlRates& rates);

// Per path: the lines over months [first, last) of one combo ([line][path]).
std::vector<std::vector<double>> pnl_per_path(const RunResults& r, const ComboSums& c, const PnlRates& rates,
                                              int first_month, int last_month);

// Per month (1..T): each line's mean over paths (weighted by w; empty = 1) with its se ([month][line]).
std::vector<std::array<Estimate, kNumPnlLines>> pnl_monthly(const RunResults& r, const ComboSums& c,
                                                            const PnlRates& rates, const std::vector<double>& w);

// Over the horizon: each line's mean over paths with its se ([line]).
std::array<Estimate, kNumPnlLines> pnl_horizon(const RunResults& r, const ComboSums& c, const PnlRates& rates,
                                               const std::vector<double>& w);

}  // namespace limitsim
