// limitsim command line: run, sweep, summary, compare, report, calibrate, backtest, --version.
// Library code throws; only this file turns an exception into a message and an
// exit code (2 for bad input, 130 when interrupted, 1 otherwise).
#include <omp.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "kernels/backend.hpp"
#include "src/analysis/backtest.hpp"
#include "src/analysis/calibrate.hpp"
#include "src/analysis/compare.hpp"
#include "src/config/config.hpp"
#include "src/engine/engine.hpp"
#include "src/io/atomic_file.hpp"
#include "src/io/h5io.hpp"
#include "src/engine/progress.hpp"
#include "src/analysis/summary.hpp"
#include "src/analysis/sweep.hpp"
#include "src/util/text.hpp"
#include "version.hpp"

namespace limitsim {
namespace {

volatile std::sig_atomic_t g_signal = 0;

// First SIGINT/SIGTERM: stop cleanly (no result file). A second one kills at once.
extern "C" void on_signal(int sig) {
  g_signal = sig;
  cancel_flag().store(true);
  std::signal(sig, SIG_DFL);
}

std::string utc_now() {
  char buf[32];
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string version_text() {
  bool gpu = false;
  const std::string cuda = cuda_device_description(&gpu);
  std::string s = "limitsim " LIMITSIM_VERSION " (commit " LIMITSIM_GIT_COMMIT ")\n";
  s += std::string("backends: cpu") + (cuda_built() ? ", cuda" : "") + "\n";
  s += "cpu backend device: " + make_cpu_backend(0)->device().substr(5) + "\n";
  s += "cuda device: " + cuda + "\n";
  s += std::string("--backend auto would use: ") + (gpu ? "cuda" : "cpu");
  return s;
}

std::unique_ptr<Backend> choose_backend(const std::string& which, int threads) {
  if (which == "cpu") return make_cpu_backend(threads);
  if (which == "cuda") return make_cuda_backend();
  bool gpu = false;
  cuda_device_description(&gpu);
  return gpu ? make_cuda_backend() : make_cpu_backend(threads);
}

struct RunOptions {
  std::string config;
  Overrides o;
  bool quiet = false;
  std::optional<std::string> csv;  // sweep only: overrides [sweep] csv
};

// Simulates cfg and writes the result file; for a sweep, also /sweep and the CSV.
int simulate(RunConfig cfg, const RunOptions& opt, const SweepConfig* sweep) {
  auto backend = choose_backend(cfg.backend, cfg.threads);
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
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

int run_command(const RunOptions& opt) {
  RunConfig cfg = load_run_config(opt.config);
  apply_overrides(cfg, opt.o);
  return simulate(std::move(cfg), opt, nullptr);
}

int sweep_command(const RunOptions& opt) {
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
  return simulate(sc.run, opt, &sc);
}

struct SummaryCliOptions {
  std::string file;
  std::string format = "table";
  bool convergence = false;  // also print the convergence bands
};

int summary_command(const SummaryCliOptions& opt) {
  if (opt.format != "table" && opt.format != "csv" && opt.format != "json")
    throw ConfigError("--format: must be table, csv or json, got '" + opt.format + "'");
  if (opt.convergence && opt.format != "table")
    throw ConfigError("--convergence: prints a table; use --format table (the file holds the bands as datasets)");
  const RunResults r = read_results_h5(opt.file);
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

struct ReportCliOptions {
  std::string file, out;
  std::optional<int> dpi;  // unset = the package's default
  bool quiet = false;
};

// Runs the Python package (python/limitsim, docs/python.md): PNG charts and a
// self-contained HTML page. The interpreter is $LIMITSIM_PYTHON, else Debian's
// /usr/bin/python3 (where setup.sh installs h5py, pandas and matplotlib).
int report_command(const ReportCliOptions& opt) {
  if (opt.out.empty()) throw ConfigError("--out: must name the folder to write the report into");
  if (opt.dpi && (*opt.dpi < 20 || *opt.dpi > 600))
    throw ConfigError("--dpi: must be in [20, 600], got " + std::to_string(*opt.dpi));
  const char* env_python = std::getenv("LIMITSIM_PYTHON");
  const std::string python = env_python && *env_python ? env_python : "/usr/bin/python3";
  const char* old_path = std::getenv("PYTHONPATH");
  const std::string path = std::string(LIMITSIM_PYTHON_DIR) + (old_path && *old_path ? ":" + std::string(old_path) : "");
  if (!std::filesystem::is_directory(std::string(LIMITSIM_PYTHON_DIR) + "/limitsim"))
    throw std::runtime_error("the Python package is not at " LIMITSIM_PYTHON_DIR "/limitsim (limitsim report runs it "
                             "from the source tree it was built from)");
  setenv("PYTHONPATH", path.c_str(), 1);
  std::vector<std::string> args = {python, "-m", "limitsim.report", opt.file, "--out", opt.out};
  if (opt.dpi) args.insert(args.end(), {"--dpi", std::to_string(*opt.dpi)});
  if (opt.quiet) args.push_back("--quiet");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::cout.flush();
  execvp(python.c_str(), argv.data());  // a bare name is looked up on PATH
  throw std::runtime_error("cannot run " + python + ": " + std::strerror(errno) +
                           " (install python3 with h5py, pandas and matplotlib: bash scripts/setup.sh; or set "
                           "LIMITSIM_PYTHON)");
}

struct CalibrateCliOptions {
  std::string data, mapping, out;
  std::string window;                  // "FIRST:LAST" panel month names; "" = every month
  std::string base;                    // behaviour file supplying what the data cannot identify; "" = defaults
  double score_mean = PopulationConfig{}.score_mean;  // risk = -(score - score_mean) / score_sd
  double score_sd = PopulationConfig{}.score_sd;
  std::string on_bad_row = "error";
};

// Index of month `name` in the panel, or a ConfigError naming the option.
std::int32_t panel_month(const Panel& p, const std::string& name) {
  const auto it = std::find(p.month_names.begin(), p.month_names.end(), name);
  if (it == p.month_names.end()) {
    std::string names;
    for (const auto& n : p.month_names) names += (names.empty() ? "" : ", ") + n;
    throw ConfigError("--window: the panel has no month \"" + name + "\" (months: " + names + ")");
  }
  return static_cast<std::int32_t>(it - p.month_names.begin());
}

int calibrate_command(const CalibrateCliOptions& opt) {
  if (opt.out.empty()) throw ConfigError("--out: must name the behaviour file to write");
  if (opt.on_bad_row != "error" && opt.on_bad_row != "skip")
    throw ConfigError("--on-bad-row: must be error or skip, got '" + opt.on_bad_row + "'");
  const Mapping m = load_mapping(opt.mapping);
  const Panel panel = load_panel(opt.data, m, opt.on_bad_row == "skip" ? BadRowPolicy::kSkip : BadRowPolicy::kError);
  if (panel.months < 2)
    throw ConfigError(opt.mapping + ": calibration needs a [panel] of at least 2 months, got " +
                      std::to_string(panel.months));
  std::int32_t first = 0, last = panel.months - 1;
  if (!opt.window.empty()) {
    const auto colon = opt.window.find(':');
    if (colon == std::string::npos)
      throw ConfigError("--window: must be FIRST:LAST (panel month names), got '" + opt.window + "'");
    first = panel_month(panel, opt.window.substr(0, colon));
    last = panel_month(panel, opt.window.substr(colon + 1));
    if (last <= first) throw ConfigError("--window: LAST must come after FIRST, got '" + opt.window + "'");
  }
  BehaviourConfig base;
  base.params = default_behaviour();
  if (!opt.base.empty()) base = load_behaviour_config(opt.base);
  if (!(opt.score_mean >= 350.0 && opt.score_mean <= 950.0))
    throw ConfigError("--score-mean: must be in [350, 950], got " + std::to_string(opt.score_mean));
  if (!(opt.score_sd > 0.0 && std::isfinite(opt.score_sd)))
    throw ConfigError("--score-sd: must be > 0, got " + std::to_string(opt.score_sd));
  PopulationConfig pc;
  pc.score_mean = opt.score_mean;
  pc.score_sd = opt.score_sd;
  Calibration c = calibrate(panel, first, last, base, pc);
  c.data_file = opt.data;
  c.mapping_file = opt.mapping;
  c.created = utc_now();
  write_text_atomically(opt.out, calibration_toml(c));
  std::cout << calibration_report(c) << "\nwrote " << opt.out << "\n";
  if (panel.rows_skipped > 0)
    std::cerr << "limitsim: skipped " << panel.rows_skipped << " malformed rows of " << panel.rows_read << "\n";
  return 0;
}

struct BacktestCliOptions {
  BacktestOptions o;
  std::optional<std::int64_t> seed;
  std::string report;                  // Markdown report to write; "" = none
};

int backtest_command(BacktestCliOptions opt, const std::string& command) {
  if (opt.seed) {
    if (*opt.seed < 0) throw ConfigError("--seed: must be >= 0, got " + std::to_string(*opt.seed));
    opt.o.seed = static_cast<std::uint64_t>(*opt.seed);
    opt.o.has_seed = true;
  }
  if (opt.o.paths < 0) throw ConfigError("--paths: must be >= 1, got " + std::to_string(opt.o.paths));
  const BacktestReport r = run_backtest(opt.o);
  if (!opt.report.empty()) write_text_atomically(opt.report, backtest_markdown(r, command));
  std::cout << backtest_text(r);
  if (!opt.report.empty()) std::cout << "\nwrote " << opt.report << "\n";
  return 0;
}

}  // namespace
}  // namespace limitsim

int main(int argc, char** argv) {
  using namespace limitsim;
  CLI::App app{"limitsim: Monte Carlo stress tests of consumer credit-limit policies"};
  app.require_subcommand(0, 1);
  bool show_version = false;
  app.add_flag("--version", show_version, "Print version, git commit, backends built and the device");

  RunOptions ro;
  CLI::App* run = app.add_subcommand("run", "Simulate a run configuration and write an HDF5 result");
  run->add_option("config", ro.config, "Run configuration (TOML)")->required();
  run->add_option("--customers", ro.o.customers, "Number of customers (overrides the population file)");
  run->add_option("--population", ro.o.population_file,
                  "Real population: data file (CSV or HDF5 columns), read through --mapping");
  run->add_option("--mapping", ro.o.mapping, "Mapping file (TOML) of the --population data (docs/data.md)");
  run->add_option("--as-of", ro.o.as_of, "Panel month the run starts from (default: the last)");
  run->add_option("--on-bad-row", ro.o.on_bad_row,
                  "error (default: refuse the file) or skip (skip and count malformed rows)");
  run->add_option("--paths", ro.o.paths, "Monte Carlo paths");
  run->add_option("--months", ro.o.months, "Months to simulate");
  std::optional<std::int64_t> seed;  // signed, so that a negative seed is reported as typed
  run->add_option("--seed", seed, "Random seed (>= 0)");
  run->add_option("--out", ro.o.output, "Output HDF5 file");
  run->add_option("--backend", ro.o.backend, "cpu, cuda or auto");
  run->add_option("--threads", ro.o.threads, "CPU threads (0 = all cores)");
  run->add_option("--batch-size", ro.o.batch_size, "Customers per batch (results do not depend on it)");
  run->add_option("--importance-shift", ro.o.importance_shift,
                  "Importance sampling: mean shift of the systematic factor draws (0 = off)");
  run->add_flag("--quiet", ro.quiet, "No progress and no summary table");

  RunOptions so;
  std::optional<std::int64_t> sweep_seed;
  CLI::App* sweep = app.add_subcommand(
      "sweep", "Simulate a grid of policy variants ([sweep] table) and write HDF5 and CSV with the efficient frontiers");
  sweep->add_option("config", so.config, "Sweep configuration (TOML with one policy and a [sweep] table)")->required();
  sweep->add_option("--customers", so.o.customers, "Number of customers (overrides the population file)");
  sweep->add_option("--population", so.o.population_file,
                  "Real population: data file (CSV or HDF5 columns), read through --mapping");
  sweep->add_option("--mapping", so.o.mapping, "Mapping file (TOML) of the --population data (docs/data.md)");
  sweep->add_option("--as-of", so.o.as_of, "Panel month the run starts from (default: the last)");
  sweep->add_option("--on-bad-row", so.o.on_bad_row,
                  "error (default: refuse the file) or skip (skip and count malformed rows)");
  sweep->add_option("--paths", so.o.paths, "Monte Carlo paths");
  sweep->add_option("--months", so.o.months, "Months to simulate");
  sweep->add_option("--seed", sweep_seed, "Random seed (>= 0)");
  sweep->add_option("--out", so.o.output, "Output HDF5 file");
  sweep->add_option("--csv", so.csv, "Output CSV file (overrides [sweep] csv)");
  sweep->add_option("--backend", so.o.backend, "cpu, cuda or auto");
  sweep->add_option("--threads", so.o.threads, "CPU threads (0 = all cores)");
  sweep->add_option("--batch-size", so.o.batch_size, "Customers per batch (results do not depend on it)");
  sweep->add_option("--importance-shift", so.o.importance_shift,
                    "Importance sampling: mean shift of the systematic factor draws (0 = off)");
  sweep->add_flag("--quiet", so.quiet, "No progress and no table");

  SummaryCliOptions sumo;
  CLI::App* summary = app.add_subcommand("summary", "Print the key figures of a result file");
  summary->add_option("file", sumo.file, "HDF5 result file")->required()->check(CLI::ExistingFile);
  summary->add_option("--format", sumo.format, "table, csv or json (default table)");
  summary->add_flag("--convergence", sumo.convergence,
                    "Also print the convergence bands: each loss figure on the first 10, 20, 50, ... paths");

  CompareCliOptions co;
  CLI::App* compare =
      app.add_subcommand("compare", "Compare every policy with the baseline on the same paths (paired CIs)");
  compare->add_option("file", co.file, "HDF5 result file (read only)")->required()->check(CLI::ExistingFile);
  compare->add_option("--baseline", co.baseline,
                      "Policy to compare with (default: the run's baseline, else the first policy)");
  compare->add_option("--format", co.format, "table, csv or json (default table)");
  compare->add_option("--cost-of-funds", co.cost_of_funds,
                      "Annual cost-of-funds rate in [0, 1], overrides the file's (what-if)");
  compare->add_flag("--stress", co.stress,
                    "Only the stress view: every scenario against the run's first scenario, per policy "
                    "(table and csv; json always holds both)");

  ReportCliOptions rep;
  CLI::App* report = app.add_subcommand(
      "report", "Write charts (PNG) and a self-contained HTML page of a result file (runs python/limitsim)");
  report->add_option("file", rep.file, "HDF5 result file (read only)")->required()->check(CLI::ExistingFile);
  report->add_option("--out", rep.out, "Folder to write the PNGs and index.html into")->required();
  report->add_option("--dpi", rep.dpi, "Resolution of the PNGs");
  report->add_flag("--quiet", rep.quiet, "Print nothing on success");

  CalibrateCliOptions cal;
  CLI::App* calibrate = app.add_subcommand(
      "calibrate", "Estimate behaviour parameters from a monthly panel of real accounts and write a behaviour file");
  calibrate->add_option("data", cal.data, "Data file (CSV or HDF5 columns)")->required();
  calibrate->add_option("--mapping", cal.mapping, "Mapping file (TOML) with a [panel] (docs/data.md)")->required();
  calibrate->add_option("--out", cal.out, "Behaviour file (TOML) to write")->required();
  calibrate->add_option("--window", cal.window, "Panel months to use, FIRST:LAST (default: all)");
  calibrate->add_option("--on-bad-row", cal.on_bad_row, "error (default) or skip");
  calibrate->add_option("--score-mean", cal.score_mean,
                        "Risk proxy: risk = -(score - MEAN) / SD; use the population's score_mean (default 680)");
  calibrate->add_option("--score-sd", cal.score_sd, "... and its score_sd (default 80)");
  calibrate->add_option("--base", cal.base,
                        "Behaviour file whose values stand for what the data cannot identify (default: built-in)");

  BacktestCliOptions bt;
  CLI::App* backtest = app.add_subcommand(
      "backtest", "Calibrate on a real panel and check the model against what happened (out of time, and the label)");
  backtest->add_option("config", bt.o.config, "Run file with a real population (kind = \"file\") and one policy")
      ->required();
  backtest->add_option("--paths", bt.o.paths, "Monte Carlo paths (default: the run file's)");
  backtest->add_option("--seed", bt.seed, "Random seed (>= 0)");
  backtest->add_option("--threads", bt.o.threads, "CPU threads (0 = all cores)");
  backtest->add_option("--on-bad-row", bt.o.on_bad_row, "error or skip (default: the run file's)");
  backtest->add_option("--report", bt.report, "Write the Markdown report here (e.g. docs/backtest-uci.md)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    if (show_version) {
      std::cout << version_text() << "\n";
      return 0;
    }
    if (*run) {
      if (seed) {
        if (*seed < 0) throw ConfigError("--seed: must be >= 0, got " + std::to_string(*seed));
        ro.o.seed = static_cast<std::uint64_t>(*seed);
      }
      return run_command(ro);
    }
    if (*sweep) {
      if (sweep_seed) {
        if (*sweep_seed < 0) throw ConfigError("--seed: must be >= 0, got " + std::to_string(*sweep_seed));
        so.o.seed = static_cast<std::uint64_t>(*sweep_seed);
      }
      return sweep_command(so);
    }
    if (*summary) return summary_command(sumo);
    if (*compare) return compare_command(co);
    if (*report) return report_command(rep);
    if (*calibrate) return calibrate_command(cal);
    if (*backtest) {
      std::string command = "limitsim";
      for (int i = 1; i < argc; ++i) command += std::string(" ") + argv[i];
      return backtest_command(bt, command);
    }
    std::cout << app.help();
    return 0;
  } catch (const ConfigError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  } catch (const UnknownBaseline& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  } catch (const Cancelled&) {
    std::cerr << "limitsim: interrupted; no result file was written\n";
    return 128 + (g_signal != 0 ? static_cast<int>(g_signal) : SIGINT);
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}
