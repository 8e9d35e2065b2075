// limitsim compare: every policy against the baseline on the same paths (paired intervals), the stress view, and two runs.
#include <cmath>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include "src/analysis/compare.hpp"
#include "src/analysis/compare_runs.hpp"
#include "src/cli/commands.hpp"
#include "src/config/config.hpp"
#include "src/io/h5io.hpp"

namespace limitsim {
namespace {

struct CompareCliOptions {
  std::string file;
  std::string other;  // a second result file: its policies against the first file's, on the same paths
  std::string baseline;
  std::string format = "table";
  std::optional<double> cost_of_funds;
  bool stress = false;  // the stress view only (every scenario against the first)
  std::optional<std::string> tail_levels;  // --tail-levels: VaR and ES at these levels instead of the run's
  bool raroc = false;   // --raroc: add RAROC with paired intervals
};

// Two runs of the same seed and population: for every policy they share, B
// against A under each scenario they share, on the same paths.
int compare_two_runs(const CompareCliOptions& opt) {
  if (!opt.baseline.empty())
    throw ConfigError("--baseline: with two files every policy of the second is compared with the same policy of "
                      "the first");
  if (opt.stress) throw ConfigError("--stress: compares the scenarios of one file; give one file");
  const RunResults a = read_results_h5(opt.file);
  const RunResults b = read_results_h5(opt.other);
  const std::string why = runs_not_comparable(a, b);
  if (!why.empty())
    throw ConfigError(opt.file + " and " + opt.other + " cannot be compared path by path: " + why +
                      " (compare runs of the same seed and population; differences between independent runs "
                      "need no pairing)");
  const std::vector<PolicyMatch> matches = match_policies(a, b);
  if (matches.empty())
    throw ConfigError(opt.file + " and " + opt.other + " share no policy name (and do not hold one policy each)");
  std::string la = std::filesystem::path(opt.file).stem().string(), lb = std::filesystem::path(opt.other).stem().string();
  if (la == lb) {
    la += " (1)";
    lb += " (2)";
  }
  std::string json = "[";
  bool header_done = false;
  for (const PolicyMatch& m : matches) {
    const std::string label_a = m.a + " @ " + la, label_b = m.b + " @ " + lb;
    RunResults r = pair_runs(a, b, m, label_a, label_b);
    if (opt.tail_levels) r.meta.tail_levels = parse_tail_levels_option(*opt.tail_levels);
    if (r.scenario_names.empty()) throw ConfigError(opt.file + " and " + opt.other + " share no scenario name");
    CompareOptions co;
    co.baseline = label_a;
    co.cost_of_funds = opt.cost_of_funds;
    co.raroc = opt.raroc;
    const Comparison c = compute_comparison(r, co);
    if (opt.format == "csv") {
      std::string csv = format_comparison_csv(c, CompareView::kPolicies);
      if (header_done) csv.erase(0, csv.find('\n') + 1);
      header_done = true;
      std::cout << csv;
    } else if (opt.format == "json") {
      json += (json.size() > 1 ? ",\n" : "") + format_comparison_json(r, c);
    } else {
      std::cout << "== " << label_b << "  against  " << label_a << "\n" << format_comparison_table(r, c, CompareView::kPolicies)
                << "\n";
    }
  }
  if (opt.format == "json") std::cout << json << "]\n";
  return 0;
}

// Reads the file (never writes it) and recomputes the comparison from its sums,
// so --baseline and --cost-of-funds can ask what-if questions of a finished run.
int compare_command(const CompareCliOptions& opt) {
  if (opt.format != "table" && opt.format != "csv" && opt.format != "json")
    throw ConfigError("--format: must be table, csv or json, got '" + opt.format + "'");
  if (opt.cost_of_funds && !(std::isfinite(*opt.cost_of_funds) && *opt.cost_of_funds >= 0.0 &&
                             *opt.cost_of_funds <= 1.0)) {
    std::ostringstream got;
    got << *opt.cost_of_funds;
    throw ConfigError("--cost-of-funds: must be an annual rate in [0, 1] (0.05 = 5%), got " + got.str());
  }
  if (opt.tail_levels) parse_tail_levels_option(*opt.tail_levels);  // a bad option fails before any file is read
  if (!opt.other.empty()) return compare_two_runs(opt);
  RunResults r = read_results_h5(opt.file);
  if (opt.tail_levels) r.meta.tail_levels = parse_tail_levels_option(*opt.tail_levels);
  CompareOptions co;
  co.baseline = opt.baseline;
  co.cost_of_funds = opt.cost_of_funds;
  co.raroc = opt.raroc;
  const Comparison c = compute_comparison(r, co);
  if (opt.format == "csv")
    std::cout << format_comparison_csv(c, opt.stress ? CompareView::kStress : CompareView::kPolicies);
  else if (opt.format == "json")
    std::cout << format_comparison_json(r, c);  // holds both views
  else
    std::cout << format_comparison_table(r, c, opt.stress ? CompareView::kStress : CompareView::kBoth);
  return 0;
}

}  // namespace

Subcommand setup_compare(CLI::App& app) {
  auto opt = std::make_shared<CompareCliOptions>();
  CLI::App* compare =
      app.add_subcommand("compare", "Compare every policy with the baseline on the same paths (paired CIs)");
  compare->add_option("file", opt->file, "HDF5 result file (read only)")->required()->check(CLI::ExistingFile);
  compare->add_option("other", opt->other,
                      "A second result file of the same seed and population: each of its policies against the "
                      "same policy of the first file, on the same paths")
      ->check(CLI::ExistingFile);
  compare->add_option("--baseline", opt->baseline,
                      "Policy to compare with (default: the run's baseline, else the first policy)");
  compare->add_option("-f,--format", opt->format, "table, csv or json (default table)")
      ->check(CLI::IsMember({"table", "csv", "json"}));
  compare->add_option("--cost-of-funds", opt->cost_of_funds,
                      "Annual cost-of-funds rate in [0, 1], overrides the file's (what-if)");
  compare->add_option("--tail-levels", opt->tail_levels,
                      "Levels of VaR and ES, comma-separated and increasing (default: the run's)")
      ->expected(1);
  compare->add_flag("--raroc", opt->raroc,
                    "Add RAROC: mean net income / (VaR 99.9% - EL) of the horizon loss, with paired bootstrap "
                    "intervals (docs/regulatory.md)");
  compare->add_flag("--stress", opt->stress,
                    "Only the stress view: every scenario against the run's first scenario, per policy "
                    "(table and csv; json always holds both)");
  compare->footer("Examples:\n"
                  "  limitsim compare results/compare_policies.h5 --baseline growth -f csv\n"
                  "  limitsim compare results/stress_test.h5 --stress\n"
                  "  limitsim compare results/before.h5 results/after.h5");
  return {compare, [opt] { return compare_command(*opt); }};
}

}  // namespace limitsim
