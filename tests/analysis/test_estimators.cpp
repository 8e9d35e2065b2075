// The estimators of limitsim calibrate (src/analysis/estimators.cpp): Wilson intervals against hand-computed values,
// and the logistic regression on synthetic data with known coefficients, separation and collinearity.
#include <gtest/gtest.h>

#include "tests/analysis/calibrate_fixture.hpp"

namespace limitsim {
namespace {

using namespace calibrate_test;

// ------------------------------------------------------------ 1. Wilson

// Hand-computed with z = 1.959963985 (z^2 = 3.841458821), n trials, p = events / n:
//   center = (p + z^2/2n) / (1 + z^2/n), half = z sqrt(p(1-p)/n + z^2/4n^2) / (1 + z^2/n)
//   10 / 100: center = 0.11479740, half = 0.05956826 -> [0.05522914, 0.17436566]
//   0 / 20:   [0, (z^2/20) / (1 + z^2/20)] = [0, 0.16112516]
//   20 / 20:  [1 - 0.16112516, 1] = [0.83887484, 1]
//   3 / 7:    center = 0.45388075, half = 0.29566089 -> [0.15821986, 0.74954164]
TEST(CalibWilson, MatchesHandComputedIntervals) {
  const Rate a = wilson(10, 100);
  EXPECT_EQ(a.events, 10);
  EXPECT_EQ(a.trials, 100);
  EXPECT_DOUBLE_EQ(a.p, 0.1);
  EXPECT_NEAR(a.lo, 0.05522914, 1e-8);
  EXPECT_NEAR(a.hi, 0.17436566, 1e-8);

  const Rate none = wilson(0, 20);
  EXPECT_EQ(none.p, 0.0);
  EXPECT_EQ(none.lo, 0.0);
  EXPECT_NEAR(none.hi, 0.16112516, 1e-8);

  const Rate all = wilson(20, 20);
  EXPECT_EQ(all.p, 1.0);
  EXPECT_NEAR(all.lo, 0.83887484, 1e-8);
  EXPECT_EQ(all.hi, 1.0);

  const Rate odd = wilson(3, 7);
  EXPECT_NEAR(odd.lo, 0.15821986, 1e-8);
  EXPECT_NEAR(odd.hi, 0.74954164, 1e-8);

  const Rate empty = wilson(0, 0);  // nothing is known
  EXPECT_EQ(empty.p, 0.0);
  EXPECT_EQ(empty.lo, 0.0);
  EXPECT_EQ(empty.hi, 1.0);
}

// ------------------------------------------------------------ 3. logistic regression

// The inverse of a symmetric 3 x 3 matrix by cofactors.
std::array<double, 9> inverse3(const std::array<double, 9>& m) {
  const double a = m[0], b = m[1], c = m[2], d = m[3], e = m[4], f = m[5], g = m[6], h = m[7], i = m[8];
  const double det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  return {(e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det,
          (f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det,
          (d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det};
}

TEST(CalibLogit, RecoversKnownCoefficientsWithAnalyticStandardErrors) {
  const std::array<double, 3> truth = {-2.0, 0.8, 1.2};
  const std::size_t n = 100000;
  std::mt19937_64 gen(20261123);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::vector<double> x;
  std::vector<std::uint8_t> y;
  std::array<double, 9> info{};  // sum of p(1-p) x x' at the true coefficients
  for (std::size_t r = 0; r < n; ++r) {
    const double row[3] = {1.0, normal(gen), -0.5 + 1.5 * uniform(gen)};
    const double p = logistic(truth[0] + truth[1] * row[1] + truth[2] * row[2]);
    x.insert(x.end(), row, row + 3);
    y.push_back(uniform(gen) < p ? 1 : 0);
    for (int a = 0; a < 3; ++a)
      for (int b = 0; b < 3; ++b) info[static_cast<std::size_t>(3 * a + b)] += p * (1 - p) * row[a] * row[b];
  }
  const LogitFit f = fit_logistic(x, 3, y);
  ASSERT_TRUE(f.ok) << f.failure;
  ASSERT_EQ(f.coef.size(), 3u);
  EXPECT_LT(f.iterations, 15);
  const std::array<double, 9> cov = inverse3(info);
  for (std::size_t j = 0; j < 3; ++j) {
    const double analytic = std::sqrt(cov[4 * j]);
    EXPECT_NEAR(f.coef[j].value, truth[j], 3 * f.coef[j].se) << "coefficient " << j;
    EXPECT_NEAR(f.coef[j].se / analytic, 1.0, 0.05) << "coefficient " << j << ": se " << f.coef[j].se
                                                    << " vs analytic " << analytic;
  }
  // At the maximum the score is zero: refitting from the data gives the same.
  EXPECT_LT(f.log_likelihood, 0.0);
}

TEST(CalibLogit, ReportsSeparationCollinearityAndDegenerateOutcomes) {
  std::mt19937_64 gen(7);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<double> x, collinear;
  std::vector<std::uint8_t> separated, mixed, zeros;
  for (int r = 0; r < 1000; ++r) {
    const double v = normal(gen);
    x.insert(x.end(), {1.0, v});
    collinear.insert(collinear.end(), {1.0, v, 2.0 * v});
    separated.push_back(v > 0 ? 1 : 0);
    mixed.push_back(r % 3 == 0 ? 1 : 0);
    zeros.push_back(0);
  }
  const LogitFit sep = fit_logistic(x, 2, separated);
  EXPECT_FALSE(sep.ok);
  EXPECT_FALSE(sep.failure.empty());
  const LogitFit col = fit_logistic(collinear, 3, mixed);
  EXPECT_FALSE(col.ok);
  EXPECT_NE(col.failure.find("singular"), std::string::npos) << col.failure;
  const LogitFit none = fit_logistic(x, 2, zeros);
  EXPECT_FALSE(none.ok);
  EXPECT_EQ(none.failure, "no events");
  EXPECT_THROW(fit_logistic(x, 3, mixed), std::invalid_argument);
  // The intercept-only fit of 1 in 3 is logit(1/3) with se sqrt(1 / (n p (1-p))).
  const LogitFit ok = fit_logistic(std::vector<double>(1000, 1.0), 1, mixed);
  ASSERT_TRUE(ok.ok) << ok.failure;
  const double p = 334.0 / 1000.0;
  EXPECT_NEAR(ok.coef[0].value, std::log(p / (1 - p)), 1e-9);
  EXPECT_NEAR(ok.coef[0].se, std::sqrt(1.0 / (1000 * p * (1 - p))), 1e-9);
}

}  // namespace
}  // namespace limitsim
