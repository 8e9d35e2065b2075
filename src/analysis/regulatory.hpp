// One-year regulatory and economic figures of a run, from the exact sums it
// already holds (docs/regulatory.md): per (scenario, policy) the one-year
// economic capital and RAROC, and per segment the 12-month charge-off PD, the
// LGD and exposure at charge-off, and the Basel IRB QRRE capital they imply.
// Shown by `limitsim summary --regulatory`; nothing is computed or written
// unless asked for.
#pragma once

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

struct ComboRegulatory {
  std::string scenario, policy;
  EconomicCapital economic;         // of the one-year net loss (months 1..12), 99.9%
  double expected_net_income = 0.0; // mean of revenue − net loss − cost of funds, months 1..12, currency
  double raroc = 0.0;               // expected_net_income / economic capital (NaN when the capital is not > 0)
  std::vector<SegmentRiskParameters> segments;
  double irb_capital_drawn = 0.0;   // Σ_g K_g x drawn_g (x 1.06 with scaling): capital on the drawn balances
  double rwa_drawn = 0.0;           // Σ_g rwa_drawn
};

struct RegulatorySummary {
  IrbOptions irb;
  std::vector<ComboRegulatory> combos;  // same order as RunResults::combos
};

// Throws std::invalid_argument for a run shorter than 12 months or malformed results.
RegulatorySummary compute_regulatory(const RunResults& r, const IrbOptions& irb = {});

std::string format_regulatory_table(const RegulatorySummary& s);
std::string format_regulatory_json(const RegulatorySummary& s);

}  // namespace limitsim
