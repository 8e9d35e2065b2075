// Runs a validated configuration on a backend: generates the population batch
// by batch, simulates every scenario x policy on common random numbers, and
// returns the exact sums.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "kernels/backend.hpp"
#include "src/config/config.hpp"
#include "src/engine/distributed.hpp"
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
//
// Over several processes (`shared_by`, the ranks that hold one copy of the
// population between them): every process reads the whole file and checks
// every row, but keeps only the customers whose id hashes to its rank (Shard,
// src/data/panel.hpp), so no process holds the whole book. Everything the
// population depends on beyond a customer's own row (the limit-rank scores,
// the panel-wide means, the counts) is reduced exactly across them, so each
// customer comes out as one process would make it. The counts in the result
// (customers, rows skipped, charged off) are the whole file's. A failure on
// any process is agreed (collective_step) and thrown on all as JobFailed.
FilePopulation load_file_population(RunConfig& cfg, const Comm& shared_by = SerialComm());

// Refuses (ConfigError, naming the options) a run whose exact sums would not
// fit in half of this machine's memory. run_simulation checks it too.
void check_run_memory(const RunConfig& cfg);

// The part of a run one process simulates when it is spread over several
// (distributed.hpp, docs/scaling.md).
struct RunShare {
  std::int64_t first = 0, count = 0;            // synthetic customers: ids [first, first + count)
  std::int64_t first_combo = 0, end_combo = 0;  // (scenario, policy) pairs simulated, scenario-major
  std::int32_t first_path = 0, end_path = -1;   // paths simulated, [first_path, end_path); -1 = to the last
  bool count_customers = true;  // add the customers to segment_customers (one process a customer does, so each counts once)
  bool hold_all = false;        // keep sums for every pair (the process that receives the reduction)
  std::int32_t slice = 0, slices = 1;  // this process's slice of the customers: also of the applicants
};
// This process's share of cfg under decomposition d; `root` receives the sums.
RunShare run_share(const RunConfig& cfg, const Decomposition& d, bool root);

// Simulates cfg. A synthetic population is generated batch by batch; a file
// population (kind = "file") must be passed as `file` (from load_file_population).
// With a share, only its customers (a file population: all of `file`, the
// process's shard) and its pairs are simulated; the sums of the other pairs
// are empty, or zeros where share->hold_all.
RunResults run_simulation(const RunConfig& cfg, Backend& backend, const ProgressFn& progress = {},
                          const Population* file = nullptr, const RunShare* share = nullptr);

// Adds every process's sums and customer counts into `root`'s results
// (Comm::sum_to_root: exact int64 sums, so the result is bit-identical to one
// process's run). Only root's results are complete afterwards.
void reduce_results(RunResults& r, const Comm& comm, int root = 0);

}  // namespace limitsim
