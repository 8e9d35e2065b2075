// limitsim compare: every policy against the baseline on the same paths (paired intervals), and the stress view.
#include <cmath>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include "src/analysis/compare.hpp"
#include "src/cli/commands.hpp"
#include "src/config/config.hpp"
#include "src/io/h5io.hpp"

namespace limitsim {
namespace {

struct CompareCliOptions {
  std::string file;
  std::string baseline;
  std::string format = "table";
  std::optional<double> cost_of_funds;
  bool stress = false;  // the stress view only (every scenario against the first)
};

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
  const RunResults r = read_results_h5(opt.file);
  CompareOptions co;
  co.baseline = opt.baseline;
  co.cost_of_funds = opt.cost_of_funds;
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
  compare->add_option("--baseline", opt->baseline,
                      "Policy to compare with (default: the run's baseline, else the first policy)");
  compare->add_option("--format", opt->format, "table, csv or json (default table)");
  compare->add_option("--cost-of-funds", opt->cost_of_funds,
                      "Annual cost-of-funds rate in [0, 1], overrides the file's (what-if)");
  compare->add_flag("--stress", opt->stress,
                    "Only the stress view: every scenario against the run's first scenario, per policy "
                    "(table and csv; json always holds both)");
  return {compare, [opt] { return compare_command(*opt); }};
}

}  // namespace limitsim
