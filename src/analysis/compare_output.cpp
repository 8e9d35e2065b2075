// The comparison as a table, a tidy CSV and a JSON document (docs/metrics.md, "Comparison output").
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "src/analysis/compare.hpp"
#include "src/analysis/pnl.hpp"
#include "src/util/text.hpp"

namespace limitsim {
namespace {

const CompareFigure& figure_of(const ComparedValue& v) { return *v.info; }

// Table cells by unit: money with 2 decimals, shares as percentages (their
// differences in percentage points), counts with 1 decimal.
std::string table_value(double v, const std::string& unit) {
  if (unit == "share") return format_percent(v);
  return format_number(v, unit == "currency" ? 2 : 1);
}
std::string table_diff(double v, const std::string& unit) {
  if (std::isnan(v)) return "n/a";
  const std::string sign = v > 0.0 ? "+" : "";
  if (unit == "share") return sign + format_number(100.0 * v, 2) + " pp";
  return sign + format_number(v, unit == "currency" ? 2 : 1);
}
std::string table_interval(const PairedDifference& d, const std::string& unit) {
  if (std::isnan(d.lo) || std::isnan(d.hi)) return "n/a";
  return "[" + table_diff(d.lo, unit) + ", " + table_diff(d.hi, unit) + "]";
}

// One block of the table: for every figure (and month), one row per member of
// `group` (policies of a scenario, or scenarios of a policy), labelled by `label`.
std::string comparison_block(const std::vector<const PolicyComparison*>& group, const char* member,
                             std::string (*label)(const PolicyComparison&)) {
  TextTable t("lrlrlrrlr");
  t.add({"figure", "month", member, "value", "\u00b1", "se", "diff", "95% CI", "ratio"});
  const std::size_t n_values = group.front()->values.size();
  for (std::size_t i = 0; i < n_values; ++i) {
    for (std::size_t q = 0; q < group.size(); ++q) {
      const PolicyComparison& pc = *group[q];
      const ComparedValue& v = pc.values[i];
      const CompareFigure& f = figure_of(v);
      const std::string unit = f.unit;
      std::vector<std::string> row{q == 0 ? f.name : "", q == 0 && v.month > 0 ? std::to_string(v.month) : "",
                                   label(pc), table_value(v.value.value, unit), "\u00b1",
                                   table_value(v.value.se, unit)};
      if (pc.is_baseline) {
        row.push_back("baseline");
      } else {
        row.push_back(table_diff(v.vs_baseline.diff, unit));
        row.push_back(table_interval(v.vs_baseline, unit));
        row.push_back(format_number(v.vs_baseline.pairing_ratio, 3));
      }
      t.add(std::move(row));
    }
  }
  return t.render("  ");
}

std::string policy_label(const PolicyComparison& pc) { return pc.policy; }
std::string scenario_label(const PolicyComparison& pc) { return pc.scenario; }

// CSV rows of one view.
std::string csv_rows(const std::vector<PolicyComparison>& rows) {
  std::string out;
  for (const PolicyComparison& pc : rows)
    for (const ComparedValue& v : pc.values) {
      const CompareFigure& f = figure_of(v);
      const PairedDifference& d = v.vs_baseline;
      out += csv_field(pc.scenario) + "," + csv_field(pc.policy) + "," + csv_field(f.name) + "," +
             (v.month > 0 ? std::to_string(v.month) : "") + "," + csv_field(f.unit) + "," +
             csv_number(v.value.value) + "," + csv_number(v.value.se) + "," + csv_number(d.diff) + "," +
             csv_number(d.lo) + "," + csv_number(d.hi) + "," + csv_number(d.pairing_ratio) + "\n";
    }
  return out;
}

std::string json_stats(const ComparedValue& v) {
  const PairedDifference& d = v.vs_baseline;
  return "\"value\": " + json_number(v.value.value) + ", \"se\": " + json_number(v.value.se) +
         ", \"diff\": " + json_number(d.diff) + ", \"diff_lo\": " + json_number(d.lo) +
         ", \"diff_hi\": " + json_number(d.hi) + ", \"pairing_ratio\": " + json_number(d.pairing_ratio);
}

// The "horizon" and "monthly" members of one compared (scenario, policy), indented by `pad`.
std::string json_values(const PolicyComparison& pc, const std::string& pad) {
  std::ostringstream o;
  o << "\n" << pad << "\"horizon\": {";
  bool first = true;
  for (const ComparedValue& v : pc.values) {
    if (figure_of(v).monthly) continue;
    o << (first ? "" : ",") << "\n" << pad << "  " << json_string(figure_of(v).name) << ": {" << json_stats(v)
      << "}";
    first = false;
  }
  o << "\n" << pad << "},\n" << pad << "\"monthly\": {";
  first = true;
  for (std::size_t i = 0; i < pc.values.size();) {
    const ComparedValue& v0 = pc.values[i];
    if (!figure_of(v0).monthly) {
      ++i;
      continue;
    }
    o << (first ? "" : ",") << "\n" << pad << "  " << json_string(figure_of(v0).name) << ": [";
    first = false;
    for (bool first_month = true; i < pc.values.size() && pc.values[i].figure == v0.figure; ++i) {
      o << (first_month ? "" : ", ") << "{\"month\": " << pc.values[i].month << ", " << json_stats(pc.values[i])
        << "}";
      first_month = false;
    }
    o << "]";
  }
  o << "\n" << pad << "}}";
  return o.str();
}

// Scenario s's policies by net income, best first, each with its paired difference from the baseline.
std::string ranking_block(const Comparison& c, std::size_t s) {
  TextTable t("rlrll");
  t.add({"rank", "policy", "net income", "diff", "95% CI"});
  int rank = 0;
  for (std::size_t i : rank_by_net_income(c, s)) {
    const PolicyComparison& pc = c.combos[i];
    const ComparedValue& v = pc.at("net_income");
    t.add({std::to_string(++rank), pc.policy, table_value(v.value.value, "currency"),
           pc.is_baseline ? "(baseline)" : table_diff(v.vs_baseline.diff, "currency"),
           pc.is_baseline ? "" : table_interval(v.vs_baseline, "currency")});
  }
  return t.render("  ");
}

}  // namespace

std::string format_comparison_table(const RunResults& r, const Comparison& c, CompareView view) {
  std::ostringstream o;
  o << "limitsim compare '" << r.meta.name << "'  |  paths " << format_number(c.paths, 0) << "  |  months "
    << c.months << "  |  baseline '" << c.baseline << "'  |  cost of funds " << format_percent(c.cost_of_funds)
    << " a year";
  if (c.importance_shift != 0.0)
    o << "  |  importance sampling: factor shift " << exact_number(c.importance_shift);
  else if (c.weighted)
    o << "  |  weighted paths";
  o << "\nP&L: " << format_pnl_parameters(c.pnl) << " (docs/pnl.md)\n";
  o << "value: mean over paths \u00b1 standard error (UL, VaR, ES: estimate \u00b1 bootstrap se); "
       "money in currency units; horizon figures are totals over months 1.."
    << c.months << "\n";
  if (c.weighted)
    o << "paths weighted by their importance-sampling likelihood ratios w_p; a paired difference is "
         "w_p (x_p \u2212 baseline_p)\n";
  o << "diff: policy \u2212 baseline on the same paths, with its 95% CI (t interval; UL, VaR, ES: paired bootstrap)\n";
  o << "ratio: paired CI width / unpaired (independent runs) CI width; below 1, pairing narrowed the interval\n";
  const std::size_t Q = r.policy_names.size(), N = Q == 0 ? 0 : c.combos.size() / Q;
  if (view != CompareView::kStress) {
    for (std::size_t s = 0; s < N; ++s) {
      o << "\nscenario '" << c.combos[s * Q].scenario << "'\n";
      o << "policies ranked by net income (the full P&L), with the paired difference from the baseline:\n"
        << ranking_block(c, s) << "\n";
      std::vector<const PolicyComparison*> group;
      for (std::size_t q = 0; q < Q; ++q) group.push_back(&c.combos[s * Q + q]);
      o << comparison_block(group, "policy", policy_label);
    }
  }
  if (view == CompareView::kStress || (view == CompareView::kBoth && N > 1)) {
    o << "\nstress: every scenario \u2212 the baseline scenario '" << c.baseline_scenario
      << "' under the same policy, on the same paths\n";
    if (N < 2) o << "(the run has one scenario)\n";
    for (std::size_t q = 0; q < Q && N > 1; ++q) {
      o << "\npolicy '" << c.stress[q].policy << "'\n";
      std::vector<const PolicyComparison*> group;
      for (std::size_t s = 0; s < N; ++s) group.push_back(&c.stress[s * Q + q]);
      o << comparison_block(group, "scenario", scenario_label);
    }
  }
  return o.str();
}

std::string format_comparison_csv(const Comparison& c, CompareView view) {
  if (view == CompareView::kBoth)
    throw std::invalid_argument("format_comparison_csv: one CSV holds one view (policies or stress)");
  return "scenario,policy,figure,month,unit,value,se,diff,diff_lo,diff_hi,pairing_ratio\n" +
         csv_rows(view == CompareView::kStress ? c.stress : c.combos);
}

std::string format_comparison_json(const RunResults& r, const Comparison& c) {
  std::ostringstream o;
  o << "{\n";
  o << "  \"run_name\": " << json_string(r.meta.name) << ",\n";
  o << "  \"paths\": " << c.paths << ",\n  \"months\": " << c.months << ",\n";
  o << "  \"customers\": " << r.meta.customers << ",\n";
  o << "  \"baseline\": " << json_string(c.baseline) << ",\n";
  o << "  \"baseline_scenario\": " << json_string(c.baseline_scenario) << ",\n";
  o << "  \"cost_of_funds\": " << json_number(c.cost_of_funds) << ",\n";
  o << "  \"pnl\": {\"interchange_rate\": " << json_number(c.pnl.interchange_rate)
    << ", \"annual_fee\": " << json_number(static_cast<double>(c.pnl.annual_fee) / 100.0)
    << ", \"operating_cost\": " << json_number(static_cast<double>(c.pnl.operating_cost) / 100.0)
    << ", \"acquisition_cost\": " << json_number(static_cast<double>(c.pnl.acquisition_cost) / 100.0)
    << ", \"collection_cost\": " << json_number(static_cast<double>(c.pnl.collection_cost) / 100.0) << "},\n";
  o << "  \"weighted\": " << (c.weighted ? "true" : "false") << ",\n";
  o << "  \"importance_shift\": " << json_number(c.importance_shift) << ",\n";
  o << "  \"confidence_level\": " << json_number(kCompareConfidence) << ",\n";
  o << "  \"t_quantile\": " << json_number(c.t_quantile) << ",\n";
  o << "  \"bootstrap\": {\"resamples\": " << kBootstrapResamples << ", \"seed\": " << kBootstrapSeed
    << ", \"generator\": \"std::mt19937_64\"},\n";
  o << "  \"report_months\": [";
  for (std::size_t k = 0; k < c.report_months.size(); ++k) o << (k ? ", " : "") << c.report_months[k];
  o << "],\n";
  o << "  \"figures\": [\n";
  const auto& figs = *c.figures;
  for (std::size_t f = 0; f < figs.size(); ++f)
    o << "    {\"name\": " << json_string(figs[f].name) << ", \"unit\": " << json_string(figs[f].unit)
      << ", \"monthly\": " << (figs[f].monthly ? "true" : "false") << ", \"method\": "
      << (figs[f].bootstrap ? "\"bootstrap\"" : "\"mean\"") << ", \"description\": "
      << json_string(figs[f].description) << "}" << (f + 1 < figs.size() ? "," : "") << "\n";
  o << "  ],\n";
  o << "  \"scenarios\": [";
  const std::size_t Q = r.policy_names.size(), N = Q == 0 ? 0 : c.combos.size() / Q;
  for (std::size_t s = 0; s < N; ++s) {
    o << (s ? "," : "") << "\n    {\"name\": " << json_string(c.combos[s * Q].scenario) << ", \"net_income_ranking\": [";
    const std::vector<std::size_t> ranked = rank_by_net_income(c, s);
    for (std::size_t k = 0; k < ranked.size(); ++k) o << (k ? ", " : "") << json_string(c.combos[ranked[k]].policy);
    o << "], \"policies\": [";
    for (std::size_t q = 0; q < Q; ++q) {
      const PolicyComparison& pc = c.combos[s * Q + q];
      o << (q ? "," : "") << "\n      {\"name\": " << json_string(pc.policy)
        << ", \"is_baseline\": " << (pc.is_baseline ? "true" : "false") << "," << json_values(pc, "       ");
    }
    o << "\n    ]}";
  }
  o << "\n  ],\n";
  o << "  \"stress\": [";
  for (std::size_t q = 0; q < Q && c.stress.size() == c.combos.size(); ++q) {
    o << (q ? "," : "") << "\n    {\"policy\": " << json_string(c.stress[q].policy) << ", \"scenarios\": [";
    for (std::size_t s = 0; s < N; ++s) {
      const PolicyComparison& pc = c.stress[s * Q + q];
      o << (s ? "," : "") << "\n      {\"name\": " << json_string(pc.scenario)
        << ", \"is_baseline\": " << (pc.is_baseline ? "true" : "false") << "," << json_values(pc, "       ");
    }
    o << "\n    ]}";
  }
  o << "\n  ]\n}\n";
  return o.str();
}

}  // namespace limitsim
