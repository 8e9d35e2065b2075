// The systematic factors (src/engine/factors.hpp): the importance-sampling shift and the keyed AR(1) factor draws.
#include "src/engine/factors.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "kernels/rng.hpp"
#include "kernels/special.hpp"

namespace limitsim {

std::vector<double> importance_mean_shift(const FactorModel& fm, int months) {
  const int R = fm.regions;
  std::vector<double> mu(static_cast<std::size_t>(months) * R, 0.0);
  if (fm.importance_shift == 0.0 || months < 1) return mu;
  // L^T w: how one innovation vector moves the weighted sum of the region factors.
  std::vector<double> ltw(static_cast<std::size_t>(R), 0.0);
  for (int j = 0; j < R; ++j)
    for (int i = 0; i < R; ++i) ltw[j] += fm.loadings[static_cast<std::size_t>(i) * R + j] * fm.region_weights[i];
  // Innovation tau enters Z_t (t >= tau) with a_{t,tau} = phi^(t-tau) (x sqrt(1 - phi^2) for tau >= 1);
  // month t reads the factor of month held(t), the first of its hold period.
  const double phi = fm.ar1, scale = std::sqrt(1.0 - phi * phi);
  const int hold = fm.hold_months > 1 ? fm.hold_months : 1;
  double norm2 = 0.0;
  for (int tau = 0; tau < months; ++tau) {
    double a = 0.0, p = 1.0;  // p = phi^(at - tau)
    for (int t = tau, at = tau; t < months; ++t) {
      const int held = t / hold * hold;
      if (held < tau) continue;
      for (; at < held; ++at) p *= phi;
      a += p;
    }
    if (tau > 0) a *= scale;
    for (int j = 0; j < R; ++j) {
      mu[static_cast<std::size_t>(tau) * R + j] = a * ltw[j];
      norm2 += a * ltw[j] * a * ltw[j];
    }
  }
  if (norm2 <= 0.0) return std::vector<double>(mu.size(), 0.0);
  const double k = -fm.importance_shift / std::sqrt(norm2);
  for (double& m : mu) m *= k;
  return mu;
}

FactorDraws systematic_factors(std::uint64_t seed, int paths, int months, const FactorModel& fm) {
  const int R = fm.regions;
  FactorDraws out;
  out.shift = importance_mean_shift(fm, months);
  out.z.assign(static_cast<std::size_t>(paths) * months * R, 0.0);
  out.weight.assign(static_cast<std::size_t>(paths), 1.0);
  const bool shifted = fm.importance_shift != 0.0;
  const double phi = fm.ar1, scale = std::sqrt(1.0 - phi * phi);
  std::vector<double> xi(static_cast<std::size_t>(R)), prev(static_cast<std::size_t>(R), 0.0);
  for (int p = 0; p < paths; ++p) {
    double log_w = 0.0;
    for (int m = 0; m < months; ++m) {
      for (int k = 0; k < R; ++k) {
        KeyedPhilox rng(seed, static_cast<std::uint64_t>(k), static_cast<std::uint32_t>(p), kStreamSystematic,
                        static_cast<std::uint32_t>(m));
        xi[k] = norm_inv(u01(rng.next().x));
        if (shifted) {
          const double mu = out.shift[static_cast<std::size_t>(m) * R + k];
          xi[k] += mu;
          log_w += -mu * xi[k] + 0.5 * mu * mu;
        }
      }
      double* z = out.z.data() + (static_cast<std::size_t>(p) * months + m) * R;
      for (int i = 0; i < R; ++i) {
        double e = 0.0;
        if (R == 1) {
          e = xi[0];  // exact: one region is the one-factor model
        } else {
          for (int j = 0; j <= i; ++j) e += fm.loadings[static_cast<std::size_t>(i) * R + j] * xi[j];
        }
        z[i] = (m == 0 || phi == 0.0) ? e : phi * prev[i] + scale * e;
        prev[i] = z[i];
      }
    }
    if (fm.hold_months > 1)  // each month takes the factor of its period's first month
      for (int m = 0; m < months; ++m) {
        const int first = m / fm.hold_months * fm.hold_months;
        if (first == m) continue;
        double* z = out.z.data() + (static_cast<std::size_t>(p) * months + m) * R;
        const double* z0 = out.z.data() + (static_cast<std::size_t>(p) * months + first) * R;
        for (int i = 0; i < R; ++i) z[i] = z0[i];
      }
    if (shifted) out.weight[p] = std::exp(log_w);
  }
  return out;
}

}  // namespace limitsim
