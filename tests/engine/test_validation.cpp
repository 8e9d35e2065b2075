// Closed-form validation of the loss distribution (docs/validation.md).
//
// The shipped configs under configs/validation/ reduce the model to a one-period
// homogeneous portfolio: N accounts, each owing exactly 1.00 at 151-180 days
// past due; in the single month each rolls to charge-off with probability p
// through the one-factor Gaussian copula with correlation rho, and loses the
// whole 1.00 (LGD 1, no interest, no fee). A path's loss fraction is then
// D / N, D the number of charge-offs, and:
//
// * given the factor Z, D ~ Binomial(N, p(Z)), p(Z) = Phi((Phi^-1(p) - sqrt(rho) Z) / sqrt(1 - rho));
// * as N grows, D / N has the Vasicek distribution, whose q-quantile is the
//   Basel IRB formula Phi((Phi^-1(p) + sqrt(rho) Phi^-1(q)) / sqrt(1 - rho));
// * with rho = 0, D ~ Binomial(N, p) on every path, independently.
//
// Every statistical assertion has its false-alarm rate stated next to it. With
// finite N the loss fraction is not exactly Vasicek; the exact finite-N law
// (a Binomial mixture) is computed by quadrature, and each test asserts both
// that the simulation matches it within Monte Carlo error and that it lies
// within a small fraction of the Monte Carlo error of the Vasicek limit.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include "kernels/metrics.hpp"
#include "kernels/special.hpp"
#include "src/config/config.hpp"
#include "src/engine/engine.hpp"
#include "src/analysis/risk.hpp"
#include "src/engine/factors.hpp"
#include "src/data/population.hpp"

using namespace limitsim;

namespace validation_test {

// ---------------------------------------------------------------- closed forms

constexpr double kPi = 3.14159265358979323846;

double norm_pdf(double x) { return std::exp(-0.5 * x * x) / std::sqrt(2.0 * kPi); }

// Default probability given the factor z (docs/model.md "1. Delinquency").
double conditional_pd(double p, double rho, double z) {
  return norm_cdf((norm_inv(p) - std::sqrt(rho) * z) / std::sqrt(1.0 - rho));
}

// The Vasicek (Basel IRB) q-quantile of the loss fraction.
double vasicek_quantile(double p, double rho, double q) {
  return norm_cdf((norm_inv(p) + std::sqrt(rho) * norm_inv(q)) / std::sqrt(1.0 - rho));
}

// P(D <= k) and P(D > k) for D ~ Binomial(n, p).
double binom_cdf(std::int64_t k, std::int64_t n, double p) {
  if (k < 0) return 0.0;
  if (k >= n) return 1.0;
  return beta_inc(static_cast<double>(n - k), static_cast<double>(k + 1), 1.0 - p);
}
double binom_sf(std::int64_t k, std::int64_t n, double p) {
  if (k < 0) return 1.0;
  if (k >= n) return 0.0;
  return beta_inc(static_cast<double>(k + 1), static_cast<double>(n - k), p);
}
double binom_pmf(std::int64_t k, std::int64_t n, double p) {
  return std::exp(std::lgamma(n + 1.0) - std::lgamma(k + 1.0) - std::lgamma(n - k + 1.0) + k * std::log(p) +
                  (n - k) * std::log1p(-p));
}

// Regularized upper incomplete gamma Q(a, x) (series below a + 1, continued
// fraction above): the chi-square survival function is Q(df / 2, x / 2).
double gamma_q(double a, double x) {
  if (x <= 0.0) return 1.0;
  const double lead = std::exp(-x + a * std::log(x) - std::lgamma(a));
  if (x < a + 1.0) {
    double sum = 1.0 / a, term = sum;
    for (int n = 1; n < 100000; ++n) {
      term *= x / (a + n);
      sum += term;
      if (std::fabs(term) < std::fabs(sum) * 1e-16) break;
    }
    return 1.0 - sum * lead;
  }
  constexpr double kTiny = 1e-300;
  double b = x + 1.0 - a, c = 1.0 / kTiny, d = 1.0 / b, h = d;
  for (int i = 1; i < 100000; ++i) {
    const double an = -i * (i - a);
    b += 2.0;
    d = an * d + b; if (std::fabs(d) < kTiny) d = kTiny;
    c = b + an / c; if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    const double del = d * c;
    h *= del;
    if (std::fabs(del - 1.0) < 1e-16) break;
  }
  return lead * h;
}
double chi_square_sf(double x, int df) { return gamma_q(0.5 * df, 0.5 * x); }

// Integral of f(z) phi(z) dz over the real line: the trapezoid rule on
// [-12, 12] with step 0.002. The integrands below are smooth in z (their
// sharpest feature, the Binomial CDF's step, is about 0.05 wide in z at
// N = 10,000), so the rule is accurate far below the tolerances used here; the
// tests check that the mixture's total probability comes out as 1.
template <class F>
double integrate_phi(F f) {
  constexpr double kLo = -12.0, kHi = 12.0, kH = 0.002;
  const int n = static_cast<int>((kHi - kLo) / kH + 0.5);
  double s = 0.0;
  for (int i = 0; i <= n; ++i) {
    const double z = kLo + i * kH;
    s += (i == 0 || i == n ? 0.5 : 1.0) * f(z) * norm_pdf(z);
  }
  return s * kH;
}

// The exact finite-N law of D: a Binomial(N, p(Z)) mixture over Z ~ N(0, 1).
struct Mixture {
  std::int64_t n;
  double p, rho;
  double cdf(std::int64_t k) const {  // P(D <= k)
    return integrate_phi([&](double z) { return binom_cdf(k, n, conditional_pd(p, rho, z)); });
  }
  // E[w 1{D > k}] under the original measure, w = exp(s Z + s^2 / 2) the
  // likelihood ratio of a mean shift -s of Z: the second moment E_Q[(w 1{D > k})^2]
  // of the importance-sampling estimator of P(D > k).
  double is_second_moment(std::int64_t k, double s) const {
    return integrate_phi(
        [&](double z) { return std::exp(s * z + 0.5 * s * s) * binom_sf(k, n, conditional_pd(p, rho, z)); });
  }
  // The smallest k with P(D <= k) >= q.
  std::int64_t quantile(double q) const {
    std::int64_t lo = 0, hi = n;
    while (lo < hi) {
      const std::int64_t mid = lo + (hi - lo) / 2;
      if (cdf(mid) >= q)
        hi = mid;
      else
        lo = mid + 1;
    }
    return lo;
  }
};

// ---------------------------------------------------------------- estimators

// The weighted quantile: the smallest observed loss x with
// (1/P) sum over paths with L_p > x of w_p <= 1 - q. With every w = 1 it is the
// order statistic L_(ceil(qP)), the summary table's VaR (src/analysis/summary.cpp).
double weighted_var(const std::vector<double>& loss, const std::vector<double>& w, double q) {
  const std::size_t n = loss.size();
  std::vector<std::size_t> idx(n);
  std::iota(idx.begin(), idx.end(), std::size_t{0});
  std::sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return loss[a] > loss[b]; });
  const double budget = (1.0 - q) * static_cast<double>(n) * (1.0 + 1e-12);  // 1e-12: 1 - q is not exact in binary
  double above = 0.0, var = std::numeric_limits<double>::quiet_NaN();
  for (std::size_t i = 0; i < n;) {
    const double x = loss[idx[i]];
    if (above > budget) break;
    var = x;
    for (; i < n && loss[idx[i]] == x; ++i) above += w[idx[i]];
  }
  return var;
}

// ---------------------------------------------------------------- running the shipped configs

std::string config_path(const char* name) { return std::string(LIMITSIM_SOURCE_DIR "/configs/validation/") + name; }

RunConfig load(const char* name, std::int64_t customers, int paths, std::optional<double> shift = std::nullopt) {
  RunConfig cfg = load_run_config(config_path(name));
  Overrides o;
  o.customers = customers;
  o.paths = paths;
  o.importance_shift = shift;
  apply_overrides(cfg, o);
  cfg.threads = 2;
  return cfg;
}

struct PathDefaults {
  std::vector<std::int64_t> d;  // charge-offs per path
  std::vector<double> w;        // path weights (1 without importance sampling)
  double seconds = 0.0;
};

// Runs cfg on 2 CPU threads and returns each path's number of charge-offs,
// checking on the way that every charge-off lost exactly 1.00 and that nothing
// else happened to the portfolio's loss.
PathDefaults run_defaults(const RunConfig& cfg) {
  const auto t0 = std::chrono::steady_clock::now();
  auto backend = make_cpu_backend(2);
  const RunResults r = run_simulation(cfg, *backend);
  PathDefaults out;
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(r.months, 1);
  EXPECT_EQ(r.combos.size(), 1u);
  for (int p = 0; p < r.paths; ++p) {
    const PortfolioRow row = r.portfolio_row(r.combos[0], p, 0);
    const std::int64_t d = row[kChargeoffCount];
    EXPECT_EQ(row[kChargeoffLoss], 100 * d) << "path " << p;
    EXPECT_EQ(row[kChargeoffExposure], 100 * d) << "path " << p;
    EXPECT_EQ(row[kChargeoffRecovery], 0) << "path " << p;
    out.d.push_back(d);
  }
  out.w = r.path_weight.empty() ? std::vector<double>(r.paths, 1.0) : r.path_weight;
  return out;
}

struct Case {
  const char* file;
  double p, rho;  // what the file must say (docs/validation.md quotes the same numbers)
};

// The file's p and rho, checked against the values the doc and comments quote.
void expect_case(const RunConfig& cfg, const Case& c) {
  const BehaviourParams& bp = cfg.behaviour.params;
  EXPECT_EQ(bp.roll[6], c.p) << c.file;
  EXPECT_EQ(bp.rho, c.rho) << c.file;
  EXPECT_EQ(cfg.months, 1) << c.file;
}

// ---------------------------------------------------------------- tests

// The construction the closed forms assume, checked on the shipped files: every
// account owes exactly 1.00 at 151-180 DPD, rolls with probability exactly p, and
// a roll is a charge-off of exactly 1.00. Also pins the shipped numbers.
TEST(Validation, ShippedConfigsBuildTheHomogeneousOnePeriodPortfolio) {
  const Case cases[] = {{"vasicek_p01_rho12.toml", 0.01, 0.12},    {"vasicek_p05_rho04.toml", 0.05, 0.04},
                        {"vasicek_p02_rho15.toml", 0.02, 0.15},    {"binomial_p05.toml", 0.05, 0.0},
                        {"vasicek_p01_rho12_is.toml", 0.01, 0.12}};
  for (const Case& c : cases) {
    const RunConfig cfg = load_run_config(config_path(c.file));
    expect_case(cfg, c);
    const BehaviourParams& bp = cfg.behaviour.params;
    EXPECT_EQ(cfg.population.customers, 10000) << c.file;
    EXPECT_EQ(bp.chargeoff_bucket, 6) << c.file;
    EXPECT_EQ(bp.cure[6], 0.0) << c.file;
    EXPECT_EQ(bp.roll_beta_risk, 0.0) << c.file;
    EXPECT_EQ(bp.roll_beta_util, 0.0) << c.file;
    EXPECT_EQ(bp.apr, 0.0) << c.file;
    EXPECT_EQ(bp.late_fee, 0) << c.file;
    EXPECT_EQ(bp.lgd_mode, LgdMode::kFixed) << c.file;
    EXPECT_EQ(bp.lgd, 1.0) << c.file;
    ASSERT_EQ(cfg.policies.size(), 1u);
    EXPECT_EQ(cfg.policies[0].params.n_price_bands, 0) << c.file;  // the behaviour's apr (0) applies
    EXPECT_EQ(cfg.policies[0].params.freeze_bucket, 0) << c.file;
    ASSERT_EQ(cfg.scenarios.size(), 1u);
    const ScenarioMonth& m = cfg.scenarios[0].months[0];
    EXPECT_EQ(m.factor_shift, 0.0);
    EXPECT_EQ(m.roll_mult, 1.0);
    EXPECT_EQ(m.lgd_mult, 1.0);
    EXPECT_EQ(m.shock_prob, 0.0);
    EXPECT_EQ(cfg.importance_shift, std::string(c.file).find("_is") != std::string::npos ? norm_inv(0.999) : 0.0)
        << c.file;
  }

  RunConfig cfg = load("vasicek_p01_rho12.toml", 3000, 40);
  const Population pop = generate_population(cfg.population, cfg.seed, 0, cfg.population.customers, 2);
  for (std::int64_t i = 0; i < pop.size(); ++i) {
    ASSERT_EQ(pop.limit[i], 100) << "customer " << i;
    ASSERT_EQ(pop.balance[i], 100) << "customer " << i;
    ASSERT_EQ(pop.bucket[i], 6) << "customer " << i;
    ASSERT_GE(pop.months_on_book[i], 1) << "customer " << i;
    ASSERT_EQ(pop.segment[i], 0) << "customer " << i;
  }
  auto backend = make_cpu_backend(2);
  const RunResults r = run_simulation(cfg, *backend);
  ASSERT_EQ(r.segments, 1);
  std::int64_t defaults = 0;
  for (int p = 0; p < r.paths; ++p) {
    const PortfolioRow row = r.portfolio_row(r.combos[0], p, 0);
    EXPECT_EQ(row[kChargeoffLoss], 100 * row[kChargeoffCount]);
    EXPECT_EQ(row[kChargeoffExposure], 100 * row[kChargeoffCount]);
    EXPECT_EQ(row[kInterest] + row[kFees], 0);
    EXPECT_EQ(row[kActive] + row[kChargeoffCount], 3000);  // no attrition: the rest stay open, at 151-180 DPD
    EXPECT_EQ(row[kBucketCount0 + 6], row[kActive]);
    EXPECT_EQ(r.path_weight[p], 1.0);
    defaults += row[kChargeoffCount];
  }
  // The mean default rate is p: a loose check (the tests below are the precise
  // ones). Over 40 paths its sd is about 0.0108 / sqrt(40) = 0.0017 (the
  // loss fraction's sd is 0.0108 at p = 0.01, rho = 0.12); 0.007 is 4 sd.
  EXPECT_NEAR(static_cast<double>(defaults) / (3000.0 * r.paths), 0.01, 0.007);
}

// Plain Monte Carlo against Vasicek, for one (p, rho) at q = 0.95, 0.99, 0.999.
//
// For each q, with x_q the Vasicek quantile and k_q = floor(N x_q):
//  (a) exact: the number C of paths with D <= k_q is Binomial(P, F_N), F_N =
//      P(D <= k_q) from the finite-N mixture; assert |C - P F_N| <= 4 sd
//      (false alarm 6e-5 per check);
//  (b) granularity: |F_N - q| <= 0.5 sd_q, sd_q = sqrt(q (1 - q) / P): the finite
//      portfolio's distance from the Vasicek limit is small next to the MC error;
//  (c) closed form: the distribution-free order-statistic interval for the
//      q-quantile, ranks P q -/+ 4.5 sqrt(P q (1 - q)), contains x_q, i.e. the
//      simulated quantile equals the Vasicek one within Monte Carlo error. (a)
//      and (b) imply (c); it is asserted in the form a user reads off a table.
void check_vasicek_plain(const Case& c, std::int64_t customers, int paths) {
  const RunConfig cfg = load(c.file, customers, paths);
  expect_case(cfg, c);
  const PathDefaults run = run_defaults(cfg);
  const Mixture mix{customers, c.p, c.rho};
  EXPECT_NEAR(mix.cdf(customers), 1.0, 1e-9);  // the quadrature's total probability
  std::vector<std::int64_t> sorted = run.d;
  std::sort(sorted.begin(), sorted.end());
  std::vector<double> loss(run.d.size());
  for (std::size_t i = 0; i < loss.size(); ++i) loss[i] = static_cast<double>(run.d[i]) / customers;
  std::printf("[ %s ] N = %lld, P = %d, p = %g, rho = %g: %.1f s\n", c.file, static_cast<long long>(customers), paths,
              c.p, c.rho, run.seconds);
  const double P = paths;
  for (double q : {0.95, 0.99, 0.999}) {
    const double xq = vasicek_quantile(c.p, c.rho, q);
    const auto kq = static_cast<std::int64_t>(std::floor(customers * xq));
    const double fn = mix.cdf(kq);
    const std::int64_t count = std::count_if(run.d.begin(), run.d.end(), [&](std::int64_t d) { return d <= kq; });
    const double sd_n = std::sqrt(P * fn * (1.0 - fn));
    const double sd_q = std::sqrt(q * (1.0 - q) / P);
    EXPECT_LE(std::fabs(count - P * fn), 4.0 * sd_n) << c.file << " q " << q;
    EXPECT_LE(std::fabs(fn - q), 0.5 * sd_q) << c.file << " q " << q << ": N too small for the Vasicek limit";
    const double half = 4.5 * std::sqrt(P * q * (1.0 - q));
    const auto lo = static_cast<std::int64_t>(std::floor(P * q - half));
    const auto hi = static_cast<std::int64_t>(std::ceil(P * q + half)) + 1;
    const double x_lo = lo >= 1 ? static_cast<double>(sorted[lo - 1]) / customers : 0.0;
    const double x_hi = hi <= paths ? static_cast<double>(sorted[hi - 1]) / customers : 1.0;
    EXPECT_LE(x_lo, xq) << c.file << " q " << q;
    EXPECT_GE(x_hi, xq) << c.file << " q " << q;
    const double var = weighted_var(loss, run.w, q);
    const auto rank = static_cast<std::int64_t>(std::ceil(q * P - 1e-9));
    EXPECT_EQ(var, static_cast<double>(sorted[rank - 1]) / customers);  // unweighted: the order statistic
    std::printf(
        "  q %.3f: VaR %.5f (%lld defaults)  Vasicek %.5f (%.1f)  finite-N %.5f  | paths <= x_q %lld, expected "
        "%.1f (finite N) %.1f (Vasicek), sd %.1f  | 4.5-sd order-statistic interval [%.5f, %.5f]\n",
        q, var, static_cast<long long>(var * customers + 0.5), xq, xq * customers,
        static_cast<double>(mix.quantile(q)) / customers, static_cast<long long>(count), P * fn, P * q, sd_n, x_lo,
        x_hi);
  }
}

// N = 5,000 accounts keeps the finite-N probabilities F_N within 0.35 MC sd of
// the Vasicek levels q at P = 4,000 paths (assertion (b); the worst case is
// p = 0.05, rho = 0.04 at q = 0.95: F_N - q = -1.0e-3 against sd 3.4e-3).
// 2e7 customer-months each.
constexpr std::int64_t kPlainCustomers = 5000;
constexpr int kPlainPaths = 4000;

TEST(Validation, VasicekQuantilesP01Rho12) {
  check_vasicek_plain({"vasicek_p01_rho12.toml", 0.01, 0.12}, kPlainCustomers, kPlainPaths);
}
TEST(Validation, VasicekQuantilesP05Rho04) {
  check_vasicek_plain({"vasicek_p05_rho04.toml", 0.05, 0.04}, kPlainCustomers, kPlainPaths);
}
TEST(Validation, VasicekQuantilesP02Rho15) {
  check_vasicek_plain({"vasicek_p02_rho15.toml", 0.02, 0.15}, kPlainCustomers, kPlainPaths);
}

// rho = 0: the copula is u < p, so each path's D is Binomial(N, p), independent
// across paths. N = 2,000, p = 0.05 (mean 100, sd 9.7), P = 5,000 paths.
//
//  * Chi-square goodness of fit over bins of consecutive counts, each with an
//    expected count of at least 20 (tails merged), df = bins - 1 (no parameter
//    is estimated). Threshold: p-value >= 1e-4. Under the null the p-value is
//    uniform, so a correct simulator fails for 1 seed in 10,000; the power is
//    printed: a 2% error in p (0.051) would give an expected chi-square of
//    about 260 on 47 df, far past the critical value (91.8).
//  * Mean: |mean D - N p| <= 4 sd / sqrt(P).
//  * Dispersion: var(D) / (N p (1 - p)) within 1 -/+ 4 sqrt(2 / (P - 1)) (= 0.08).
//    Any correlation left over at rho = 0 inflates this ratio by 1 + (N - 1) c,
//    c the default correlation, so c above 4e-5 (asset correlation ~2e-4) fails.
TEST(Validation, DefaultsAreBinomialWithoutCorrelation) {
  constexpr std::int64_t N = 2000;
  constexpr int P = 5000;
  const RunConfig cfg = load("binomial_p05.toml", N, P);
  const double p = cfg.behaviour.params.roll[6];
  ASSERT_EQ(p, 0.05);
  ASSERT_EQ(cfg.behaviour.params.rho, 0.0);
  const PathDefaults run = run_defaults(cfg);

  // Bins: consecutive counts, each closed once its expected count reaches 20;
  // the remainder (upper tail) joins the last bin.
  constexpr double kMinExpected = 20.0;
  std::vector<std::int64_t> upper;  // bin b holds counts (upper[b-1], upper[b]]
  std::vector<double> prob;
  double acc = 0.0;
  for (std::int64_t k = 0; k <= N; ++k) {
    acc += binom_pmf(k, N, p);
    if (acc * P >= kMinExpected) {
      upper.push_back(k);
      prob.push_back(acc);
      acc = 0.0;
    }
  }
  upper.back() = N;
  prob.back() += acc;
  std::vector<double> observed(upper.size(), 0.0);
  for (std::int64_t d : run.d)
    ++observed[std::lower_bound(upper.begin(), upper.end(), d) - upper.begin()];
  double chi2 = 0.0, sum_prob = 0.0;
  for (std::size_t b = 0; b < upper.size(); ++b) {
    const double e = prob[b] * P;
    chi2 += (observed[b] - e) * (observed[b] - e) / e;
    sum_prob += prob[b];
  }
  EXPECT_NEAR(sum_prob, 1.0, 1e-9);
  const int df = static_cast<int>(upper.size()) - 1;
  const double pvalue = chi_square_sf(chi2, df);
  // Power: the expected chi-square if the true p were 2% higher.
  double shifted = static_cast<double>(df);
  for (std::size_t b = 0; b < upper.size(); ++b) {
    const std::int64_t below = b == 0 ? -1 : upper[b - 1];
    const double p1 = binom_cdf(upper[b], N, 1.02 * p) - binom_cdf(below, N, 1.02 * p);
    shifted += P * (p1 - prob[b]) * (p1 - prob[b]) / prob[b];
  }
  EXPECT_GE(pvalue, 1e-4) << "chi-square " << chi2 << " on " << df << " df";

  double mean = 0.0, m2 = 0.0;
  for (std::int64_t d : run.d) mean += static_cast<double>(d);
  mean /= P;
  for (std::int64_t d : run.d) m2 += (d - mean) * (d - mean);
  const double var = m2 / (P - 1.0);
  const double bvar = N * p * (1.0 - p);
  EXPECT_NEAR(mean, N * p, 4.0 * std::sqrt(bvar / P));
  EXPECT_NEAR(var / bvar, 1.0, 4.0 * std::sqrt(2.0 / (P - 1.0)));
  std::printf(
      "[ binomial_p05.toml ] N = %lld, P = %d, p = %g, rho = 0: %.1f s\n  chi-square %.1f on %d df, p-value %.3f "
      "(threshold 1e-4; expected chi-square %.0f if p were 2%% higher)\n  mean %.3f (N p = %.1f)  variance ratio "
      "%.4f (1 -/+ %.4f)\n",
      static_cast<long long>(N), P, p, run.seconds, chi2, df, pvalue, shifted, mean, N * p, var / bvar,
      4.0 * std::sqrt(2.0 / (P - 1.0)));
}

// Importance sampling: the factor's mean is shifted by -s, s = Phi^-1(0.999),
// and each path carries the likelihood ratio w = exp(s Z + s^2 / 2)
// (src/engine/factors.cpp). With the weighted estimators, the same closed-form
// quantiles must come out, at P = 2,000 paths (half the plain tests' 4,000),
// with a much smaller variance.
//
// For q = 0.99, 0.999, 0.9999, with k_q = floor(N x_q) and the tail estimator
// T = (1/P) sum w_p 1{D_p > k_q}:
//  * its exact standard error se follows from the mixture by quadrature
//    (E_Q[(w 1)^2] = E[w 1{D > k_q}]); the sample se must agree within 25%;
//  (a) exact: |T - (1 - F_N)| <= 4 se;
//  (b) granularity: |F_N - q| <= 0.5 se;
//  (c) closed form: the weighted VaR (the test's weighted_var) lies between the
//      Vasicek quantiles at the levels q -/+ 4.5 se, i.e. within Monte Carlo
//      error of x_q (the dual of |T(x) - (1 - q)| <= 4.5 se).
// Variance reduction at q = 0.999: plain sampling's variance of the tail
// estimator per path is q (1 - q); the measured IS variance must be at least 5x
// smaller (the printed ratio is ~280x). The weighted VaR's spread over 10
// batches of 200 paths is also printed against plain sampling's delta-method sd.
TEST(Validation, ImportanceSamplingMatchesVasicekAtFewerPaths) {
  constexpr std::int64_t N = 10000;  // at 5,000 the granularity would be 0.6 se at q = 0.999
  constexpr int P = 2000;
  const Case c{"vasicek_p01_rho12_is.toml", 0.01, 0.12};
  const RunConfig cfg = load(c.file, N, P);
  expect_case(cfg, c);
  const double s = cfg.importance_shift;
  ASSERT_EQ(s, norm_inv(0.999));
  const PathDefaults run = run_defaults(cfg);
  // The weights are the factor draws' likelihood ratios, not all 1.
  const FactorDraws f = systematic_factors(cfg.seed, P, 1, factor_model(cfg));
  ASSERT_EQ(run.w, f.weight);
  for (int i = 0; i < P; ++i) ASSERT_NEAR(run.w[i], std::exp(s * f.z[i] + 0.5 * s * s), 1e-12 * run.w[i]);

  const Mixture mix{N, c.p, c.rho};
  std::vector<double> loss(P);
  for (int i = 0; i < P; ++i) loss[i] = static_cast<double>(run.d[i]) / N;
  std::printf("[ %s ] N = %lld, P = %d, p = %g, rho = %g, shift %.4f: %.1f s\n", c.file, static_cast<long long>(N), P,
              c.p, c.rho, s, run.seconds);
  for (double q : {0.99, 0.999, 0.9999}) {
    const double xq = vasicek_quantile(c.p, c.rho, q);
    const auto kq = static_cast<std::int64_t>(std::floor(N * xq));
    const double fn = mix.cdf(kq);
    const double tail = 1.0 - fn;
    const double se = std::sqrt((mix.is_second_moment(kq, s) - tail * tail) / P);
    double t = 0.0, t2 = 0.0;
    for (int i = 0; i < P; ++i) {
      const double y = run.d[i] > kq ? run.w[i] : 0.0;
      t += y;
      t2 += y * y;
    }
    t /= P;
    const double se_sample = std::sqrt((t2 / P - t * t) / (P - 1.0));
    EXPECT_NEAR(se_sample / se, 1.0, 0.25) << "q " << q;
    EXPECT_LE(std::fabs(t - tail), 4.0 * se) << "q " << q;
    EXPECT_LE(std::fabs(fn - q), 0.5 * se) << "q " << q << ": N too small for the Vasicek limit";
    EXPECT_LE(std::fabs(t - (1.0 - q)), 4.5 * se) << "q " << q;
    const double var = weighted_var(loss, run.w, q);
    const double x_lo = vasicek_quantile(c.p, c.rho, q - 4.5 * se);
    const double x_hi = vasicek_quantile(c.p, c.rho, std::min(q + 4.5 * se, 1.0 - 1e-15));
    EXPECT_GE(var, x_lo) << "q " << q;
    EXPECT_LE(var, x_hi) << "q " << q;
    const double plain_var = q * (1.0 - q), is_var = se_sample * se_sample * P;
    std::printf(
        "  q %.4f: weighted VaR %.5f (%lld defaults)  Vasicek %.5f (%.1f)  finite-N %.5f  | tail %.3e (finite N "
        "%.3e, Vasicek %.1e) se %.2e (sample %.2e)  | interval [%.5f, %.5f]\n"
        "            variance of the tail estimator per path: plain %.3e, IS %.3e: reduction %.0fx (exact %.0fx); "
        "plain would need %.0f paths\n",
        q, var, static_cast<long long>(var * N + 0.5), xq, xq * N, static_cast<double>(mix.quantile(q)) / N, t, tail,
        1.0 - q, se, se_sample, x_lo, x_hi, plain_var, is_var, plain_var / is_var,
        fn * (1.0 - fn) / (se * se * P), P * plain_var / is_var);
    if (q == 0.999) {
      EXPECT_GE(plain_var / is_var, 5.0);
      // The reporting estimator (src/analysis/risk.cpp, what `limitsim summary` prints) gives the same weighted VaR.
      const LossRisk reported = loss_risk(loss, run.w, 200);
      ASSERT_TRUE(reported.weighted);
      EXPECT_EQ(reported.tail[2].level, 0.999);
      EXPECT_EQ(reported.tail[2].var, var);
    }
  }

  // Spread of the weighted 99.9% VaR over 10 batches of 200 paths, against
  // plain sampling's delta-method sd of the quantile at 200 paths,
  // sqrt(q (1 - q) / 200) / f(x_q), f the Vasicek density.
  constexpr int kBatches = 10, kPerBatch = P / kBatches;
  const double q = 0.999, xq = vasicek_quantile(c.p, c.rho, q);
  std::vector<double> vars;
  for (int b = 0; b < kBatches; ++b) {
    const std::vector<double> lb(loss.begin() + b * kPerBatch, loss.begin() + (b + 1) * kPerBatch);
    const std::vector<double> wb(run.w.begin() + b * kPerBatch, run.w.begin() + (b + 1) * kPerBatch);
    vars.push_back(weighted_var(lb, wb, q));
  }
  const double m = std::accumulate(vars.begin(), vars.end(), 0.0) / kBatches;
  double ss = 0.0;
  for (double v : vars) ss += (v - m) * (v - m);
  const double sd_is = std::sqrt(ss / (kBatches - 1));
  const double w_star = (std::sqrt(1.0 - c.rho) * norm_inv(xq) - norm_inv(c.p)) / std::sqrt(c.rho);
  const double density = norm_pdf(w_star) * std::sqrt((1.0 - c.rho) / c.rho) / norm_pdf(norm_inv(xq));
  const double sd_plain = std::sqrt(q * (1.0 - q) / kPerBatch) / density;
  std::printf(
      "  99.9%% VaR over %d batches of %d paths: mean %.5f, sd %.5f (IS) vs %.5f (plain, delta method): variance "
      "ratio %.0fx\n",
      kBatches, kPerBatch, m, sd_is, sd_plain, sd_plain * sd_plain / (sd_is * sd_is));
  EXPECT_NEAR(m, xq, 4.5 * sd_is / std::sqrt(kBatches) + 1.0 / N);
  EXPECT_GE(sd_plain * sd_plain / (sd_is * sd_is), 5.0);
}

}  // namespace validation_test
