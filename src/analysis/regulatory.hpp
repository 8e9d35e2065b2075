// One-year regulatory and economic figures of a run, from the exact sums it
// already holds (docs/regulatory.md): per (scenario, policy) the one-year
// economic capital and RAROC, and per segment the 12-month charge-off PD, the
// LGD and exposure at charge-off, and the Basel IRB QRRE capital they imply.
// Shown by `limitsim summary --regulatory`; nothing is computed or written
// unless asked for.
#pragma once

#include <limits>
#include <string>
#include <vector>

#include "src/analysis/capital.hpp"
#include "src/engine/results.hpp"

namespace limitsim {

// The one-year window: months 1..12.
inline constexpr int kRegulatoryMonths = 12;

struct SegmentRiskParameters {
  std::string segment;
  std::int64_t customers = 0;       // customers at the start
  double defaults = 0.0;            // mean over paths of the accounts charged off in months 1..12
  double pd = 0.0;                  // 12-month PD, charge-off definition: defaults / customers
  double lgd = 0.0;                 // Σ net loss / Σ exposure at charge-off, months 1..12 (NaN: no charge-off)
  double ead_per_default = 0.0;     // mean exposure at charge-off per account charged off, currency (NaN: none)
  double drawn = 0.0;               // mean balance at the end of month 1, currency
  IrbCapital irb;                   // K and risk weight at (pd, lgd); zero where lgd is NaN
  double rwa_drawn = 0.0;           // risk_weight x drawn: RWA of the drawn balances (no CCF on undrawn lines)
};

// Month-end balances by IFRS 9 stage under the days-past-due backstops only
// (IFRS 9 5.5.11 and B5.5.37): stage 3 at 90+ DPD (buckets >= 91-120), stage 2
// at 31-90 DPD, stage 1 the rest. A significant increase in credit risk from a
// score drop is not applied (not available from the sums), so stage 2 is a
// lower bound.
struct StageBalances {
  std::int32_t month = 0;
  double stage1 = 0.0, stage2 = 0.0, stage3 = 0.0;  // means over paths, currency
};

struct ComboRegulatory {
  std::string scenario, policy;
  EconomicCapital economic;         // of the one-year net loss (months 1..12), 99.9%
  double expected_net_income = 0.0; // mean of the P&L's net income (src/analysis/pnl.hpp), months 1..12, currency
  double raroc = 0.0;               // expected_net_income / economic capital (NaN when the capital is not > 0)
  std::vector<SegmentRiskParameters> segments;
  double irb_capital_drawn = 0.0;   // Σ_g K_g x drawn_g (x 1.06 with scaling): capital on the drawn balances
  double rwa_drawn = 0.0;           // Σ_g rwa_drawn
  std::vector<StageBalances> stages;  // [month 1..T]
  // CECL-style lifetime allowance at the start (index 0) and at the end of
  // each month t = 1..T: the mean over paths of the net losses of months
  // t+1..T, each discounted to t at the monthly rate eir / 12. The book has no
  // new accounts, so these are the losses of the accounts open at t; "lifetime"
  // is the rest of the run's horizon (the behavioural life = the horizon).
  std::vector<double> lifetime_allowance;  // [T + 1]; the last is 0
};

struct RegulatorySummary {
  IrbOptions irb;
  double eir = 0.0;                     // annual discount rate of the allowance (the effective interest rate)
  bool eir_estimated = false;           // eir is the realised interest yield of the first combination
  std::vector<ComboRegulatory> combos;  // same order as RunResults::combos
};

// Throws std::invalid_argument for a run shorter than 12 months or malformed results.
// eir: annual rate to discount the allowance at; NaN = the realised yield
// 12 x Σ interest / Σ month-end balance of the first (scenario, policy), all months and paths.
RegulatorySummary compute_regulatory(const RunResults& r, const IrbOptions& irb = {},
                                     double eir = std::numeric_limits<double>::quiet_NaN());

// The allowance path of the per-path monthly losses loss[p][t] (currency,
// months 1..T): out[t] = mean_w over p of Σ_{s=t+1..T} loss[p][s-1] / (1 + eir/12)^(s-t).
std::vector<double> lifetime_allowance_path(const std::vector<std::vector<double>>& loss,
                                            const std::vector<double>& w, double eir);

std::string format_regulatory_table(const RegulatorySummary& s);
std::string format_regulatory_json(const RegulatorySummary& s);

}  // namespace limitsim
