// Runs a validated configuration on a backend: generates the population batch
// by batch, simulates every scenario x policy on common random numbers, and
// returns the exact sums.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "../kernels/backend.hpp"
#include "config.hpp"
#include "factors.hpp"
#include "results.hpp"

namespace limitsim {

// The run's factor model: regions, loadings of its correlation matrix, AR(1), importance shift.
FactorModel factor_model(const RunConfig& cfg);

// Inverse CDF of Beta(a, b) at kLgdTableSize equally spaced probabilities 0..1.
std::vector<double> beta_quantile_table(double a, double b);

// Progress callback: fraction done in [0, 1].
using ProgressFn = std::function<void(double)>;

RunResults run_simulation(const RunConfig& cfg, Backend& backend, const ProgressFn& progress = {});

}  // namespace limitsim
