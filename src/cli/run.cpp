// limitsim run: simulate a run configuration and write an HDF5 result; the simulation `limitsim sweep` shares.
#include "src/cli/run.hpp"

#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
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
#include "src/cli/mpi.hpp"
#include "src/engine/engine.hpp"
#include "src/engine/gpu_select.hpp"
#include "src/engine/progress.hpp"
#include "src/io/atomic_file.hpp"
#include "src/io/h5io.hpp"
#include "src/util/text.hpp"
#include "version.hpp"

namespace limitsim {

void add_run_options(CLI::App* cmd, RunOptions& opt) {
  cmd->add_option("-n,--customers", opt.o.customers, "Number of customers (overrides the population file)");
  cmd->add_option("--population", opt.o.population_file,
                  "Real population: data file (CSV or HDF5 columns), read through --mapping");
  cmd->add_option("--mapping", opt.o.mapping, "Mapping file (TOML) of the --population data (docs/data.md)");
  cmd->add_option("--as-of", opt.o.as_of, "Panel month the run starts from (default: the last)");
  cmd->add_option("--on-bad-row", opt.o.on_bad_row,
                  "error (default: refuse the file) or skip (skip and count malformed rows)")
      ->check(CLI::IsMember({"error", "skip"}));
  cmd->add_option("-p,--paths", opt.o.paths, "Monte Carlo paths");
  cmd->add_option("--months", opt.o.months, "Months to simulate");
  cmd->add_option("-s,--seed", opt.seed, "Random seed (>= 0)");
  cmd->add_option("-o,--out", opt.o.output, "Output HDF5 file");
  cmd->add_option("--tail-levels", opt.o.tail_levels,
                  "Levels of VaR and ES, comma-separated and increasing (default 0.95,0.99,0.999)")
      ->expected(1);
}

void add_backend_options(CLI::App* cmd, RunOptions& opt) {
  cmd->add_option("-b,--backend", opt.o.backend, "cpu, cuda or auto (default: the run file's)")
      ->check(CLI::IsMember({"cpu", "cuda", "auto"}));
  cmd->add_option("-j,--threads", opt.o.threads, "CPU threads (0 = all cores)");
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
// Under MPI with several ranks (docs/scaling.md) each rank simulates its share
// (decompose), rank 0 adds up the exact sums (reduce_results), derives the
// figures and writes the file; the others print nothing and return.
int simulate(RunConfig cfg, const RunOptions& opt, const SweepConfig* sweep) {
  if (sweep && !cfg.tail_levels.empty())
    for (const double q : {0.99, 0.999})
      if (std::find(cfg.tail_levels.begin(), cfg.tail_levels.end(), q) == cfg.tail_levels.end())
        throw ConfigError("tail_levels: a sweep's table and frontiers use VaR 99% and 99.9%: the levels must include "
                          "0.99 and 0.999");
  const Comm& comm = world();
  const bool spread = comm.size() > 1, root = comm.rank() == 0, quiet = opt.quiet || !root;
  // A synthetic population may also be split by path (distributed.hpp); a file population is split by customer.
  const Decomposition d = decompose(comm.rank(), comm.size(),
                                    static_cast<std::int64_t>(cfg.scenarios.size() * cfg.policies.size()), sweep != nullptr,
                                    cfg.population.kind == "file" ? 0 : cfg.population.customers, cfg.paths);
  const std::unique_ptr<Comm> group = comm.split(d.group);  // the ranks that share this rank's customers
  // Threads: 0 (all cores) is divided among the node's ranks.
  const int threads = spread && cfg.threads == 0 ? std::max(1, omp_get_max_threads() / local_size()) : cfg.threads;
  std::unique_ptr<Backend> backend;
  collective_step(comm, [&] {  // a node may lack the GPU or the files the others have
    if (spread && cfg.backend != "cpu") {
      const std::string note = select_local_gpu(local_rank(), local_size());
      if (!note.empty() && local_rank() == 0) std::fprintf(stderr, "limitsim: note: %s\n", note.c_str());
    }
    backend = choose_backend(cfg.backend, threads);
  });
  // Before any work, outputs never overwrite inputs; rank 0 alone writes them.
  collective_step(comm, [&] {
    if (root) check_run_outputs(cfg, sweep ? &sweep->csv : nullptr, !opt.dry_run);
  });
  stop_cleanly_on_interrupt();
  std::optional<FilePopulation> file;
  if (cfg.population.kind == "file") {
    collective_step(comm, [&] { file = load_file_population(cfg, *group); });
    if (!quiet) {
      std::fprintf(stderr, "limitsim: loaded %s customers from %s%s%s in %.1f s", format_number(static_cast<double>(cfg.population.customers), 0).c_str(),
                   cfg.population.file.c_str(), file->as_of.empty() ? "" : ", as of ", file->as_of.c_str(),
                   file->load_seconds);
      if (group->size() > 1) std::fprintf(stderr, " (%d ranks, each holding its share)", group->size());
      if (file->charged_off > 0)
        std::fprintf(stderr, "; left out %s already charged off",
                     format_number(static_cast<double>(file->charged_off), 0).c_str());
      if (file->rows_skipped > 0)
        std::fprintf(stderr, "; skipped %s bad rows of %s", format_number(static_cast<double>(file->rows_skipped), 0).c_str(),
                     format_number(static_cast<double>(file->rows_read), 0).c_str());
      std::fprintf(stderr, "\n");
      std::fputs(file->report.c_str(), stderr);  // rows, fills, the starting mix, warnings (docs/data.md)
    }
  }
  collective_step(comm, [&] { check_run_memory(cfg); });
  if (opt.dry_run) {  // every file is read and checked; nothing is simulated or written
    if (root) std::cout << dry_run_text(cfg, *backend, opt.cost, sweep);
    return 0;
  }
  // The estimate of the whole run, refused when too large without --yes.
  collective_step(comm, [&] {
    if (root) check_run_cost(cfg, *backend, opt.cost, quiet);
  });
  RunConfig sim = cfg;  // what this rank runs; cfg, written to the file, keeps the threads given
  sim.threads = threads;
  ProgressReporter bar(quiet ? ProgressReporter::Mode::kQuiet
                                 : (isatty(STDERR_FILENO) ? ProgressReporter::Mode::kBar : ProgressReporter::Mode::kLog),
                       stderr);
  struct EndLine {  // an interrupted or failed run still ends the bar's line
    ProgressReporter& b;
    ~EndLine() { b.finish(); }
  } end_line{bar};
  ProgressFn progress = [&](double f) { bar.update(f); };
  const auto t0 = std::chrono::steady_clock::now();
  RunResults r;
  if (spread) {
    test_failure_point();
    const RunShare share = run_share(sim, d, root);
    r = run_simulation(sim, *backend, progress, file ? &file->customers : nullptr, &share);
    std::int64_t slowest_us = static_cast<std::int64_t>(r.meta.wall_seconds * 1e6);  // the ranks' balance, for the log
    comm.max_all(&slowest_us, 1);
    const auto t1 = std::chrono::steady_clock::now();
    reduce_results(r, comm);
    if (!root) return 0;
    const auto t2 = std::chrono::steady_clock::now();
    if (!quiet)
      std::fprintf(stderr, "limitsim: %d ranks: simulated in %.2f s (slowest rank; rank 0: %.2f s), reduced %.1f MiB of sums in %.3f s\n",
                   comm.size(), static_cast<double>(slowest_us) / 1e6, r.meta.wall_seconds,
                   static_cast<double>(r.cells() * r.combos.size() * sizeof(std::int64_t)) / (1 << 20),
                   std::chrono::duration<double>(t2 - t1).count());
    r.meta.wall_seconds = std::chrono::duration<double>(t2 - t0).count();
    r.meta.device += " (rank 0 of " + std::to_string(comm.size()) + ")";
  } else {
    r = run_simulation(sim, *backend, progress, file ? &file->customers : nullptr);
  }
  r.meta.mpi_ranks = comm.size();
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
  r.meta.tail_levels = cfg.tail_levels;
  if (r.meta.backend == "cpu") r.meta.threads = sim.threads > 0 ? sim.threads : omp_get_max_threads();
  const Summary s = compute_summary(r, r.meta.report_months);
  // Against r.meta.baseline_policy (else the first policy), at r.meta.cost_of_funds.
  const Comparison c = compute_comparison(r);
  std::optional<SweepSummary> sw;
  if (sweep) sw = summarize_sweep(*sweep, r, c);
  if (cancel_flag().load()) throw Cancelled();
  write_results_h5(r, s, c, cfg.output, sw ? &*sw : nullptr);
  if (sweep) write_text_atomically(sweep->csv, format_sweep_csv(*sw));
  if (quiet) return 0;
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

int run_command(RunOptions& opt) {
  RunConfig cfg;
  collective_step(world(), [&] {  // every rank reads the files; a bad one is reported once
    take_seed(opt);
    cfg = load_run_config(opt.config);
    apply_overrides(cfg, opt.o);
  });
  return simulate(std::move(cfg), opt, nullptr);
}

Subcommand setup_run(CLI::App& app) {
  auto opt = std::make_shared<RunOptions>();
  CLI::App* run = app.add_subcommand("run", "Simulate a run configuration and write an HDF5 result");
  run->add_option("config", opt->config, "Run configuration (TOML)")->required();
  add_run_options(run, *opt);
  add_backend_options(run, *opt);
  run->add_flag("-q,--quiet", opt->quiet, "No progress and no summary table");
  run->add_flag("--dry-run", opt->dry_run,
                "Check every file the run reads and print the resolved run and its cost; simulate and write nothing");
  run->footer("Examples:\n"
              "  limitsim run configs/quickstart.toml\n"
              "  limitsim run configs/compare_policies.toml -n 20000 -p 64 -o results/cmp.h5\n"
              "  limitsim run configs/uci.toml --population data.csv --mapping mapping.toml --as-of 2005-09");
  return {run, [opt] { return run_command(*opt); }, true};
}

}  // namespace limitsim
