// limitsim validate: check every file a run or sweep would read and print the resolved run and its cost.
#include <fstream>
#include <memory>
#include <string>

#include "src/cli/commands.hpp"
#include "src/cli/run.hpp"
#include "src/config/config.hpp"
#include "src/config/toml_io.hpp"

namespace limitsim {
namespace {

// A sweep file is a run file with a top-level [sweep] table (docs/config.md). Syntax errors are left to
// the loader, which reports them with the file and line.
bool is_sweep_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  try {
    const toml_io::Value v = toml_io::parse_stream(in, path);
    return v.is_table() && v.contains("sweep");
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace

Subcommand setup_validate(CLI::App& app) {
  auto opt = std::make_shared<RunOptions>();
  CLI::App* validate = app.add_subcommand(
      "validate", "Check a run or sweep file and everything it names, and print the resolved run and its cost; "
                  "writes nothing (the same as run --dry-run)");
  validate->add_option("config", opt->config, "Run or sweep configuration (TOML)")->required();
  add_run_options(validate, *opt);
  validate->add_option("--csv", opt->csv, "Sweep only: output CSV file (overrides [sweep] csv)");
  add_backend_options(validate, *opt);
  validate->footer("Examples:\n"
                   "  limitsim validate configs/stress_test.toml\n"
                   "  limitsim validate configs/sweep_lender_rules.toml -n 1000000 -p 256 -b cuda");
  return {validate, [opt] {
            opt->dry_run = true;
            if (is_sweep_file(opt->config)) return sweep_command(*opt);
            if (opt->csv) throw ConfigError("--csv: only a sweep file (one with a [sweep] table) writes a CSV");
            return run_command(*opt);
          }};
}

}  // namespace limitsim
