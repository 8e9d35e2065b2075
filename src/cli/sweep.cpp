// limitsim sweep: simulate a grid of policy variants and write HDF5 and CSV with the efficient frontiers.
#include <filesystem>
#include <memory>
#include <string>

#include "src/cli/commands.hpp"
#include "src/cli/mpi.hpp"
#include "src/cli/run.hpp"
#include "src/config/config.hpp"

namespace limitsim {
namespace {

// The sweep as the files and options give it. Throws ConfigError.
SweepConfig sweep_config(const RunOptions& opt) {
  SweepConfig sc = load_sweep_config(opt.config);
  apply_overrides(sc.run, opt.o);
  if (opt.csv && opt.csv->empty()) throw ConfigError("--csv: must not be empty");
  // The CSV: --csv, else [sweep] csv, else the (possibly overridden) output with .csv.
  if (opt.csv) sc.csv = *opt.csv;
  if (sc.csv.empty()) sc.csv = std::filesystem::path(sc.run.output).replace_extension(".csv").string();
  std::error_code e1, e2;
  if (std::filesystem::weakly_canonical(sc.csv, e1) == std::filesystem::weakly_canonical(sc.run.output, e2))
    throw ConfigError(std::string(opt.csv ? "--csv" : "sweep.csv") + ": is the HDF5 output file too (" +
                      sc.run.output + "); name another file");
  sc.run.baseline = sc.base_policy;  // a sweep is compared with its base policy
  return sc;
}

}  // namespace

int sweep_command(RunOptions& opt) {
  SweepConfig sc;
  collective_step(world(), [&] {  // every rank reads the files; a bad one is reported once
    take_seed(opt);
    sc = sweep_config(opt);
  });
  return simulate(sc.run, opt, &sc);
}

Subcommand setup_sweep(CLI::App& app) {
  auto opt = std::make_shared<RunOptions>();
  CLI::App* sweep = app.add_subcommand(
      "sweep", "Simulate a grid of policy variants ([sweep] table) and write HDF5 and CSV with the efficient frontiers");
  sweep->add_option("config", opt->config, "Sweep configuration (TOML with one policy and a [sweep] table)")->required();
  add_run_options(sweep, *opt);
  sweep->add_option("--csv", opt->csv, "Output CSV file (overrides [sweep] csv)");
  add_backend_options(sweep, *opt);
  sweep->add_flag("-q,--quiet", opt->quiet, "No progress and no table");
  sweep->add_flag("--dry-run", opt->dry_run,
                  "Check every file the sweep reads and print the resolved run and its cost; simulate and write nothing");
  sweep->footer("Example:\n  limitsim sweep configs/sweep_lender_rules.toml -n 20000 --csv results/sweep.csv");
  return {sweep, [opt] { return sweep_command(*opt); }, true};
}

}  // namespace limitsim
