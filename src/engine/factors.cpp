#include "src/engine/factors.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "kernels/rng.hpp"
#include "kernels/special.hpp"

namespace limitsim {

std::vector<double> symmetric_eigenvalues(std::vector<double> a, int n) {
  if (n < 1 || a.size() != static_cast<std::size_t>(n) * n)
    throw std::invalid_argument("symmetric_eigenvalues: need an n x n matrix");
  auto at = [&](int i, int j) -> double& { return a[static_cast<std::size_t>(i) * n + j]; };
  for (int sweep = 0; sweep < 100; ++sweep) {
    double off = 0.0;
    for (int i = 0; i < n; ++i)
      for (int j = i + 1; j < n; ++j) off += at(i, j) * at(i, j);
    if (off < 1e-30) break;
    for (int p = 0; p < n; ++p) {
      for (int q = p + 1; q < n; ++q) {
        if (at(p, q) == 0.0) continue;
        // Rotation that zeroes a[p][q] (Golub & Van Loan, sym.schur2).
        const double theta = (at(q, q) - at(p, p)) / (2.0 * at(p, q));
        const double t = (theta >= 0 ? 1.0 : -1.0) / (std::fabs(theta) + std::sqrt(theta * theta + 1.0));
        const double c = 1.0 / std::sqrt(t * t + 1.0), s = t * c;
        for (int k = 0; k < n; ++k) {  // columns p, q
          const double akp = at(k, p), akq = at(k, q);
          at(k, p) = c * akp - s * akq;
          at(k, q) = s * akp + c * akq;
        }
        for (int k = 0; k < n; ++k) {  // rows p, q
          const double apk = at(p, k), aqk = at(q, k);
          at(p, k) = c * apk - s * aqk;
          at(q, k) = s * apk + c * aqk;
        }
      }
    }
  }
  std::vector<double> ev(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) ev[i] = at(i, i);
  std::sort(ev.begin(), ev.end());
  return ev;
}

std::vector<double> factor_loadings(const std::vector<double>& c, int n) {
  if (n < 1 || c.size() != static_cast<std::size_t>(n) * n)
    throw std::invalid_argument("factor_loadings: need an n x n matrix");
  constexpr double kZeroPivot = 1e-12;
  std::vector<double> l(c.size(), 0.0);
  auto L = [&](int i, int j) -> double& { return l[static_cast<std::size_t>(i) * n + j]; };
  for (int j = 0; j < n; ++j) {
    double d = c[static_cast<std::size_t>(j) * n + j];
    for (int k = 0; k < j; ++k) d -= L(j, k) * L(j, k);
    if (d <= kZeroPivot) continue;  // semi-definite: this column adds nothing new
    const double pivot = std::sqrt(d);
    L(j, j) = pivot;
    for (int i = j + 1; i < n; ++i) {
      double s = c[static_cast<std::size_t>(i) * n + j];
      for (int k = 0; k < j; ++k) s -= L(i, k) * L(j, k);
      L(i, j) = s / pivot;
    }
  }
  return l;
}

std::vector<double> importance_mean_shift(const FactorModel& fm, int months) {
  const int R = fm.regions;
  std::vector<double> mu(static_cast<std::size_t>(months) * R, 0.0);
  if (fm.importance_shift == 0.0 || months < 1) return mu;
  // L^T w: how one innovation vector moves the weighted sum of the region factors.
  std::vector<double> ltw(static_cast<std::size_t>(R), 0.0);
  for (int j = 0; j < R; ++j)
    for (int i = 0; i < R; ++i) ltw[j] += fm.loadings[static_cast<std::size_t>(i) * R + j] * fm.region_weights[i];
  // Innovation tau enters Z_t (t >= tau) with a_{t,tau} = phi^(t-tau) (x sqrt(1 - phi^2) for tau >= 1).
  const double phi = fm.ar1, scale = std::sqrt(1.0 - phi * phi);
  double norm2 = 0.0;
  for (int tau = 0; tau < months; ++tau) {
    double a = 0.0, p = 1.0;
    for (int t = tau; t < months; ++t, p *= phi) a += p;
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
    if (shifted) out.weight[p] = std::exp(log_w);
  }
  return out;
}

}  // namespace limitsim
