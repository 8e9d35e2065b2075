// The P&L per path and month (definitions: docs/pnl.md).
#include "src/analysis/pnl.hpp"

#include <stdexcept>
#include <string>

#include "src/util/text.hpp"

namespace limitsim {
namespace {

constexpr double kCentsPerUnit = 100.0;
constexpr double kMonthsPerYear = 12.0;

double cents(std::int64_t x) { return static_cast<double>(x) / kCentsPerUnit; }
double count(std::int64_t x) { return static_cast<double>(x); }

const PnlLineInfo kLines[] = {
    {"interest", "currency", +1, "interest charged"},
    {"fees", "currency", +1, "late fees charged"},
    {"reversals", "currency", -1, "interest and fees reversed at charge-off"},
    {"interchange", "currency", +1, "interchange_rate x purchase volume"},
    {"annual_fees", "currency", +1, "annual_fee / 12 x open accounts at month end"},
    {"cost_of_funds", "currency", -1, "cost_of_funds / 12 x month-end balance"},
    {"operating_cost", "currency", -1, "operating_cost / 12 x open accounts at month end"},
    {"acquisition_cost", "currency", -1, "acquisition_cost x accounts opened"},
    {"collection_cost", "currency", -1, "collection_cost x accounts 1+ days past due (bucket >= 1) at month end"},
    {"net_loss", "currency", -1, "net charge-off loss (charge-off x LGD)"},
    {"net_income", "currency", 0, "income lines - cost lines"},
    {"risk_adjusted_margin", "share", 0,
     "12 x net_income / sum over the months of the month-end balance (0 without balance): a share a year"},
};
static_assert(std::size(kLines) == kNumPnlLines, "one info row per P&L line");

void check_months(const RunResults& r, int first, int last) {
  if (first < 0 || last > r.months || first >= last)
    throw std::invalid_argument("P&L: months [" + std::to_string(first) + ", " + std::to_string(last) +
                                ") are not a span of 0.." + std::to_string(r.months));
}

}  // namespace

const PnlLineInfo& pnl_line_info(int line) { return kLines[line]; }

std::string format_pnl_parameters(const PnlConfig& p) {
  auto money = [](std::int64_t c) { return format_number(cents(c), 2); };
  return "interchange " + format_percent(p.interchange_rate) + " of purchases  |  annual fee " + money(p.annual_fee) +
         "  |  operating cost " + money(p.operating_cost) + " a year per open account  |  acquisition " +
         money(p.acquisition_cost) + " per new account  |  collection " + money(p.collection_cost) +
         " per delinquent account-month";
}

PnlRates run_pnl_rates(const RunResults& r) { return {r.meta.cost_of_funds, r.meta.pnl}; }

void PnlSums::add(const std::int64_t* row) {
  interest += row[kInterest];
  fees += row[kFees];
  reversals += row[kReversal];
  spend += row[kSpend];
  balance += row[kBalance];
  loss += row[kChargeoffLoss];
  active += row[kActive];
  new_accounts += row[kNewAccountCount];
  for (int b = 1; b < kMaxBuckets; ++b) delinquent += row[kBucketCount0 + b];
  ++months;
}

PnlValues pnl_values(const PnlSums& s, const PnlRates& rates) {
  const PnlConfig& p = rates.pnl;
  PnlValues v{};
  v[kPnlInterest] = cents(s.interest);
  v[kPnlFees] = cents(s.fees);
  v[kPnlReversals] = cents(s.reversals);
  v[kPnlInterchange] = p.interchange_rate * cents(s.spend);
  v[kPnlAnnualFees] = cents(p.annual_fee) / kMonthsPerYear * count(s.active);
  v[kPnlCostOfFunds] = rates.cost_of_funds / kMonthsPerYear * cents(s.balance);
  v[kPnlOperatingCost] = cents(p.operating_cost) / kMonthsPerYear * count(s.active);
  v[kPnlAcquisitionCost] = cents(p.acquisition_cost) * count(s.new_accounts);
  v[kPnlCollectionCost] = cents(p.collection_cost) * count(s.delinquent);
  v[kPnlNetLoss] = cents(s.loss);
  // Integer cents of revenue - loss first, then the cost of funds (the net
  // income of schema <= 1.4), then the lines of [pnl].
  v[kPnlNetIncome] = cents(s.revenue() - s.loss) - v[kPnlCostOfFunds] + v[kPnlInterchange] + v[kPnlAnnualFees] -
                     v[kPnlOperatingCost] - v[kPnlAcquisitionCost] - v[kPnlCollectionCost];
  v[kPnlRiskAdjustedMargin] = s.balance == 0 ? 0.0 : kMonthsPerYear * v[kPnlNetIncome] / cents(s.balance);
  return v;
}

std::vector<std::vector<double>> pnl_per_path(const RunResults& r, const ComboSums& c, const PnlRates& rates,
                                              int first_month, int last_month) {
  check_months(r, first_month, last_month);
  const std::size_t P = static_cast<std::size_t>(r.paths);
  std::vector<std::vector<double>> out(kNumPnlLines, std::vector<double>(P));
  for (std::size_t p = 0; p < P; ++p) {
    PnlSums s;
    for (int t = first_month; t < last_month; ++t) s.add(r.portfolio_row(c, static_cast<int>(p), t).data());
    const PnlValues v = pnl_values(s, rates);
    for (int l = 0; l < kNumPnlLines; ++l) out[static_cast<std::size_t>(l)][p] = v[static_cast<std::size_t>(l)];
  }
  return out;
}

std::vector<std::array<Estimate, kNumPnlLines>> pnl_monthly(const RunResults& r, const ComboSums& c,
                                                            const PnlRates& rates, const std::vector<double>& w) {
  std::vector<std::array<Estimate, kNumPnlLines>> out(static_cast<std::size_t>(r.months));
  for (int t = 0; t < r.months; ++t) {
    const auto lines = pnl_per_path(r, c, rates, t, t + 1);
    for (int l = 0; l < kNumPnlLines; ++l)
      out[static_cast<std::size_t>(t)][static_cast<std::size_t>(l)] =
          weighted_mean_estimate(lines[static_cast<std::size_t>(l)], w);
  }
  return out;
}

std::array<Estimate, kNumPnlLines> pnl_horizon(const RunResults& r, const ComboSums& c, const PnlRates& rates,
                                               const std::vector<double>& w) {
  const auto lines = pnl_per_path(r, c, rates, 0, r.months);
  std::array<Estimate, kNumPnlLines> out;
  for (int l = 0; l < kNumPnlLines; ++l)
    out[static_cast<std::size_t>(l)] = weighted_mean_estimate(lines[static_cast<std::size_t>(l)], w);
  return out;
}

}  // namespace limitsim
