// The Student-t quantile (src/analysis/risk.hpp, used by the comparison's intervals) against table values and
// closed forms.
#include <gtest/gtest.h>

#include <cmath>

#include "src/analysis/risk.hpp"

namespace limitsim {
namespace {

constexpr double kTol = 1e-9;
const double kPi = std::acos(-1.0);

// ---------------------------------------------------------------- Student t

TEST(StudentT, QuantileMatchesTableValues) {
  // Printed tables (two-sided 95%, 3 decimals).
  EXPECT_NEAR(student_t_quantile(0.975, 1), 12.706, 5e-4);
  EXPECT_NEAR(student_t_quantile(0.975, 4), 2.776, 5e-4);
  EXPECT_NEAR(student_t_quantile(0.975, 30), 2.042, 5e-4);
  EXPECT_NEAR(student_t_quantile(0.975, 1e6), 1.960, 5e-4);
  EXPECT_NEAR(student_t_quantile(0.975, 1e6), 1.959966, 2e-6);  // the normal quantile is 1.959964
  // More digits.
  EXPECT_NEAR(student_t_quantile(0.975, 4), 2.7764451051977934, kTol);
  EXPECT_NEAR(student_t_quantile(0.975, 29), 2.0452296421327034, kTol);
  EXPECT_NEAR(student_t_quantile(0.975, 30), 2.0422724563012373, kTol);
  EXPECT_NEAR(student_t_quantile(0.995, 10), 3.1692726726169518, kTol);
}

TEST(StudentT, QuantileMatchesClosedForms) {
  // df = 1 (Cauchy): tan(pi (p - 1/2)); df = 2: (2p - 1) / sqrt(2 p (1 - p)).
  for (double p : {0.6, 0.9, 0.975, 0.999}) {
    EXPECT_NEAR(student_t_quantile(p, 1), std::tan(kPi * (p - 0.5)), 1e-9 * std::tan(kPi * (p - 0.5))) << p;
    EXPECT_NEAR(student_t_quantile(p, 2), (2 * p - 1) / std::sqrt(2 * p * (1 - p)), kTol) << p;
  }
  EXPECT_NEAR(student_t_quantile(0.975, 2), 4.302652729749464, kTol);
  // Odd df: F(t) = 1/2 + (th + sin th cos th (1 + 2/3 c + 8/15 c^2 ...)) / pi, th = atan(t / sqrt(df)),
  // c = cos^2 th (the series has (df - 1) / 2 terms). The quantile must solve it.
  auto odd_cdf = [](double t, int df) {
    const double th = std::atan(t / std::sqrt(static_cast<double>(df))), c = std::cos(th) * std::cos(th);
    double term = 1.0, series = 0.0;
    for (int k = 1; k <= (df - 1) / 2; ++k) {
      series += term;
      term *= c * (2.0 * k) / (2.0 * k + 1.0);
    }
    return 0.5 + (th + std::sin(th) * std::cos(th) * series) / kPi;
  };
  for (int df : {3, 5, 7, 9})
    for (double p : {0.8, 0.975, 0.995}) EXPECT_NEAR(odd_cdf(student_t_quantile(p, df), df), p, 1e-14) << df << " " << p;
  EXPECT_NEAR(student_t_quantile(0.975, 5), 2.570581835636314, kTol);
  EXPECT_NEAR(student_t_quantile(0.975, 7), 2.3646242515927827, kTol);
}

TEST(StudentT, QuantileInvertsTheCdfAndIsSymmetric) {
  for (double df : {1.0, 2.5, 7.0, 29.0, 1000.0, 250000.0})
    for (double p : {0.01, 0.2, 0.5, 0.9, 0.975}) {
      const double t = student_t_quantile(p, df);
      EXPECT_NEAR(student_t_cdf(t, df), p, 1e-12) << "df " << df << " p " << p;
      EXPECT_NEAR(student_t_quantile(1 - p, df), -t, 1e-9 * std::max(1.0, std::fabs(t))) << df << " " << p;
    }
  EXPECT_NEAR(student_t_cdf(1.0, 1), 0.75, 1e-14);  // 1/2 + atan(1)/pi
  EXPECT_EQ(student_t_quantile(0.5, 3), 0.0);
  EXPECT_TRUE(std::isnan(student_t_quantile(0.975, 0)));
  EXPECT_TRUE(std::isnan(student_t_quantile(1.0, 5)));
  EXPECT_TRUE(std::isnan(student_t_quantile(0.0, 5)));
  EXPECT_TRUE(std::isnan(student_t_quantile(0.975, std::nan(""))));
}

}  // namespace
}  // namespace limitsim
