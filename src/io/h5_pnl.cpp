// The P&L's datasets and attributes in a result file (docs/hdf5-schema.md, "P&L (since 1.5)").
#include "src/io/h5_pnl.hpp"

#include <cmath>

#include "src/analysis/pnl.hpp"
#include "src/analysis/summary.hpp"

namespace limitsim {
namespace {

constexpr double kCentsPerUnit = 100.0;
constexpr double kMaxMoney = 100000.0;  // currency units per account, as [pnl] allows

std::string set_money(std::int64_t& cents, double v) {
  if (!(std::isfinite(v) && v >= 0.0 && v <= kMaxMoney)) return "must be a finite amount in [0, 100000]";
  cents = std::llround(v * kCentsPerUnit);
  return "";
}

}  // namespace

const std::vector<PnlAttribute>& pnl_attributes() {
  static const std::vector<PnlAttribute> attrs{
      {"interchange_rate", [](const PnlConfig& p) { return p.interchange_rate; },
       [](PnlConfig& p, double v) -> std::string {
         if (!(std::isfinite(v) && v >= 0.0 && v <= 0.1)) return "must be a finite share in [0, 0.1]";
         p.interchange_rate = v;
         return "";
       }},
      {"annual_fee", [](const PnlConfig& p) { return static_cast<double>(p.annual_fee) / kCentsPerUnit; },
       [](PnlConfig& p, double v) { return set_money(p.annual_fee, v); }},
      {"operating_cost", [](const PnlConfig& p) { return static_cast<double>(p.operating_cost) / kCentsPerUnit; },
       [](PnlConfig& p, double v) { return set_money(p.operating_cost, v); }},
      {"acquisition_cost", [](const PnlConfig& p) { return static_cast<double>(p.acquisition_cost) / kCentsPerUnit; },
       [](PnlConfig& p, double v) { return set_money(p.acquisition_cost, v); }},
      {"collection_cost", [](const PnlConfig& p) { return static_cast<double>(p.collection_cost) / kCentsPerUnit; },
       [](PnlConfig& p, double v) { return set_money(p.collection_cost, v); }},
  };
  return attrs;
}

std::vector<PnlColumn> pnl_columns(const RunResults& r, const ComboSums& c) {
  const auto monthly = pnl_monthly(r, c, run_pnl_rates(r), effective_path_weights(r));
  std::vector<PnlColumn> out;
  for (int l = 0; l < kNumPnlLines; ++l) {
    const PnlLineInfo& info = pnl_line_info(l);
    PnlColumn value{info.name, info.unit, std::string(info.description) + ", this month, mean over paths", {}};
    PnlColumn se{std::string(info.name) + "_se", info.unit, std::string("standard error of ") + info.name, {}};
    for (const auto& month : monthly) {
      value.values.push_back(month[static_cast<std::size_t>(l)].value);
      se.values.push_back(month[static_cast<std::size_t>(l)].se);
    }
    out.push_back(std::move(value));
    out.push_back(std::move(se));
  }
  return out;
}

}  // namespace limitsim
