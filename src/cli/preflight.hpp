// What the commands check before they commit to any work: their outputs against their inputs
// (src/io/output_paths.hpp), and what a run will cost (src/engine/cost.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kernels/backend.hpp"
#include "src/config/config.hpp"
#include "src/io/output_paths.hpp"

namespace limitsim {

// --seed as typed: a whole decimal number in [0, 2^63 - 1]. Anything else, larger values included, is
// refused (a ConfigError naming `option`), never clamped.
std::uint64_t parse_seed(const std::string& text, const std::string& option = "--seed");

// Every file a run reads: the run file, the files it names, the data and mapping of a real population.
std::vector<NamedFile> run_inputs(const RunConfig& cfg);

// check_outputs, printing its notes (stale temporaries removed) on stderr.
void check_command_outputs(const std::vector<NamedFile>& outputs, const std::vector<NamedFile>& inputs,
                           std::uint64_t need_bytes = 0, bool clear_stale = true);

// A run's (or a sweep's) outputs: run.output (--out) and, for a sweep, its CSV; checked against every
// input, with room for the result file (RunCost::file_bytes).
// clear_stale = false (a dry run) checks the same and removes nothing.
void check_run_outputs(const RunConfig& cfg, const std::string* sweep_csv, bool clear_stale = true);

// What a run may cost: --yes runs an estimate of any length; max_hours is where --yes becomes needed.
struct CostLimits {
  bool yes = false;
  double max_hours = 24.0;
};

// Estimates the run on `backend`: refuses one that cannot fit in this machine's memory, and one
// estimated longer than limits.max_hours without limits.yes; prints the estimate when it is a minute
// or more (an hour or more even when quiet). Warns when importance sampling leaves few paths carrying the weight.
void check_run_cost(const RunConfig& cfg, const Backend& backend, const CostLimits& limits, bool quiet);

// What `run --dry-run` and `validate` print: the resolved run (the files it reads, customers, paths,
// months, policies, scenarios, outputs) and its cost on `backend` (customer-months, memory, time), with
// whether --max-hours would stop it. `sweep` adds the grid; `file_population` says how the customers were
// counted.
std::string dry_run_text(const RunConfig& cfg, const Backend& backend, const CostLimits& limits,
                         const SweepConfig* sweep);

}  // namespace limitsim
