// limitsim run: simulate a run configuration and write an HDF5 result; the simulation `limitsim sweep` shares.
#include "src/cli/run.hpp"

#include <omp.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "src/analysis/compare.hpp"
#include "src/analysis/summary.hpp"
#include "src/analysis/sweep.hpp"
#include "src/cli/commands.hpp"
#include "src/cli/common.hpp"
#include "src/engine/engine.hpp"
#include "src/engine/progress.hpp"
#include "src/io/atomic_file.hpp"
#include "src/io/h5io.hpp"
#include "src/util/text.hpp"
#include "version.hpp"

namespace limitsim {

void add_run_options(CLI::App* cmd, RunOptions& opt) {
  cmd->add_option("--customers", opt.o.customers, "Number of customers (overrides the population file)");
  cmd->add_option("--population", opt.o.population_file,
                  "Real population: data file (CSV or HDF5 columns), read through --mapping");
  cmd->add_option("--mapping", opt.o.mapping, "Mapping file (TOML) of the --population data (docs/data.md)");
  cmd->add_option("--as-of", opt.o.as_of, "Panel month the run starts from (default: the last)");
  cmd->add_option("--on-bad-row", opt.o.on_bad_row,
                  "error (default: refuse the file) or skip (skip and count malformed rows)");
  cmd->add_option("--paths", opt.o.paths, "Monte Carlo paths");
  cmd->add_option("--months", opt.o.months, "Months to simulate");
  cmd->add_option("--seed", opt.seed, "Random seed (>= 0)");
  cmd->add_option("--out", opt.o.output, "Output HDF5 file");
}

void add_backend_options(CLI::App* cmd, RunOptions& opt) {
  cmd->add_option("--backend", opt.o.backend, "cpu, cuda or auto");
  cmd->add_option("--threads", opt.o.threads, "CPU threads (0 = all cores)");
  cmd->add_option("--batch-size", opt.o.batch_size, "Customers per batch (results do not depend on it)");
  cmd->add_option("--importance-shift", opt.o.importance_shift,
                  "Importance sampling: mean shift of the systematic factor draws (0 = off)");
  cmd->add_flag("--yes", opt.cost.yes, "Run even when the estimate is longer than --max-hours");
  cmd->add_option("--max-hours", opt.cost.max_hours,
                  "A run estimated longer than this (default 24) needs --yes (docs/config.md, Cost of a run)");
}

void take_seed(RunOptions& opt) {
  if (opt.seed) opt.o.seed = parse_seed(*opt.seed);
  if (!(opt.cost.max_hours > 0.0) || !std::isfinite(opt.cost.max_hours))
    throw ConfigError("--max-hours: must be > 0, got " + std::to_string(opt.cost.max_hours));
}

// Simulates cfg and writes the result file; for a sweep, also /sweep and the CSV.
int simulate(RunConfig cfg, const RunOptions& opt, const SweepConfig* sweep) {
  auto backend = choose_backend(cfg.backend, cfg.threads);
  check_run_outputs(cfg, sweep ? &sweep->csv : nullptr);  // before any work: outputs never overwrite inputs
  stop_cleanly_on_interrupt();
  std::optional<FilePopulation> file;
  if (cfg.population.kind == "file") {
    file = load_file_population(cfg);
    if (!opt.quiet) {
      std::fprintf(stderr, "limitsim: loaded %s customers from %s%s%s in %.1f s", format_number(static_cast<double>(file->customers.size()), 0).c_str(),
                   cfg.population.file.c_str(), file->as_of.empty() ? "" : ", as of ", file->as_of.c_str(),
                   file->load_seconds);
      if (file->charged_off > 0)
        std::fprintf(stderr, "; left out %s already charged off",
                     format_number(static_cast<double>(file->charged_off), 0).c_str());
      if (file->rows_skipped > 0)
        std::fprintf(stderr, "; skipped %s bad rows of %s", format_number(static_cast<double>(file->rows_skipped), 0).c_str(),
                     format_number(static_cast<double>(file->rows_read), 0).c_str());
      std::fprintf(stderr, "\n");
      for (const std::string& e : file->skipped_examples) std::fprintf(stderr, "  skipped: %s\n", e.c_str());
    }
  }
  check_run_cost(cfg, *backend, opt.cost, opt.quiet);  // the estimate; refused when too large without --yes
  ProgressReporter bar(opt.quiet ? ProgressReporter::Mode::kQuiet
                                 : (isatty(STDERR_FILENO) ? ProgressReporter::Mode::kBar : ProgressReporter::Mode::kLog),
                       stderr);
  struct EndLine {  // an interrupted or failed run still ends the bar's line
    ProgressReporter& b;
    ~EndLine() { b.finish(); }
  } end_line{bar};
  ProgressFn progress = [&](double f) { bar.update(f); };
  RunResults r = run_simulation(cfg, *backend, progress, file ? &file->customers : nullptr);
  r.meta.population_kind = cfg.population.kind;
  r.meta.population_file = cfg.population.file;
  r.meta.population_sha256 = cfg.population.sha256;
  r.meta.population_rows_skipped = file ? file->rows_skipped : 0;
  r.meta.limitsim_version = LIMITSIM_VERSION;
  r.meta.git_commit = LIMITSIM_GIT_COMMIT;
  r.meta.created_utc = utc_now();
  r.meta.config_file = opt.config;
  r.meta.effective_config = effective_toml(cfg);
  r.meta.report_months = cfg.report_months;
  if (r.meta.backend == "cpu") r.meta.threads = cfg.threads > 0 ? cfg.threads : omp_get_max_threads();
  const Summary s = compute_summary(r, r.meta.report_months);
  // Against r.meta.baseline_policy (else the first policy), at r.meta.cost_of_funds.
  const Comparison c = compute_comparison(r);
  std::optional<SweepSummary> sw;
  if (sweep) sw = summarize_sweep(*sweep, r, c);
  if (cancel_flag().load()) throw Cancelled();
  write_results_h5(r, s, c, cfg.output, sw ? &*sw : nullptr);
  if (sweep) write_text_atomically(sweep->csv, format_sweep_csv(*sw));
  if (opt.quiet) return 0;
  if (sweep) {
    std::cout << "limitsim sweep '" << cfg.name << "'  |  " << sweep->grid.size() << " variants of '"
              << sweep->base_policy << "'  |  paths " << r.paths << "  |  months " << r.months << "  |  backend "
              << r.meta.backend << "  |  wall " << format_number(r.meta.wall_seconds, 1) << " s\n"
              << format_sweep_table(*sw) << "\nwrote " << cfg.output << " and " << sweep->csv
              << "\n";
  } else {
    std::cout << format_summary_table(r, s) << "\nwrote " << cfg.output << "\n";
  }
  return 0;
}

namespace {

int run_command(const RunOptions& opt) {
  RunConfig cfg = load_run_config(opt.config);
  apply_overrides(cfg, opt.o);
  return simulate(std::move(cfg), opt, nullptr);
}

}  // namespace

Subcommand setup_run(CLI::App& app) {
  auto opt = std::make_shared<RunOptions>();
  CLI::App* run = app.add_subcommand("run", "Simulate a run configuration and write an HDF5 result");
  run->add_option("config", opt->config, "Run configuration (TOML)")->required();
  add_run_options(run, *opt);
  add_backend_options(run, *opt);
  run->add_flag("--quiet", opt->quiet, "No progress and no summary table");
  return {run, [opt] {
            take_seed(*opt);
            return run_command(*opt);
          }};
}

}  // namespace limitsim
