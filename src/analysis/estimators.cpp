// The estimators of limitsim calibrate: Wilson intervals, and logistic regression by Newton-Raphson with SEs.
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "kernels/special.hpp"
#include "src/analysis/calibrate.hpp"
#include "src/analysis/calibrate_text.hpp"
#include "src/config/toml_io.hpp"
#include "src/util/linalg.hpp"

namespace limitsim {
namespace {

using calib::kZ95;
using toml_io::fmt_double;

constexpr int kMaxNewtonIterations = 50;
constexpr double kMaxAbsCoef = 30.0;       // past this on the logit scale: (quasi-)separation

// log(1 + e^x) without overflow.
double softplus(double x) { return x > 0.0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)); }

}  // namespace

LogitFit fit_logistic(const std::vector<double>& x, std::size_t k, const std::vector<std::uint8_t>& y) {
  const std::size_t n = y.size();
  if (k == 0 || x.size() != n * k) throw std::invalid_argument("fit_logistic: x must hold y.size() rows of k values");
  LogitFit f;
  if (n < k) {
    f.failure = "fewer observations (" + std::to_string(n) + ") than coefficients (" + std::to_string(k) + ")";
    return f;
  }
  std::size_t events = 0;
  for (const std::uint8_t v : y) events += v ? 1 : 0;
  if (events == 0 || events == n) {
    f.failure = events == 0 ? "no events" : "only events";
    return f;
  }
  auto eta_of = [&](const std::vector<double>& beta, std::size_t i) {
    double eta = 0.0;
    for (std::size_t j = 0; j < k; ++j) eta += x[i * k + j] * beta[j];
    return eta;
  };
  auto loglik = [&](const std::vector<double>& beta) {
    double ll = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      const double eta = eta_of(beta, i);
      ll += (y[i] ? eta : 0.0) - softplus(eta);
    }
    return ll;
  };
  // Score (gradient) and Fisher information at beta.
  auto score_info = [&](const std::vector<double>& beta, std::vector<double>& g, std::vector<double>& h) {
    g.assign(k, 0.0);
    h.assign(k * k, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
      const double* xi = &x[i * k];
      const double p = logistic(eta_of(beta, i));
      const double r = (y[i] ? 1.0 : 0.0) - p, w = p * (1.0 - p);
      for (std::size_t a = 0; a < k; ++a) {
        g[a] += xi[a] * r;
        const double wa = w * xi[a];
        for (std::size_t b = 0; b <= a; ++b) h[a * k + b] += wa * xi[b];
      }
    }
    for (std::size_t a = 0; a < k; ++a)
      for (std::size_t b = 0; b < a; ++b) h[b * k + a] = h[a * k + b];
  };

  std::vector<double> beta(k, 0.0), g, h, step, trial(k);
  double ll = loglik(beta);
  bool converged = false;
  for (int it = 1; it <= kMaxNewtonIterations && !converged; ++it) {
    score_info(beta, g, h);
    if (!cholesky_solve(h, static_cast<int>(k), g, step)) {
      f.failure = "the information matrix is singular (a covariate is constant or collinear, or separation)";
      return f;
    }
    // Newton step, halved until the log-likelihood does not fall.
    double scale = 1.0, ll_new = 0.0;
    for (int halvings = 0;; ++halvings) {
      for (std::size_t j = 0; j < k; ++j) trial[j] = beta[j] + scale * step[j];
      ll_new = loglik(trial);
      if (std::isfinite(ll_new) && ll_new >= ll - 1e-12 * (1.0 + std::fabs(ll))) break;
      if (halvings == 40) {
        f.failure = "Newton steps stopped increasing the likelihood";
        return f;
      }
      scale *= 0.5;
    }
    double largest = 0.0;
    for (std::size_t j = 0; j < k; ++j) largest = std::max(largest, std::fabs(scale * step[j]));
    beta = trial;
    ll = ll_new;
    f.iterations = it;
    converged = largest < 1e-9;
  }
  if (!converged) {
    f.failure = "no convergence in " + std::to_string(kMaxNewtonIterations) +
                " Newton iterations (separation: some covariate pattern predicts the outcome perfectly)";
    return f;
  }
  std::vector<double> cov, unused;
  score_info(beta, g, h);
  if (!cholesky_solve(h, static_cast<int>(k), g, unused, &cov)) {
    f.failure = "the information matrix is singular at the estimate";
    return f;
  }
  f.log_likelihood = ll;
  for (std::size_t j = 0; j < k; ++j) {
    const Coef c{beta[j], std::sqrt(cov[j * k + j])};
    if (!std::isfinite(c.value) || !std::isfinite(c.se) || std::fabs(c.value) > kMaxAbsCoef) {
      f.failure = "coefficient " + std::to_string(j) + " = " + fmt_double(c.value) +
                  " is past +-30 on the logit scale (separation)";
      f.coef.clear();
      return f;
    }
    f.coef.push_back(c);
  }
  f.ok = true;
  return f;
}

Rate wilson(std::int64_t events, std::int64_t trials) {
  Rate r;
  r.events = events;
  r.trials = trials;
  if (trials <= 0) return r;  // p = 0, interval [0, 1]: nothing is known
  const double n = static_cast<double>(trials), z2 = kZ95 * kZ95;
  const double p = static_cast<double>(events) / n;
  const double denom = 1.0 + z2 / n;
  const double center = (p + z2 / (2.0 * n)) / denom;
  const double half = kZ95 * std::sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / denom;
  r.p = p;
  r.lo = events <= 0 ? 0.0 : std::max(0.0, center - half);
  r.hi = events >= trials ? 1.0 : std::min(1.0, center + half);
  return r;
}

}  // namespace limitsim
