// HDF5 result files (schema: docs/hdf5-schema.md), through the HDF5 C API.
#pragma once

#include <string>

#include "src/analysis/compare.hpp"
#include "src/engine/results.hpp"
#include "src/analysis/summary.hpp"
#include "src/analysis/sweep.hpp"

namespace limitsim {

constexpr int kSchemaVersionMajor = 1;
constexpr int kSchemaVersionMinor = 5;  // 1.1: cost_of_funds, baseline_policy, /comparison;
                                        // 1.2: path weights, bands and regions, tail risk, /stress;
                                        // 1.3: the population's provenance (real data);
                                        // 1.4: reversal, recovery, declined_count, partial_cure_count;
                                        //      mpi_ranks (runs spread over MPI ranks); dimension scales
                                        //      (coordinates for xarray and netCDF tools), metric order,
                                        //      tail/paths_beyond
                                        // 1.5: the living book: applicant_count, new_account_count,
                                        //      runoff_count, inactive_count; /vintages

// Writes the run to `path` atomically: a temporary file in the same folder is
// written, flushed and closed, then renamed over `path`. On any error the
// temporary is removed and std::runtime_error is thrown; `path` is untouched.
// `s` and `c` must be computed from `r` (compute_summary, compute_comparison);
// a sweep's summary (summarize_sweep), when given, is written to /sweep.
void write_results_h5(const RunResults& r, const Summary& s, const Comparison& c, const std::string& path,
                      const SweepSummary* sweep = nullptr);

// Reads back the raw sums and metadata written by write_results_h5, with the
// path weights, importance_shift and the segments' bands and regions (a 1.1
// file has none of these: its weights are 1, its bands are its segments and it
// has one region, "all"). The derived summary and comparison are not read:
// compute_summary and compute_comparison recompute them from the sums.
// Throws std::runtime_error naming the file and what is wrong or missing.
RunResults read_results_h5(const std::string& path);

}  // namespace limitsim
