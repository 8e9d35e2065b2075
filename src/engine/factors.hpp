// The systematic factors: one per region, correlated across regions by a
// validated correlation matrix, AR(1) in time, optionally importance-sampled
// by a mean shift of their innovations (docs/model.md "Systematic factors").
// Host code only; the kernels see the resulting array Z[path][month][region].
#pragma once

#include <cstdint>
#include <vector>

#include "src/util/linalg.hpp"

namespace limitsim {

struct FactorModel {
  int regions = 1;
  std::vector<double> loadings{1.0};  // L, regions x regions, L L^T = correlation
  double ar1 = 0.0;                   // Z_t = ar1 Z_{t-1} + sqrt(1 - ar1^2) e_t
  std::vector<double> region_weights{1.0};  // weights of the portfolio factor (region shares)
  double importance_shift = 0.0;      // size of the innovation mean shift, in sd of the portfolio factor
  int hold_months = 1;                // each factor is held for this many months: Z_t = Z_{hold x floor(t / hold)}
};

// The importance-sampling mean shift mu[month][region] of the standard normal
// innovations: mu = -shift x c / |c|, where c is the gradient of the portfolio
// factor F = sum over months and regions of region_weight x Z with respect to
// the innovations. It moves F's mean down by `shift` standard deviations while
// staying the most likely such move (the Glasserman-Li choice for a loss that
// depends on the factors through F). All zero when the shift is 0.
std::vector<double> importance_mean_shift(const FactorModel& fm, int months);

struct FactorDraws {
  std::vector<double> z;       // [path][month][region]
  std::vector<double> weight;  // [path] likelihood ratio dP/dQ of the path's innovations (1 without a shift)
  std::vector<double> shift;   // [month][region] the mean shift used
};

// Innovations xi[path][month][region] are standard normals keyed by
// (seed, region, path, stream 2, block month); with a shift they are drawn as
// xi + mu. e_t = L xi_t; Z_0 = e_0; Z_t = ar1 Z_{t-1} + sqrt(1 - ar1^2) e_t, so
// each Z is standard normal and corr(Z_t,k, Z_t,j) = correlation[k][j]. With
// hold_months H > 1, month t takes the factor of the first month of its
// H-month period, Z_{H floor(t / H)}.
FactorDraws systematic_factors(std::uint64_t seed, int paths, int months, const FactorModel& fm);

}  // namespace limitsim
