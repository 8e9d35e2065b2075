// limitsim command line: run, sweep, summary, compare, report, export, calibrate, backtest, help, completion, --version.
// Library code throws; only this file turns an exception into a message and an
// exit code (src/cli/conventions.hpp: 2 for bad input, 130 when interrupted, 1 otherwise). Under MPI
// (src/cli/mpi.hpp) a failure all ranks agreed on is printed once by rank 0,
// and a failure of one rank alone ends the whole job.
// Each subcommand's options and run are in src/cli/<name>.cpp; this file wires them.
#include <CLI/CLI.hpp>

#include <csignal>
#include <iostream>
#include <optional>
#include <string>

#include "kernels/backend.hpp"
#include "src/analysis/compare.hpp"
#include "src/cli/commands.hpp"
#include "src/cli/common.hpp"
#include "src/cli/mpi.hpp"
#include "src/cli/conventions.hpp"
#include "src/config/config.hpp"

int main(int argc, char** argv) {
  using namespace limitsim;
  CLI::App app{"limitsim: Monte Carlo stress tests of consumer credit-limit policies"};
  app.name("limitsim");  // usage lines read "limitsim COMMAND", wherever the binary is
  app.require_subcommand(0, 1);
  bool show_version = false;
  app.add_flag("--version", show_version, "Print version, git commit, backends built and the device");

  std::string command_line = "limitsim";
  for (int i = 1; i < argc; ++i) command_line += std::string(" ") + argv[i];
  // In this order in --help.
  const Subcommand subcommands[] = {setup_run(app),        setup_sweep(app),       setup_summary(app),
                                    setup_compare(app),    setup_report(app),      setup_export(app),
                                    setup_calibrate(app),  setup_backtest(app, command_line),
                                    setup_list(app),       setup_init(app),       setup_validate(app),        setup_help(app),
                                    setup_completion(app)};
  app.footer("Exit codes: 0 success, 1 runtime failure, 2 usage error (bad command line, configuration or data), "
             "130 interrupted.\nlimitsim help COMMAND shows a command's options and examples; docs/cli.md has more.\n");
  app.failure_message([](const CLI::App*, const CLI::Error& e) { return std::string("error: ") + e.what() + "\n"; });

  if (unknown_subcommand(app, std::vector<std::string>(argv, argv + argc), launcher_rank() == 0)) return kExitUsage;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (launcher_rank() != 0) return e.get_exit_code() == 0 ? kExitOk : kExitUsage;  // under mpirun: rank 0 says it
    return parse_error_exit(app, e);
  }
  std::optional<MpiSession> mpi;  // for the subcommands that simulate; finalized after any message
  try {
    if (show_version) {
      std::cout << version_text() << "\n";
      return 0;
    }
    for (const Subcommand& s : subcommands) {
      if (!*s.app) continue;
      if (s.spreads_over_ranks) mpi.emplace(argc, argv);
      return s.run();
    }
    std::cout << app.help();
    return 0;
  } catch (const JobFailed& e) {
    return exit_after_agreed_failure(e);
  } catch (const ConfigError& e) {
    return exit_after_failure(2, std::string("error: ") + e.what());
  } catch (const UnknownBaseline& e) {
    return exit_after_failure(2, std::string("error: ") + e.what());
  } catch (const Cancelled&) {
    return exit_after_failure(128 + (interrupt_signal() != 0 ? interrupt_signal() : SIGINT),
                              "limitsim: interrupted; no result file was written");
  } catch (const std::exception& e) {
    return exit_after_failure(1, std::string("error: ") + e.what());
  }
}
