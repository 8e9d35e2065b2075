// The text, CSV and JSON forms of a summary (summary.hpp format_summary_*): what `limitsim summary`
// prints. The figures themselves are computed in summary.cpp.
#include "src/analysis/summary.hpp"

#include "src/util/text.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <iterator>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace limitsim {
namespace {

// ---------------------------------------------------------------- text formatting

// Shared with compare and sweep tables (src/util/text.hpp), so numbers print alike.
std::string fmt_num(double v, int decimals) { return format_number(v, decimals); }
std::string fmt_pct(double share) { return format_percent(share); }

std::string header_line(const RunResults& r, const Summary& s) {
  std::ostringstream o;
  o << "limitsim run '" << r.meta.name << "'  |  customers " << fmt_num(static_cast<double>(r.meta.customers), 0)
    << "  |  paths " << fmt_num(s.paths, 0) << "  |  months " << s.months << "  |  backend "
    << (r.meta.backend.empty() ? "n/a" : r.meta.backend) << "  |  threads " << r.meta.threads << "  |  wall "
    << fmt_num(r.meta.wall_seconds, 1) << " s";
  if (s.importance_shift != 0.0)
    o << "  |  importance sampling: factor shift " << exact_number(s.importance_shift);
  else if (s.weighted)
    o << "  |  weighted paths";
  o << "\n";
  if (s.weighted) {
    o << "path weights: mean " << fmt_num(s.mean_weight, 3) << " (1 expected), effective paths "
      << fmt_num(s.effective_paths, 1) << " of " << fmt_num(s.paths, 0) << " (Kish)\n";
    // A shift aimed at the tail makes the weights of the typical paths tiny and of a few others huge:
    // tail figures gain, means over paths (EL, overdue rates, revenue) lose.
    if (few_paths_carry_the_weight(s.mean_weight, s.effective_paths, s.paths))
      o << "warning: few paths carry the weight, so means over paths (EL, rates, revenue) are unreliable here; "
           "read VaR and ES from this run and means from a run without importance sampling\n";
  }
  return o.str();
}

std::string month_table(const ComboSummary& cs) {
  TextTable t("rrrrrrrrrr");
  t.add({"month", "active", "30+ n", "60+ n", "90+ n", "30+ bal", "60+ bal", "90+ bal", "util", "cum net loss"});
  for (std::int32_t m : cs.report_months) {
    const MonthFigures& f = cs.months[static_cast<std::size_t>(m) - 1];
    t.add({std::to_string(m), fmt_num(f.active.value, 1), fmt_pct(f.overdue30_count.value),
           fmt_pct(f.overdue60_count.value), fmt_pct(f.overdue90_count.value), fmt_pct(f.overdue30_balance.value),
           fmt_pct(f.overdue60_balance.value), fmt_pct(f.overdue90_balance.value), fmt_pct(f.utilization.value),
           fmt_num(f.cumulative_net_loss.value, 2)});
  }
  return t.render("  ");
}

// The P&L over the horizon, a line each (docs/pnl.md).
std::string pnl_table(const ComboSummary& cs) {
  TextTable t("lrlr");
  t.add({"P&L, months 1..T", "mean", "\u00b1", "se"});
  for (int l = 0; l < kNumPnlLines; ++l) {
    const PnlLineInfo& info = pnl_line_info(l);
    const Estimate& e = cs.pnl[static_cast<std::size_t>(l)];
    const bool share = std::string(info.unit) == "share";
    const std::string sign = info.sign > 0 ? "+ " : info.sign < 0 ? "- " : "= ";
    t.add({sign + info.name, share ? fmt_pct(e.value) : fmt_num(e.value, 2), "\u00b1",
           share ? fmt_pct(e.se) : fmt_num(e.se, 2)});
  }
  return t.render("  ");
}

std::string ci_text(const Interval& ci) {
  if (std::isnan(ci.lo) && std::isnan(ci.hi)) return "95% CI n/a";
  return "95% CI [" + fmt_num(ci.lo, 2) + ", " + fmt_num(ci.hi, 2) + "]";
}

std::string level_text(double level) { return tail_level_percent(level) + "%"; }

std::string figure_table(const ComboSummary& cs) {
  TextTable t("lrlrl");
  auto add = [&](const std::string& label, const Estimate& e, int decimals, std::string note = "") {
    t.add({label, fmt_num(e.value, decimals), "\u00b1", fmt_num(e.se, decimals), std::move(note)});
  };
  add("expected loss", cs.expected_loss, 2, ci_text(cs.expected_loss_ci));
  add("unexpected loss (sd)", cs.unexpected_loss, 2, ci_text(cs.unexpected_loss_ci));
  bool rough = false;
  for (const TailEstimate& te : cs.tail) {
    const bool few = !tail_caveat(te).empty();
    rough = rough || few;
    const std::string mark =
        few ? "  (rough: " + std::to_string(te.paths_beyond) + (te.paths_beyond == 1 ? " path" : " paths") + " beyond)"
            : "";
    add("VaR " + level_text(te.level), {te.var, te.var_se}, 2, ci_text({te.var_lo, te.var_hi}) + mark);
    add("ES " + level_text(te.level), {te.es, te.es_se}, 2, ci_text({te.es_lo, te.es_hi}) + mark);
  }
  add("exposure at charge-off", cs.exposure_at_chargeoff, 2);
  add("revenue (interest + fees - reversals)", cs.revenue, 2);
  add("limit increases", cs.limit_increases, 1);
  add("freezes", cs.freezes, 1);
  std::string out = t.render("  ");
  if (rough)
    out += "  rough: VaR and ES resting on fewer than " + std::to_string(kTailCaveatPaths) +
           " paths at or beyond the quantile are little more than the largest losses seen; run more paths\n";
  return out;
}

// One row per unit (band or region) and a total row with the portfolio figures.
std::string contribution_table(const char* unit, const std::vector<std::string>& names, const RiskContributions& c,
                               const ComboSummary& cs) {
  std::string align = "l";
  std::vector<std::string> head{unit, "EL", "UL"};
  for (const TailEstimate& te : cs.tail) {
    head.push_back("VaR " + level_text(te.level));
    head.push_back("ES " + level_text(te.level));
  }
  align.append(head.size() - 1, 'r');
  TextTable t(align);
  t.add(head);
  for (std::size_t g = 0; g < names.size(); ++g) {
    std::vector<std::string> row{names[g], fmt_num(c.expected_loss[g], 2), fmt_num(c.unexpected_loss[g], 2)};
    for (std::size_t l = 0; l < c.var.size(); ++l) {
      row.push_back(fmt_num(c.var[l][g], 2));
      row.push_back(fmt_num(c.es[l][g], 2));
    }
    t.add(std::move(row));
  }
  std::vector<std::string> total{"total", fmt_num(cs.expected_loss.value, 2), fmt_num(cs.unexpected_loss.value, 2)};
  for (const TailEstimate& te : cs.tail) {
    total.push_back(fmt_num(te.var, 2));
    total.push_back(fmt_num(te.es, 2));
  }
  t.add(std::move(total));
  return t.render("  ");
}

std::string contributions(const Summary& s, const ComboSummary& cs) {
  std::string out = "  risk contributions by score band (Euler allocation; each column adds up to the total)\n";
  out += contribution_table("band", s.cells.band_names, cs.by_band, cs);
  if (s.cells.region_names.size() > 1) {
    out += "  risk contributions by region\n";
    out += contribution_table("region", s.cells.region_names, cs.by_region, cs);
  }
  return out;
}

}  // namespace

std::string format_summary_table(const RunResults& r, const Summary& s) {
  std::string out = header_line(r, s);
  out += std::string("money in currency units; figures are ") +
         (s.weighted ? "means over paths weighted by their importance-sampling likelihood ratios"
                     : "means over paths") +
         " \u00b1 standard error; overdue shares of open accounts (n) and of balances (bal)\n";
  out += std::string("95% CIs: EL t interval; UL, ES bootstrap percentile; VaR ") +
         (s.weighted ? "bootstrap percentile" : "order statistics") + "\n";
  for (const ComboSummary& cs : s.combos) {
    out += "\n" + cs.scenario + " / " + cs.policy + "\n";
    out += month_table(cs);
    out += "\n";
    out += figure_table(cs);
    out += "\n";
    out += pnl_table(cs);
    out += "\n";
    out += contributions(s, cs);
  }
  return out;
}

std::string format_convergence_table(const RunResults& r, const Summary& s) {
  std::string out = header_line(r, s);
  out += "loss figures on the first n paths, with 95% CIs (EL: t interval; UL, ES: bootstrap percentile; VaR: " +
         std::string(s.weighted ? "bootstrap percentile" : "order statistics") + "); below n = " +
         fmt_num(s.paths, 0) + " the bootstrap uses " + std::to_string(kConvergenceResamples) + " resamples, at n = " +
         fmt_num(s.paths, 0) + " " + std::to_string(kBootstrapResamples) + "\n";
  for (const ComboSummary& cs : s.combos) {
    out += "\n" + cs.scenario + " / " + cs.policy + "\n";
    TextTable t("lrrrrr");
    t.add({"figure", "paths", "value", "95% CI lo", "95% CI hi", "CI width"});
    auto add = [&](const std::string& name, std::size_t i, double value, const Interval& ci) {
      t.add({i == 0 ? name : "", fmt_num(static_cast<double>(cs.convergence[i].paths), 0), fmt_num(value, 2),
             fmt_num(ci.lo, 2), fmt_num(ci.hi, 2), fmt_num(ci.hi - ci.lo, 2)});
    };
    const std::size_t K = cs.convergence.size();
    for (std::size_t i = 0; i < K; ++i) {
      const LossRisk& x = cs.convergence[i].risk;
      add("EL", i, x.expected_loss.value, x.expected_loss_ci);
    }
    for (std::size_t i = 0; i < K; ++i) {
      const LossRisk& x = cs.convergence[i].risk;
      add("UL", i, x.unexpected_loss.value, x.unexpected_loss_ci);
    }
    for (std::size_t l = 0; l < cs.tail.size(); ++l) {
      for (std::size_t i = 0; i < K; ++i) {
        const TailEstimate& te = cs.convergence[i].risk.tail[l];
        add("VaR " + level_text(te.level), i, te.var, {te.var_lo, te.var_hi});
      }
      for (std::size_t i = 0; i < K; ++i) {
        const TailEstimate& te = cs.convergence[i].risk.tail[l];
        add("ES " + level_text(te.level), i, te.es, {te.es_lo, te.es_hi});
      }
    }
    out += t.render("  ");
  }
  return out;
}

namespace {

// Horizon rows of one combination: (figure, unit, value, se, lo, hi).
struct HorizonRow {
  std::string figure, unit;
  double value, se, lo, hi;
  std::int64_t paths_beyond = -1;  // VaR and ES rows: the paths they rest on; -1 otherwise
  std::string caveat;              // VaR and ES rows resting on few paths (tail_caveat)
};

std::vector<HorizonRow> horizon_rows(const ComboSummary& cs) {
  std::vector<HorizonRow> rows;
  for (const auto& f : combo_figure_info()) {
    const Estimate& e = cs.*(f.field);
    Interval ci;
    if (f.field == &ComboSummary::expected_loss) ci = cs.expected_loss_ci;
    if (f.field == &ComboSummary::unexpected_loss) ci = cs.unexpected_loss_ci;
    rows.push_back({f.name, f.unit, e.value, e.se, ci.lo, ci.hi, -1, ""});
  }
  for (int l = 0; l < kNumPnlLines; ++l) {
    const PnlLineInfo& info = pnl_line_info(l);
    const Estimate& e = cs.pnl[static_cast<std::size_t>(l)];
    const Interval none;
    rows.push_back({std::string("pnl_") + info.name, info.unit, e.value, e.se, none.lo, none.hi, -1, ""});
  }
  for (const TailEstimate& t : cs.tail) {
    const std::string level = tail_level_percent(t.level);
    rows.push_back({"var_" + level, "currency", t.var, t.var_se, t.var_lo, t.var_hi, t.paths_beyond, tail_caveat(t)});
    rows.push_back({"es_" + level, "currency", t.es, t.es_se, t.es_lo, t.es_hi, t.paths_beyond, tail_caveat(t)});
  }
  return rows;
}

}  // namespace

std::string format_summary_csv(const Summary& s) {
  std::string out = "scenario,policy,month,figure,unit,value,se,ci_lo,ci_hi\n";
  for (const ComboSummary& cs : s.combos) {
    const std::string key = csv_field(cs.scenario) + "," + csv_field(cs.policy) + ",";
    for (const HorizonRow& h : horizon_rows(cs))
      out += key + "," + h.figure + "," + h.unit + "," + csv_number(h.value) + "," + csv_number(h.se) + "," +
             csv_number(h.lo) + "," + csv_number(h.hi) + "\n";
    for (const MonthFigures& m : cs.months)
      for (const auto& f : month_figure_info()) {
        const Estimate& e = m.*(f.field);
        out += key + std::to_string(m.month) + "," + f.name + "," + f.unit + "," + csv_number(e.value) + "," +
               csv_number(e.se) + ",,\n";
      }
  }
  return out;
}

std::string format_summary_json(const RunResults& r, const Summary& s) {
  std::ostringstream o;
  o << "{\n  \"run_name\": " << json_string(r.meta.name) << ",\n"
    << "  \"limitsim_version\": " << json_string(r.meta.limitsim_version) << ",\n"
    << "  \"git_commit\": " << json_string(r.meta.git_commit) << ",\n"
    << "  \"backend\": " << json_string(r.meta.backend) << ",\n"
    << "  \"seed\": " << r.meta.seed << ",\n"
    << "  \"customers\": " << s.customers << ",\n"
    << "  \"paths\": " << s.paths << ",\n"
    << "  \"months\": " << s.months << ",\n"
    << "  \"weighted\": " << (s.weighted ? "true" : "false") << ",\n"
    << "  \"importance_shift\": " << json_number(s.importance_shift) << ",\n"
    << "  \"mean_path_weight\": " << json_number(s.mean_weight) << ",\n"
    << "  \"effective_paths\": " << json_number(s.effective_paths) << ",\n"
    << "  \"money_unit\": \"currency units\",\n"
    << "  \"figures\": [";
  bool first = true;
  auto describe = [&](const char* name, const char* unit, const char* description) {
    o << (first ? "" : ",") << "\n    {\"name\": " << json_string(name) << ", \"unit\": " << json_string(unit)
      << ", \"description\": " << json_string(description) << "}";
    first = false;
  };
  for (const auto& f : combo_figure_info()) describe(f.name, f.unit, f.description);
  for (const auto& f : month_figure_info()) describe(f.name, f.unit, f.description);
  for (int l = 0; l < kNumPnlLines; ++l) {
    const PnlLineInfo& info = pnl_line_info(l);
    describe((std::string("pnl_") + info.name).c_str(), info.unit,
             (std::string("P&L over the horizon (docs/pnl.md): ") + info.description).c_str());
  }
  o << "\n  ],\n  \"results\": [";
  for (std::size_t k = 0; k < s.combos.size(); ++k) {
    const ComboSummary& cs = s.combos[k];
    o << (k ? "," : "") << "\n    {\"scenario\": " << json_string(cs.scenario)
      << ", \"policy\": " << json_string(cs.policy) << ",\n     \"horizon\": {";
    const std::vector<HorizonRow> rows = horizon_rows(cs);
    for (std::size_t i = 0; i < rows.size(); ++i)
      o << (i ? "," : "") << "\n       " << json_string(rows[i].figure) << ": {\"value\": " << json_number(rows[i].value)
        << ", \"se\": " << json_number(rows[i].se) << ", \"ci_lo\": " << json_number(rows[i].lo)
        << ", \"ci_hi\": " << json_number(rows[i].hi)
        << (rows[i].paths_beyond >= 0 ? ", \"paths_beyond\": " + std::to_string(rows[i].paths_beyond) : "")
        << (rows[i].caveat.empty() ? "" : ", \"caveat\": " + json_string(rows[i].caveat)) << "}";
    o << "\n     },\n     \"months\": [";
    for (std::size_t t = 0; t < cs.months.size(); ++t) {
      const MonthFigures& m = cs.months[t];
      o << (t ? "," : "") << "\n       {\"month\": " << m.month;
      for (const auto& f : month_figure_info()) {
        const Estimate& e = m.*(f.field);
        o << ", " << json_string(f.name) << ": {\"value\": " << json_number(e.value) << ", \"se\": "
          << json_number(e.se) << "}";
      }
      o << "}";
    }
    o << "\n     ]}";
  }
  o << "\n  ]\n}\n";
  return o.str();
}

}  // namespace limitsim
