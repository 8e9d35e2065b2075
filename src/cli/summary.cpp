// limitsim summary: the key figures of a result file, as a table, CSV or JSON, and the convergence bands.
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <string>

#include "src/analysis/regulatory.hpp"
#include "src/analysis/vintages.hpp"
#include "src/analysis/summary.hpp"
#include "src/cli/commands.hpp"
#include "src/config/config.hpp"
#include "src/io/h5io.hpp"

namespace limitsim {
namespace {

struct SummaryCliOptions {
  std::string file;
  std::string format = "table";
  bool convergence = false;  // also print the convergence bands
  std::optional<std::string> tail_levels;  // --tail-levels: VaR and ES at these levels instead of the run's
  bool regulatory = false;   // the one-year regulatory figures instead (docs/regulatory.md)
  bool irb_scaling = false;  // the Basel II 1.06 scaling factor on the IRB RWA
  std::optional<double> pd_floor;
  std::optional<double> eir;  // annual discount rate of the allowance
  bool vintages = false;     // the living book's vintage view instead (docs/model.md "Vintages")
  int cohort_step = 3;       // with --vintages: every n-th monthly cohort
};

int summary_command(const SummaryCliOptions& opt) {
  if (opt.format != "table" && opt.format != "csv" && opt.format != "json")
    throw ConfigError("--format: must be table, csv or json, got '" + opt.format + "'");
  if (opt.convergence && opt.format != "table")
    throw ConfigError("--convergence: prints a table; use --format table (the file holds the bands as datasets)");
  if (opt.tail_levels) parse_tail_levels_option(*opt.tail_levels);  // a bad option fails before the file is read
  if (!opt.regulatory && (opt.irb_scaling || opt.pd_floor || opt.eir))
    throw ConfigError(std::string(opt.irb_scaling ? "--irb-scaling" : opt.pd_floor ? "--pd-floor" : "--eir") +
                      ": applies to --regulatory");
  if (opt.eir && !(*opt.eir >= 0.0 && *opt.eir <= 1.0))
    throw ConfigError("--eir: must be an annual rate in [0, 1], got " + std::to_string(*opt.eir));
  if (opt.regulatory && (opt.convergence || opt.format == "csv" || opt.tail_levels))
    throw ConfigError("--regulatory: prints the one-year figures as a table or JSON; leave out --convergence, "
                      "--tail-levels and --format csv");
  if (opt.pd_floor && !(*opt.pd_floor >= 0.0 && *opt.pd_floor < 1.0))
    throw ConfigError("--pd-floor: must be in [0, 1), got " + std::to_string(*opt.pd_floor));
  if (opt.vintages && (opt.regulatory || opt.convergence || opt.format != "table" || opt.tail_levels))
    throw ConfigError("--vintages: prints the vintage tables; leave out --regulatory, --convergence, --tail-levels "
                      "and --format (the file holds the vintages as datasets: docs/hdf5-schema.md)");
  if (opt.cohort_step < 1) throw ConfigError("--cohort-step: must be >= 1, got " + std::to_string(opt.cohort_step));
  RunResults r = read_results_h5(opt.file);
  if (opt.vintages) {
    for (const ComboSums& c : r.combos)
      std::cout << c.scenario << " / " << c.policy << ": vintages\n" << vintage_text(r, c, opt.cohort_step) << "\n";
    return 0;
  }
  if (opt.tail_levels) r.meta.tail_levels = parse_tail_levels_option(*opt.tail_levels);
  if (opt.regulatory) {
    IrbOptions irb;
    irb.scaling = opt.irb_scaling;
    if (opt.pd_floor) irb.pd_floor = *opt.pd_floor;
    RegulatorySummary reg;
    try {
      reg = compute_regulatory(r, irb, opt.eir ? *opt.eir : std::numeric_limits<double>::quiet_NaN());
    } catch (const std::invalid_argument& e) {
      throw ConfigError(std::string("--regulatory: ") + e.what());
    }
    std::cout << (opt.format == "json" ? format_regulatory_json(reg) : format_regulatory_table(reg));
    return 0;
  }
  const Summary s = compute_summary(r, r.meta.report_months);
  if (opt.format == "csv") {
    std::cout << format_summary_csv(s);
  } else if (opt.format == "json") {
    std::cout << format_summary_json(r, s);
  } else {
    std::cout << format_summary_table(r, s);
    if (opt.convergence) std::cout << "\n" << format_convergence_table(r, s);
  }
  return 0;
}

}  // namespace

Subcommand setup_summary(CLI::App& app) {
  auto opt = std::make_shared<SummaryCliOptions>();
  CLI::App* summary = app.add_subcommand("summary", "Print the key figures of a result file");
  summary->add_option("file", opt->file, "HDF5 result file")->required()->check(CLI::ExistingFile);
  summary->add_option("-f,--format", opt->format, "table, csv or json (default table)")
      ->check(CLI::IsMember({"table", "csv", "json"}));
  summary->add_flag("--convergence", opt->convergence,
                    "Also print the convergence bands: each loss figure on the first 10, 20, 50, ... paths");
  summary->add_option("--tail-levels", opt->tail_levels,
                      "Levels of VaR and ES, comma-separated and increasing (default: the run's)")
      ->expected(1);
  summary->add_flag("--regulatory", opt->regulatory,
                    "The one-year figures instead: economic capital, RAROC, and per segment PD, LGD, EAD and "
                    "Basel IRB (QRRE) capital (docs/regulatory.md)");
  summary->add_flag("--irb-scaling", opt->irb_scaling, "With --regulatory: the Basel II 1.06 scaling factor on RWA");
  summary->add_option("--pd-floor", opt->pd_floor, "With --regulatory: the IRB PD floor (default 0.0003)");
  summary->add_option("--eir", opt->eir,
                      "With --regulatory: annual rate the allowance is discounted at (default: the realised "
                      "interest yield)");
  summary->add_flag("--vintages", opt->vintages,
                    "The living book's vintages instead: per cohort (the opening book, or the month accounts were "
                    "acquired in) and months on book, accounts, mean line, 30+ and cumulative charge-offs and loss");
  summary->add_option("--cohort-step", opt->cohort_step, "With --vintages: show every n-th monthly cohort (default 3)");
  summary->footer("Examples:\n  limitsim summary results/quickstart.h5\n  limitsim summary results/stress_test.h5 -f json --convergence");
  return {summary, [opt] { return summary_command(*opt); }};
}

}  // namespace limitsim
