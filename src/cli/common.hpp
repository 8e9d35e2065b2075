// What every subcommand of the command line shares: the backend choice, the version text, the time stamp, interrupts.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <string>

#include "kernels/backend.hpp"

namespace limitsim {

// A subcommand as main() wires it: its CLI11 app, and what runs when it was
// given on the command line (the exit code; errors are thrown).
struct Subcommand {
  CLI::App* app;
  std::function<int()> run;
  bool spreads_over_ranks = false;  // run and sweep: MPI starts for them (src/cli/mpi.hpp)
};

// The backend a run uses: "cpu", "cuda", or "auto" (the GPU when there is one,
// else the CPU with `threads` threads, 0 = all cores).
std::unique_ptr<Backend> choose_backend(const std::string& which, int threads);

// `limitsim --version`: version, commit, backends built and the devices.
std::string version_text();

// The current time, UTC, ISO 8601 (e.g. "2026-01-31T12:00:00Z").
std::string utc_now();

// From now on the first SIGINT/SIGTERM stops the run cleanly (cancel_flag(),
// so no result file is written) and a second one kills at once.
void stop_cleanly_on_interrupt();
// The signal that interrupted the run; 0 when none did.
int interrupt_signal();

}  // namespace limitsim
