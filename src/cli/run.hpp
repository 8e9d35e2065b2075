// What `limitsim run` and `limitsim sweep` share: their options, the simulation and its output.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <optional>
#include <string>

#include "src/cli/preflight.hpp"
#include "src/config/config.hpp"

namespace limitsim {

struct RunOptions {
  std::string config;
  Overrides o;
  std::optional<std::string> seed;  // as typed, so that a negative or too large seed is reported so; checked into o.seed
  bool quiet = false;
  bool dry_run = false;              // --dry-run, and `limitsim validate`: check and describe, write nothing
  CostLimits cost;                   // --yes, --max-hours
  std::optional<std::string> csv;  // sweep only: overrides [sweep] csv
};

// Adds the options both subcommands have, in help order: the population and
// the run (--customers .. --out), then the backend (--backend .. --importance-shift).
void add_run_options(CLI::App* cmd, RunOptions& opt);
void add_backend_options(CLI::App* cmd, RunOptions& opt);

// Checks opt.seed (in [0, 2^63 - 1]) and sets it as the seed override.
void take_seed(RunOptions& opt);

// Simulates cfg and writes the result file; for a sweep, also /sweep and the CSV.
int simulate(RunConfig cfg, const RunOptions& opt, const SweepConfig* sweep);

// `limitsim run` and `limitsim sweep` once their options are parsed (validate calls them with dry_run).
int run_command(RunOptions& opt);
int sweep_command(RunOptions& opt);

}  // namespace limitsim
