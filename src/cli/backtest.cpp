// limitsim backtest: calibrate on a real panel and check the model against what happened.
#include <cstdint>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <tuple>

#include "src/analysis/backtest.hpp"
#include "src/cli/commands.hpp"
#include "src/cli/preflight.hpp"
#include "src/config/config.hpp"
#include "src/config/schema.hpp"
#include "src/io/atomic_file.hpp"

namespace limitsim {
namespace {

struct BacktestCliOptions {
  BacktestOptions o;
  std::optional<std::string> seed;     // as typed (parse_seed)
  std::optional<std::int32_t> paths, threads;
  std::string report;                  // Markdown report to write; "" = none
};

int backtest_command(BacktestCliOptions opt, const std::string& command) {
  if (opt.seed) {
    opt.o.seed = parse_seed(*opt.seed);
    opt.o.has_seed = true;
  }
  // Given, they are checked as run's are (0 paths ran the file's paths, -1 threads was taken as all cores).
  for (auto [option, given, range, field] :
       {std::tuple<const char*, std::optional<std::int32_t>*, fields::Range, std::int32_t*>{
            "--paths", &opt.paths, fields::kPathsRange, &opt.o.paths},
        {"--threads", &opt.threads, fields::kThreadsRange, &opt.o.threads}}) {
    if (!*given) continue;
    const std::string bad = fields::range_error(**given, range, true);
    if (!bad.empty()) throw ConfigError(std::string(option) + ": " + bad);
    *field = **given;
  }
  if (!opt.report.empty())  // before any work: the report never overwrites what the backtest reads
    check_command_outputs({{"--report", opt.report}}, run_inputs(load_run_config(opt.o.config)));
  const BacktestReport r = run_backtest(opt.o);
  if (!opt.report.empty()) write_text_atomically(opt.report, backtest_markdown(r, command));
  std::cout << backtest_text(r);
  if (!opt.report.empty()) std::cout << "\nwrote " << opt.report << "\n";
  return 0;
}

}  // namespace

Subcommand setup_backtest(CLI::App& app, const std::string& command_line) {
  auto opt = std::make_shared<BacktestCliOptions>();
  CLI::App* backtest = app.add_subcommand(
      "backtest", "Calibrate on a real panel and check the model against what happened (out of time, and the label)");
  backtest->add_option("config", opt->o.config, "Run file with a real population (kind = \"file\") and one policy")
      ->required();
  backtest->add_option("-p,--paths", opt->paths, "Monte Carlo paths (default: the run file's)");
  backtest->add_option("-s,--seed", opt->seed, "Random seed (>= 0)");
  backtest->add_option("-j,--threads", opt->threads, "CPU threads (0 = all cores)");
  backtest->add_option("--on-bad-row", opt->o.on_bad_row, "error or skip (default: the run file's)")
      ->check(CLI::IsMember({"error", "skip"}));
  backtest->add_option("--folds", opt->o.folds, "Cross-fitting folds of the behaviour-score checks (2..20, default 5)");
  backtest->add_option("--report", opt->report, "Write the Markdown report here (e.g. docs/backtest-uci.md)");
  backtest->footer("Example:\n  limitsim backtest configs/backtest_uci.toml -p 400 --report docs/backtest-uci.md");
  return {backtest, [opt, command_line] { return backtest_command(*opt, command_line); }};
}

}  // namespace limitsim
