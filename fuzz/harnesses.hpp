// The fuzz harnesses (docs/fuzzing.md): one entry point per reader of untrusted input. Each takes one
// input, feeds it to the reader the way the command line does, and returns 0; a crash, a sanitizer
// report or a broken invariant (abort) is a finding. libFuzzer drives them (fuzz/fuzz_*.cpp); the
// unit tests replay every saved input through them (tests/fuzz/test_fuzz_inputs.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace limitsim {
namespace fuzz {

// The input as a run file in a scratch copy of configs/ (so its includes resolve): load_run_config and
// load_sweep_config; a loaded run must write an effective configuration that loads again.
int run_file(const std::uint8_t* data, std::size_t size);
// The input as a policy, scenario or behaviour file named by a fixed run file in that copy.
int policy_file(const std::uint8_t* data, std::size_t size);
int scenario_file(const std::uint8_t* data, std::size_t size);
int behaviour_file(const std::uint8_t* data, std::size_t size);
// The input as a mapping file (load_mapping), then the mapping read on a small CSV.
int mapping_file(const std::uint8_t* data, std::size_t size);
// The input as a CSV data file read through fixed mappings (a panel, a snapshot), error and skip
// modes, then made into a population.
int csv_data(const std::uint8_t* data, std::size_t size);
// The input as a list of edits of a small valid result file (values of datasets and attributes set to
// raw or extreme bytes, objects removed, strings replaced): read_results_h5, then summary and compare
// in every format. A file the reader accepts must give shares in [0, 1] and counts >= 0.
int result_file(const std::uint8_t* data, std::size_t size);

// The harness of a name above ("run_file", ...); nullptr for an unknown name.
using Harness = int (*)(const std::uint8_t*, std::size_t);
Harness harness(const std::string& name);

}  // namespace fuzz
}  // namespace limitsim
