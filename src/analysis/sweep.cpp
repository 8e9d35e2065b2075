// Policy sweeps (sweep.hpp): per-variant figures, the efficient frontiers, and the sweep's table and CSV.
#include "src/analysis/sweep.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "src/util/text.hpp"

namespace limitsim {

std::vector<bool> efficient_frontier(const std::vector<double>& risk, const std::vector<double>& reward) {
  const std::size_t n = risk.size();
  std::vector<std::size_t> order;  // NaN points are never on the frontier, and must not reach the sort
  for (std::size_t i = 0; i < n; ++i)
    if (!std::isnan(risk[i]) && !std::isnan(reward[i])) order.push_back(i);
  // By risk ascending, reward descending: a point is dominated exactly when an
  // earlier point has at least its reward (and is not the same point).
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return risk[a] != risk[b] ? risk[a] < risk[b] : reward[a] > reward[b];
  });
  std::vector<bool> on(n, false);
  bool have = false;
  double best_reward = 0.0, best_risk = 0.0;
  for (const std::size_t i : order) {
    if (!have || reward[i] > best_reward) {
      on[i] = true;
      best_reward = reward[i];
      best_risk = risk[i];
      have = true;
    } else if (reward[i] == best_reward && risk[i] == best_risk) {
      on[i] = true;  // the same point twice: neither dominates the other
    }
  }
  return on;
}

namespace {

double tail_value(const PolicyComparison& pc, const char* figure) { return pc.at(figure).value.value; }

}  // namespace

SweepSummary summarize_sweep(const SweepConfig& sc, const RunResults& r, const Comparison& c) {
  if (c.baseline != sc.base_policy)
    throw std::invalid_argument("summarize_sweep: the comparison must be against the base policy " + sc.base_policy);
  if (r.policy_names.size() != sc.grid.size() + 1)
    throw std::invalid_argument("summarize_sweep: the results do not hold the sweep's " +
                                std::to_string(sc.grid.size() + 1) + " policies");
  SweepSummary s;
  s.base_policy = sc.base_policy;
  for (const SweepParameter& p : sc.parameters) s.keys.push_back(p.key);
  s.scenarios = r.scenario_names;
  const std::size_t np = r.policy_names.size();
  for (std::size_t si = 0; si < r.scenario_names.size(); ++si) {
    const std::size_t first = s.rows.size();
    for (std::size_t q = 0; q < np; ++q) {
      const PolicyComparison& pc = c.combos[si * np + q];
      SweepRow row;
      row.scenario = pc.scenario;
      row.policy = pc.policy;
      row.variant = static_cast<std::int32_t>(q);
      for (std::size_t j = 0; j < sc.parameters.size(); ++j) {
        const SweepParameter& p = sc.parameters[j];
        row.settings.push_back(q == 0 ? p.base_value : p.values[sc.grid[q - 1][j]]);
        row.numbers.push_back(q == 0 ? p.base_number : p.numbers[sc.grid[q - 1][j]]);
      }
      row.net_loss = pc.at("net_loss").value;
      row.revenue = pc.at("revenue").value;
      row.cost_of_funds = pc.at("cost_of_funds").value;
      row.net_income = pc.at("net_income").value;
      row.average_utilization = pc.at("average_utilization").value;
      row.var_99 = tail_value(pc, "var_99");
      row.es_99 = tail_value(pc, "es_99");
      row.var_999 = tail_value(pc, "var_99.9");
      row.overdue30_count = pc.at("overdue30_count", r.months).value;
      row.overdue90_count = pc.at("overdue90_count", r.months).value;
      row.limit_increases = pc.at("limit_increases").value.value;
      row.limit_decreases = pc.at("limit_decreases").value.value;
      row.freezes = pc.at("freezes").value.value;
      row.net_income_vs_base = pc.at("net_income").vs_baseline;
      row.net_loss_vs_base = pc.at("net_loss").vs_baseline;
      s.rows.push_back(std::move(row));
    }
    std::vector<double> loss, var99, income;
    for (std::size_t i = first; i < s.rows.size(); ++i) {
      loss.push_back(s.rows[i].net_loss.value);
      var99.push_back(s.rows[i].var_99);
      income.push_back(s.rows[i].net_income.value);
    }
    const std::vector<bool> f_loss = efficient_frontier(loss, income), f_var = efficient_frontier(var99, income);
    for (std::size_t i = first; i < s.rows.size(); ++i) {
      s.rows[i].frontier_loss = f_loss[i - first];
      s.rows[i].frontier_var99 = f_var[i - first];
    }
  }
  return s;
}

const std::vector<SweepColumn>& sweep_columns() {
  static const std::vector<SweepColumn> columns = {
      {"net_loss", "currency", "expected cumulative net loss at the horizon (mean over paths)",
       [](const SweepRow& r) { return r.net_loss.value; }},
      {"net_loss_se", "currency", "standard error of net_loss", [](const SweepRow& r) { return r.net_loss.se; }},
      {"var_99", "currency", "VaR 99% of the net loss over paths", [](const SweepRow& r) { return r.var_99; }},
      {"es_99", "currency", "ES 99% of the net loss over paths", [](const SweepRow& r) { return r.es_99; }},
      {"var_99.9", "currency", "VaR 99.9% of the net loss over paths", [](const SweepRow& r) { return r.var_999; }},
      {"revenue", "currency", "interest + late fees, months 1..T (mean)", [](const SweepRow& r) { return r.revenue.value; }},
      {"cost_of_funds", "currency", "cost_of_funds / 12 x month-end balances, months 1..T (mean)",
       [](const SweepRow& r) { return r.cost_of_funds.value; }},
      {"net_income", "currency", "net income of the full P&L, docs/pnl.md (mean)",
       [](const SweepRow& r) { return r.net_income.value; }},
      {"net_income_se", "currency", "standard error of net_income", [](const SweepRow& r) { return r.net_income.se; }},
      {"net_income_diff", "currency", "net income - the base policy's, on the same paths",
       [](const SweepRow& r) { return r.net_income_vs_base.diff; }},
      {"net_income_diff_lo", "currency", "lower end of the paired 95% CI of net_income_diff",
       [](const SweepRow& r) { return r.net_income_vs_base.lo; }},
      {"net_income_diff_hi", "currency", "upper end of the paired 95% CI of net_income_diff",
       [](const SweepRow& r) { return r.net_income_vs_base.hi; }},
      {"net_income_pairing_ratio", "none", "paired CI width / unpaired CI width of net_income_diff",
       [](const SweepRow& r) { return r.net_income_vs_base.pairing_ratio; }},
      {"net_loss_diff", "currency", "net loss - the base policy's, on the same paths",
       [](const SweepRow& r) { return r.net_loss_vs_base.diff; }},
      {"net_loss_diff_lo", "currency", "lower end of the paired 95% CI of net_loss_diff",
       [](const SweepRow& r) { return r.net_loss_vs_base.lo; }},
      {"net_loss_diff_hi", "currency", "upper end of the paired 95% CI of net_loss_diff",
       [](const SweepRow& r) { return r.net_loss_vs_base.hi; }},
      {"average_utilization", "share", "total balance / total line at month end, averaged over months (mean)",
       [](const SweepRow& r) { return r.average_utilization.value; }},
      {"overdue30_count", "share", "accounts 30+ days past due / open accounts at the horizon (mean)",
       [](const SweepRow& r) { return r.overdue30_count.value; }},
      {"overdue90_count", "share", "accounts 90+ days past due / open accounts at the horizon (mean)",
       [](const SweepRow& r) { return r.overdue90_count.value; }},
      {"limit_increases", "accounts", "line increases, months 1..T (mean)",
       [](const SweepRow& r) { return r.limit_increases; }},
      {"limit_decreases", "accounts", "line decreases, months 1..T (mean)",
       [](const SweepRow& r) { return r.limit_decreases; }},
      {"freezes", "accounts", "lines newly frozen, months 1..T (mean)", [](const SweepRow& r) { return r.freezes; }},
  };
  return columns;
}

std::string format_sweep_csv(const SweepSummary& s) {
  std::ostringstream o;
  o << "scenario,policy,variant";
  for (const std::string& k : s.keys) o << "," << csv_field(k);
  for (const SweepColumn& c : sweep_columns()) o << "," << c.name;
  o << ",frontier_loss,frontier_var99\n";
  for (const SweepRow& r : s.rows) {
    o << csv_field(r.scenario) << "," << csv_field(r.policy) << "," << r.variant;
    for (const double v : r.numbers) o << "," << csv_number(v);
    for (const SweepColumn& c : sweep_columns()) o << "," << csv_number(c.get(r));
    o << "," << (r.frontier_loss ? 1 : 0) << "," << (r.frontier_var99 ? 1 : 0) << "\n";
  }
  return o.str();
}

std::string format_sweep_table(const SweepSummary& s) {
  std::ostringstream o;
  o << "money in currency units; means over paths; diff = paired difference from the base policy "
    << s.base_policy << " with its 95% interval\n";
  for (const std::string& sc : s.scenarios) {
    std::size_t variants = 0, on_loss = 0, on_var = 0;
    for (const SweepRow& r : s.rows)
      if (r.scenario == sc) {
        ++variants;
        on_loss += r.frontier_loss;
        on_var += r.frontier_var99;
      }
    o << "\n" << sc << ": " << variants << " policies (base + " << variants - 1 << " variants); "
      << on_loss << " on the net income / expected loss frontier, " << on_var << " on the net income / VaR 99% frontier\n";
    std::string align = "l";
    for (std::size_t j = 0; j < s.keys.size(); ++j) align += "r";
    align += "rrrrrl";
    TextTable t(align);
    std::vector<std::string> head = {"policy"};
    head.insert(head.end(), s.keys.begin(), s.keys.end());
    for (const char* h : {"exp. loss", "VaR 99%", "net income", "diff vs base", "95% CI", "frontier"}) head.push_back(h);
    t.add(head);
    for (const SweepRow& r : s.rows) {
      if (r.scenario != sc || !(r.frontier_loss || r.frontier_var99 || r.variant == 0)) continue;
      std::vector<std::string> row = {r.policy};
      row.insert(row.end(), r.settings.begin(), r.settings.end());
      row.push_back(format_number(r.net_loss.value, 0));
      row.push_back(format_number(r.var_99, 0));
      row.push_back(format_number(r.net_income.value, 0));
      row.push_back(r.variant == 0 ? "(base)" : format_number(r.net_income_vs_base.diff, 0));
      row.push_back(r.variant == 0 ? "" : "[" + format_number(r.net_income_vs_base.lo, 0) + ", " +
                                              format_number(r.net_income_vs_base.hi, 0) + "]");
      row.push_back(std::string(r.frontier_loss ? "EL" : "") + (r.frontier_loss && r.frontier_var99 ? "+" : "") +
                    (r.frontier_var99 ? "VaR" : ""));
      t.add(row);
    }
    o << t.render("  ");
  }
  return o.str();
}

}  // namespace limitsim
