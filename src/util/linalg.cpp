// Small dense symmetric matrices: eigenvalues (cyclic Jacobi) and a Cholesky factor that accepts semi-definite input.
#include "src/util/linalg.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

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

bool cholesky_solve(std::vector<double> a, int n, const std::vector<double>& b, std::vector<double>& x,
                    std::vector<double>* inv) {
  const auto k = static_cast<std::size_t>(n);
  for (std::size_t j = 0; j < k; ++j) {
    double d = a[j * k + j];
    for (std::size_t m = 0; m < j; ++m) d -= a[j * k + m] * a[j * k + m];
    if (!(d > 1e-300) || !std::isfinite(d)) return false;
    const double l = std::sqrt(d);
    a[j * k + j] = l;
    for (std::size_t i = j + 1; i < k; ++i) {
      double s = a[i * k + j];
      for (std::size_t m = 0; m < j; ++m) s -= a[i * k + m] * a[j * k + m];
      a[i * k + j] = s / l;
    }
  }
  auto solve = [&](const std::vector<double>& rhs, std::vector<double>& out) {
    std::vector<double> z(k);
    for (std::size_t i = 0; i < k; ++i) {
      double s = rhs[i];
      for (std::size_t m = 0; m < i; ++m) s -= a[i * k + m] * z[m];
      z[i] = s / a[i * k + i];
    }
    out.assign(k, 0.0);
    for (std::size_t i = k; i-- > 0;) {
      double s = z[i];
      for (std::size_t m = i + 1; m < k; ++m) s -= a[m * k + i] * out[m];
      out[i] = s / a[i * k + i];
    }
  };
  solve(b, x);
  if (inv) {
    inv->assign(k * k, 0.0);
    std::vector<double> e(k), col;
    for (std::size_t j = 0; j < k; ++j) {
      std::fill(e.begin(), e.end(), 0.0);
      e[j] = 1.0;
      solve(e, col);
      for (std::size_t i = 0; i < k; ++i) (*inv)[i * k + j] = col[i];
    }
  }
  return true;
}

}  // namespace limitsim
