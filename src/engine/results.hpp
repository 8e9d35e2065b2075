// What a run produces: exact integer sums per scenario x policy, plus the
// metadata that makes a result file explain itself.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "kernels/metrics.hpp"
#include "src/config/config.hpp"

namespace limitsim {

// Sums for one (scenario, policy) pair, laid out [path][month][segment][metric]
// (row-major, metric fastest). Portfolio figures are sums over segments.
struct ComboSums {
  std::string scenario;
  std::string policy;
  std::vector<std::int64_t> sums;
  // The living book: the acquired accounts' sums [cohort][months on book][vintage metric], over all
  // paths (kernels/metrics.hpp VintageMetric); empty when the run acquires nobody.
  std::vector<std::int64_t> vintages = {};
};

struct RunMetadata {
  std::string name;              // the run's name ([run] name)
  std::string limitsim_version;
  std::string git_commit;
  std::string backend;           // "cpu" or "cuda"
  std::string device;            // e.g. "CPU: AMD EPYC ... (2 threads)" or the GPU's name
  std::string created_utc;       // ISO 8601
  std::string effective_config;  // TOML text, reproduces the run
  std::string config_file;       // the run file as given
  std::uint64_t seed = 0;
  std::int64_t customers = 0;
  std::int32_t threads = 0;
  std::int64_t batch_size = 0;
  double wall_seconds = 0.0;
  std::vector<std::int32_t> report_months;  // months shown in summaries besides the horizon
  std::vector<double> tail_levels; // levels of VaR and ES ([run] tail_levels); empty = 0.95, 0.99, 0.999
  double cost_of_funds = 0.0;    // annual rate charged on month-end balances in net income ([run] cost_of_funds)
  PnlConfig pnl;                 // the P&L's other parameters ([pnl]; all 0 in files written before them)
  std::string baseline_policy;   // policy the comparison is against ([run] baseline; default the first)
  double importance_shift = 0.0; // size of the importance-sampling mean shift ([run] importance_shift; 0 = off)
  std::string population_kind = "synthetic";  // synthetic | file
  std::string population_file;   // data file of a real population ("" for synthetic)
  std::string population_sha256; // its SHA-256
  std::int64_t population_rows_skipped = 0;   // malformed rows skipped (--on-bad-row=skip)
  std::int32_t mpi_ranks = 1;    // processes (MPI ranks) the run was spread over; 1 without MPI
  // The living book ([acquisition]): applicants per month (0-based run months) under an
  // applicant_multiplier of 1, and how many were drawn in all (the pools); empty and 0 without it.
  std::vector<std::int64_t> applicant_volume;
  std::int64_t applicants = 0;
  bool constant_book = false;    // the volume was set to keep the book constant (a pilot run)
};

// Portfolio totals (sums over segments) of every metric at one (path, month).
using PortfolioRow = std::array<std::int64_t, kNumMetrics>;

struct RunResults {
  std::int32_t paths = 0;
  std::int32_t months = 0;
  std::int32_t segments = 0;
  // Reporting segments are (score band, region) cells: segment g has band
  // segment_band[g] and region segment_region[g], g = band * regions + region.
  // With one region the segments are the score bands and keep their names.
  std::vector<std::string> segment_names;
  std::vector<std::int64_t> segment_customers;   // customers per segment
  std::vector<std::string> band_names;           // score bands
  std::vector<std::string> region_names;         // regions (one systematic factor each)
  std::vector<std::int32_t> segment_band;        // [segment] -> band index
  std::vector<std::int32_t> segment_region;      // [segment] -> region index
  // Likelihood ratio of each path under importance sampling (the same for every
  // scenario and policy, since they share the factor draws); all exactly 1 when
  // importance sampling is off (empty is read as all 1). Every mean over paths
  // is weighted by it.
  std::vector<double> path_weight;               // [paths]
  std::vector<std::string> scenario_names;       // in run order
  std::vector<std::string> policy_names;         // in run order
  std::vector<ComboSums> combos;                 // scenario-major: index s * n_policies + p
  RunMetadata meta;

  std::size_t cell_index(int path, int month, int segment, int metric) const {
    return ((static_cast<std::size_t>(path) * months + month) * segments + segment) * kNumMetrics + metric;
  }
  // Size of a pair's vintage sums (ComboSums::vintages) in a run that acquires.
  std::size_t vintage_cells() const { return static_cast<std::size_t>(months) * months * kNumVintageMetrics; }
  std::size_t vintage_index(int cohort, int mob, int metric) const {
    return (static_cast<std::size_t>(cohort) * months + mob) * kNumVintageMetrics + metric;
  }
  std::size_t cells() const {
    return static_cast<std::size_t>(paths) * months * segments * kNumMetrics;
  }
  const ComboSums& combo(int scenario, int policy) const {
    return combos[static_cast<std::size_t>(scenario) * policy_names.size() + policy];
  }
  // Portfolio totals of every metric at (path, month).
  PortfolioRow portfolio_row(const ComboSums& c, int path, int month) const {
    PortfolioRow row{};
    const std::int64_t* cell = c.sums.data() + cell_index(path, month, 0, 0);
    for (int g = 0; g < segments; ++g, cell += kNumMetrics)
      for (int m = 0; m < kNumMetrics; ++m) row[m] += cell[m];
    return row;
  }
  // Portfolio total of one metric at (path, month): the sum over segments.
  std::int64_t portfolio(const ComboSums& c, int path, int month, int metric) const {
    std::int64_t s = 0;
    for (int g = 0; g < segments; ++g) s += c.sums[cell_index(path, month, g, metric)];
    return s;
  }
};

}  // namespace limitsim
