// Runs a validated configuration on a backend: generates the population batch
// by batch, simulates every scenario x policy on common random numbers, and
// returns the exact sums.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "kernels/backend.hpp"
#include "src/config/config.hpp"
#include "src/engine/factors.hpp"
#include "src/data/population.hpp"
#include "src/engine/results.hpp"

namespace limitsim {

// The run's factor model: regions, loadings of its correlation matrix, AR(1), importance shift.
FactorModel factor_model(const RunConfig& cfg);

// Inverse CDF of Beta(a, b) at kLgdTableSize equally spaced probabilities 0..1.
std::vector<double> beta_quantile_table(double a, double b);

// A behaviour's LGD table for ModelView::lgd_quantiles: the Beta table, or empty for a fixed LGD.
std::vector<double> lgd_table(const BehaviourParams& bp);

// The view of one (scenario, policy) pair of a launch over `months` months and
// factors.z's paths. It points into `scenario`, `factors` and `lgd`, which
// must outlive it.
ModelView model_view(const BehaviourParams& bp, const PolicyParams& policy, const ScenarioMonth* scenario,
                     const FactorDraws& factors, const FactorModel& fm, const std::vector<double>& lgd,
                     std::uint64_t seed, std::int32_t months, std::int32_t paths);

// Progress callback: fraction done in [0, 1].
using ProgressFn = std::function<void(double)>;

// A real population read through its mapping (population kind = "file").
struct FilePopulation {
  Population customers;
  std::string as_of;                    // panel month the run starts from ("" for a snapshot file)
  std::int64_t rows_read = 0, rows_skipped = 0;
  std::int64_t charged_off = 0;         // customers charged off by as_of, left out of the population
  std::vector<std::string> skipped_examples;
  std::string report;                   // load_report (src/data/panel.hpp): rows, fills, the starting mix, warnings
  double load_seconds = 0.0;
};

// Loads cfg.population's data file through its mapping and fills in what the
// data decide: the customer count, the regions (the mapping's), the resolved
// as_of month and the data file's SHA-256 (checked against a given one).
// Throws ConfigError for bad data (docs/data.md).
FilePopulation load_file_population(RunConfig& cfg);

// Simulates cfg. A synthetic population is generated batch by batch; a file
// population (kind = "file") must be passed as `file` (from load_file_population).
RunResults run_simulation(const RunConfig& cfg, Backend& backend, const ProgressFn& progress = {},
                          const Population* file = nullptr);

}  // namespace limitsim
