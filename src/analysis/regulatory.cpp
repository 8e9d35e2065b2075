// One-year regulatory and economic figures (definitions: regulatory.hpp, docs/regulatory.md).
#include "src/analysis/regulatory.hpp"

#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "src/analysis/pnl.hpp"
#include "src/analysis/summary.hpp"
#include "src/util/text.hpp"

namespace limitsim {
namespace {

constexpr double kCents = 100.0;
constexpr double kMonthsPerYear = 12.0;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double mean_over_paths(const std::vector<double>& x, const std::vector<double>& w) {
  return weighted_mean_estimate(x, w).value;
}

// Stage balances and the allowance path of one combination.
void stages_and_allowance(const RunResults& r, const ComboSums& c, const std::vector<double>& w, double eir,
                          ComboRegulatory& out) {
  const std::size_t P = static_cast<std::size_t>(r.paths), T = static_cast<std::size_t>(r.months);
  std::vector<std::vector<double>> monthly_loss(P, std::vector<double>(T));
  std::vector<std::vector<double>> stage(3, std::vector<double>(P));
  for (std::size_t t = 0; t < T; ++t) {
    for (std::size_t p = 0; p < P; ++p) {
      const PortfolioRow row = r.portfolio_row(c, static_cast<int>(p), static_cast<int>(t));
      monthly_loss[p][t] = static_cast<double>(row[kChargeoffLoss]) / kCents;
      std::int64_t s[3] = {0, 0, 0};
      for (int b = 0; b < kMaxBuckets; ++b) s[b >= 4 ? 2 : b >= 2 ? 1 : 0] += row[kBucketBalance0 + b];
      for (int k = 0; k < 3; ++k) stage[k][p] = static_cast<double>(s[k]) / kCents;
    }
    out.stages.push_back({static_cast<std::int32_t>(t + 1), mean_over_paths(stage[0], w),
                          mean_over_paths(stage[1], w), mean_over_paths(stage[2], w)});
  }
  out.lifetime_allowance = lifetime_allowance_path(monthly_loss, w, eir);
}

ComboRegulatory combo_regulatory(const RunResults& r, const ComboSums& c, const std::vector<double>& w,
                                 const IrbOptions& irb, double eir) {
  const std::size_t P = static_cast<std::size_t>(r.paths), G = static_cast<std::size_t>(r.segments);
  ComboRegulatory out;
  out.scenario = c.scenario;
  out.policy = c.policy;
  const PnlRates rates = run_pnl_rates(r);
  std::vector<double> loss(P), income(P);
  std::vector<std::vector<double>> count(G, std::vector<double>(P)), exposure = count, net = count, drawn = count;
  for (std::size_t p = 0; p < P; ++p) {
    std::int64_t loss_c = 0;
    PnlSums pnl;  // the P&L of the year, summed over the segments
    for (int t = 0; t < kRegulatoryMonths; ++t)
      for (std::size_t g = 0; g < G; ++g) {
        const std::int64_t* cell = c.sums.data() + r.cell_index(static_cast<int>(p), t, static_cast<int>(g), 0);
        loss_c += cell[kChargeoffLoss];
        count[g][p] += static_cast<double>(cell[kChargeoffCount]);
        exposure[g][p] += static_cast<double>(cell[kChargeoffExposure]) / kCents;
        net[g][p] += static_cast<double>(cell[kChargeoffLoss]) / kCents;
        if (t == 0) drawn[g][p] = static_cast<double>(cell[kBalance]) / kCents;
      }
    for (int t = 0; t < kRegulatoryMonths; ++t)
      pnl.add(r.portfolio_row(c, static_cast<int>(p), t).data());
    loss[p] = static_cast<double>(loss_c) / kCents;
    income[p] = pnl_values(pnl, rates)[kPnlNetIncome];  // the one definition (docs/pnl.md)
  }
  out.economic = economic_capital(loss, w);
  out.expected_net_income = mean_over_paths(income, w);
  out.raroc = out.economic.capital > 0.0 ? out.expected_net_income / out.economic.capital : kNaN;
  for (std::size_t g = 0; g < G; ++g) {
    SegmentRiskParameters s;
    s.segment = r.segment_names.at(g);
    s.customers = r.segment_customers.at(g);
    s.defaults = mean_over_paths(count[g], w);
    s.pd = s.customers > 0 ? s.defaults / static_cast<double>(s.customers) : kNaN;
    const double ead = mean_over_paths(exposure[g], w), lgd_num = mean_over_paths(net[g], w);
    s.lgd = ead > 0.0 ? lgd_num / ead : kNaN;
    s.ead_per_default = s.defaults > 0.0 ? ead / s.defaults : kNaN;
    s.drawn = mean_over_paths(drawn[g], w);
    if (std::isfinite(s.pd) && std::isfinite(s.lgd) && s.pd <= 1.0 && s.lgd <= 1.0) {
      s.irb = irb_qrre(s.pd, s.lgd, irb);
    } else {
      s.irb.pd = s.pd;
      s.irb.lgd = s.lgd;
    }
    s.rwa_drawn = irb_rwa(s.irb, s.drawn);
    out.rwa_drawn += s.rwa_drawn;
    out.irb_capital_drawn += s.rwa_drawn / kRwaPerCapital;
    out.segments.push_back(std::move(s));
  }
  stages_and_allowance(r, c, w, eir, out);
  return out;
}

// 12 x Σ interest / Σ month-end balance over every path and month.
double realised_yield(const RunResults& r, const ComboSums& c) {
  std::int64_t interest = 0, balance = 0;
  for (int p = 0; p < r.paths; ++p)
    for (int t = 0; t < r.months; ++t) {
      interest += r.portfolio(c, p, t, kInterest);
      balance += r.portfolio(c, p, t, kBalance);
    }
  return balance > 0 ? kMonthsPerYear * static_cast<double>(interest) / static_cast<double>(balance) : 0.0;
}

}  // namespace

std::vector<double> lifetime_allowance_path(const std::vector<std::vector<double>>& loss,
                                            const std::vector<double>& w, double eir) {
  if (loss.empty()) throw std::invalid_argument("lifetime_allowance_path: need at least one path");
  if (!(std::isfinite(eir) && eir > -kMonthsPerYear))
    throw std::invalid_argument("lifetime_allowance_path: the discount rate must be finite and > -12");
  const std::size_t P = loss.size(), T = loss[0].size();
  const double v = 1.0 / (1.0 + eir / kMonthsPerYear);  // one month's discount factor
  std::vector<double> out(T + 1, 0.0), per_path(P);
  for (std::size_t t = 0; t < T; ++t) {
    for (std::size_t p = 0; p < P; ++p) {
      if (loss[p].size() != T) throw std::invalid_argument("lifetime_allowance_path: ragged losses");
      double s = 0.0, d = 1.0;
      for (std::size_t u = t; u < T; ++u) {
        d *= v;
        s += loss[p][u] * d;
      }
      per_path[p] = s;
    }
    out[t] = mean_over_paths(per_path, w);
  }
  return out;
}

RegulatorySummary compute_regulatory(const RunResults& r, const IrbOptions& irb, double eir) {
  if (r.months < kRegulatoryMonths)
    throw std::invalid_argument("the one-year figures need at least " + std::to_string(kRegulatoryMonths) +
                                " months; the run has " + std::to_string(r.months));
  if (r.paths < 1 || r.segments < 1 || r.segment_names.size() != static_cast<std::size_t>(r.segments) ||
      r.segment_customers.size() != static_cast<std::size_t>(r.segments))
    throw std::invalid_argument("compute_regulatory: need paths and named segments with their customers");
  for (const ComboSums& c : r.combos)
    if (c.sums.size() != r.cells())
      throw std::invalid_argument("compute_regulatory: combo " + c.scenario + " / " + c.policy + " has " +
                                  std::to_string(c.sums.size()) + " sums, expected " + std::to_string(r.cells()));
  RegulatorySummary s;
  s.irb = irb;
  s.eir_estimated = std::isnan(eir);
  s.eir = s.eir_estimated ? (r.combos.empty() ? 0.0 : realised_yield(r, r.combos.front())) : eir;
  const std::vector<double> w = effective_path_weights(r);
  for (const ComboSums& c : r.combos) s.combos.push_back(combo_regulatory(r, c, w, irb, s.eir));
  return s;
}

std::string format_regulatory_table(const RegulatorySummary& s) {
  std::ostringstream o;
  o << "one-year figures (months 1-12; docs/regulatory.md): economic capital = VaR 99.9% of the one-year net loss "
       "less its mean; RAROC = expected one-year net income / economic capital\n"
    << "PD: accounts charged off in months 1-12 / customers at the start (charge-off definition); LGD: net loss / "
       "exposure at charge-off; IRB: Basel QRRE, R = 0.04, PD floor "
    << format_percent(s.irb.pd_floor) << (s.irb.scaling ? ", x 1.06" : "")
    << "; RWA on the drawn balances at month 1 (no CCF on undrawn lines)\n"
    << "stages by days past due only (stage 3: 90+, stage 2: 31-90; no score-drop test); lifetime allowance: mean "
       "discounted net loss of the months after, to the horizon, at "
    << format_percent(s.eir) << " a year" << (s.eir_estimated ? " (the realised interest yield; --eir sets it)" : "")
    << "\n";
  for (const ComboRegulatory& c : s.combos) {
    o << "\n" << c.scenario << " / " << c.policy << "\n";
    TextTable h("lr");
    h.add({"expected loss, one year", format_number(c.economic.expected_loss, 2)});
    h.add({"VaR 99.9%, one year", format_number(c.economic.var, 2)});
    h.add({"economic capital", format_number(c.economic.capital, 2) +
                                   (c.economic.paths_beyond < kTailCaveatPaths
                                        ? "  (rough: VaR rests on " + std::to_string(c.economic.paths_beyond) +
                                              (c.economic.paths_beyond == 1 ? " path" : " paths") + " beyond)"
                                        : "")});
    h.add({"expected net income, one year", format_number(c.expected_net_income, 2)});
    h.add({"RAROC", std::isfinite(c.raroc) ? format_percent(c.raroc) : "n/a"});
    h.add({"IRB capital on drawn balances", format_number(c.irb_capital_drawn, 2)});
    h.add({"IRB RWA on drawn balances", format_number(c.rwa_drawn, 2)});
    o << h.render("  ");
    TextTable t("lrrrrrrrr");
    t.add({"segment", "customers", "PD 12m", "LGD", "EAD/default", "K", "risk weight", "drawn", "RWA"});
    for (const SegmentRiskParameters& g : c.segments) {
      auto pct = [](double x) { return std::isfinite(x) ? format_percent(x) : std::string("n/a"); };
      auto num = [](double x) { return std::isfinite(x) ? format_number(x, 2) : std::string("n/a"); };
      t.add({g.segment, format_number(static_cast<double>(g.customers), 0), pct(g.pd), pct(g.lgd),
             num(g.ead_per_default), pct(g.irb.k), pct(g.irb.risk_weight), num(g.drawn), num(g.rwa_drawn)});
    }
    o << t.render("  ");
    TextTable a("rrrrr");
    a.add({"month", "stage 1", "stage 2", "stage 3", "lifetime allowance"});
    a.add({"0", "", "", "", format_number(c.lifetime_allowance.at(0), 2)});
    for (const StageBalances& b : c.stages)
      a.add({std::to_string(b.month), format_number(b.stage1, 2), format_number(b.stage2, 2),
             format_number(b.stage3, 2), format_number(c.lifetime_allowance.at(static_cast<std::size_t>(b.month)), 2)});
    o << a.render("  ");
  }
  return o.str();
}

std::string format_regulatory_json(const RegulatorySummary& s) {
  std::ostringstream o;
  o << "{\"months\": " << kRegulatoryMonths << ", \"irb\": {\"correlation\": " << json_number(s.irb.correlation)
    << ", \"scaling\": " << (s.irb.scaling ? "true" : "false") << ", \"pd_floor\": " << json_number(s.irb.pd_floor)
    << "}, \"eir\": " << json_number(s.eir) << ", \"eir_estimated\": " << (s.eir_estimated ? "true" : "false")
    << ", \"results\": [";
  for (std::size_t i = 0; i < s.combos.size(); ++i) {
    const ComboRegulatory& c = s.combos[i];
    o << (i ? "," : "") << "\n  {\"scenario\": " << json_string(c.scenario) << ", \"policy\": "
      << json_string(c.policy) << ", \"expected_loss\": " << json_number(c.economic.expected_loss)
      << ", \"var_99.9\": " << json_number(c.economic.var) << ", \"paths_beyond\": " << c.economic.paths_beyond
      << ", \"economic_capital\": "
      << json_number(c.economic.capital) << ", \"expected_net_income\": " << json_number(c.expected_net_income)
      << ", \"raroc\": " << json_number(c.raroc) << ", \"irb_capital_drawn\": " << json_number(c.irb_capital_drawn)
      << ", \"rwa_drawn\": " << json_number(c.rwa_drawn) << ", \"segments\": [";
    for (std::size_t g = 0; g < c.segments.size(); ++g) {
      const SegmentRiskParameters& x = c.segments[g];
      o << (g ? "," : "") << "\n    {\"segment\": " << json_string(x.segment) << ", \"customers\": " << x.customers
        << ", \"defaults\": " << json_number(x.defaults) << ", \"pd\": " << json_number(x.pd)
        << ", \"lgd\": " << json_number(x.lgd) << ", \"ead_per_default\": " << json_number(x.ead_per_default)
        << ", \"k\": " << json_number(x.irb.k) << ", \"risk_weight\": " << json_number(x.irb.risk_weight)
        << ", \"drawn\": " << json_number(x.drawn) << ", \"rwa_drawn\": " << json_number(x.rwa_drawn) << "}";
    }
    o << "], \"lifetime_allowance\": [";
    for (std::size_t t = 0; t < c.lifetime_allowance.size(); ++t)
      o << (t ? ", " : "") << json_number(c.lifetime_allowance[t]);
    o << "], \"stages\": [";
    for (std::size_t t = 0; t < c.stages.size(); ++t)
      o << (t ? ", " : "") << "{\"month\": " << c.stages[t].month << ", \"stage1\": " << json_number(c.stages[t].stage1)
        << ", \"stage2\": " << json_number(c.stages[t].stage2) << ", \"stage3\": " << json_number(c.stages[t].stage3)
        << "}";
    o << "]}";
  }
  o << "\n]}\n";
  return o.str();
}

}  // namespace limitsim
