// One-year validation of the correlation horizon (docs/validation.md, "One year"): the homogeneous 12-month
// book of configs/validation/vasicek_annual_p04_rho04.toml (one-year PD 4% from a constant monthly hazard,
// rho = 0.04) against the Vasicek / Basel IRB one-year quantile. With rho_horizon_months = 12 the simulated
// 99.9% loss over the expected loss must be within 15% of the closed-form ratio, 3.096; with a new factor
// every month (rho_horizon_months = 1) it is far below it, which is what the horizon corrects.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <vector>

#include "kernels/metrics.hpp"
#include "kernels/special.hpp"
#include "src/analysis/risk.hpp"
#include "src/config/config.hpp"
#include "src/engine/engine.hpp"

using namespace limitsim;

namespace {

constexpr double kPd = 0.04, kRho = 0.04;

struct Book {
  std::vector<double> loss;  // per path: loss fraction of the book over months 1-13
  std::vector<double> w;     // path weights
};

Book run(int horizon, std::int64_t customers, int paths, double shift) {
  RunConfig cfg = load_run_config(LIMITSIM_SOURCE_DIR "/configs/validation/vasicek_annual_p04_rho04.toml");
  Overrides o;
  o.customers = customers;
  o.paths = paths;
  o.importance_shift = shift;
  apply_overrides(cfg, o);
  cfg.behaviour.params.rho_horizon_months = horizon;
  auto backend = make_cpu_backend(2);
  const RunResults r = run_simulation(cfg, *backend);
  Book b;
  b.w = r.path_weight.empty() ? std::vector<double>(static_cast<std::size_t>(paths), 1.0) : r.path_weight;
  for (int p = 0; p < r.paths; ++p) {
    std::int64_t cents = 0, count = 0;
    for (int t = 0; t < r.months; ++t) {
      cents += r.portfolio(r.combos[0], p, t, kChargeoffLoss);
      count += r.portfolio(r.combos[0], p, t, kChargeoffCount);
    }
    EXPECT_EQ(cents, 100 * count);  // every default loses exactly 1.00
    b.loss.push_back(static_cast<double>(count) / static_cast<double>(customers));
  }
  return b;
}

TEST(ValidationAnnual, ATwelveMonthBookHasTheBaselOneYearTailAtTheDefaultHorizon) {
  const RunConfig shipped = load_run_config(LIMITSIM_SOURCE_DIR "/configs/validation/vasicek_annual_p04_rho04.toml");
  ASSERT_EQ(shipped.behaviour.params.rho_horizon_months, 12);
  ASSERT_EQ(shipped.behaviour.params.rho, kRho);
  ASSERT_NEAR(1.0 - std::pow(1.0 - shipped.behaviour.params.roll[1], 12.0), kPd, 1e-15);
  const double closed = norm_cdf((norm_inv(kPd) + std::sqrt(kRho) * norm_inv(0.999)) / std::sqrt(1.0 - kRho)) / kPd;

  // Expected loss from plain paths: the one-year PD, 4%, within 4 standard errors (false alarm ~6e-5).
  const Book plain = run(12, 2000, 200, 0.0);
  const LossRisk el = loss_risk(plain.loss, plain.w, 200);
  EXPECT_NEAR(el.expected_loss.value, kPd, 4.0 * el.expected_loss.se);
  // The 99.9% loss from the importance-sampled paths of the shipped config.
  const Book tail = run(12, 2000, 1000, 3.09);
  const LossRisk var = loss_risk(tail.loss, tail.w, 200);
  ASSERT_EQ(var.tail[2].level, 0.999);
  const double ratio = var.tail[2].var / el.expected_loss.value;
  std::printf("  one-year horizon: EL %.4f +- %.4f, VaR 99.9%% %.4f: ratio %.3f (Vasicek / Basel IRB %.3f)\n",
              el.expected_loss.value, el.expected_loss.se, var.tail[2].var, ratio, closed);
  EXPECT_NEAR(ratio / closed, 1.0, 0.15);

  // A new factor every month: the monthly events average out over the year and the tail is too thin.
  const Book monthly = run(1, 1000, 500, 3.09);
  const double monthly_ratio = loss_risk(monthly.loss, monthly.w, 200).tail[2].var / kPd;
  std::printf("  monthly factors: VaR 99.9%% / EL %.3f\n", monthly_ratio);
  EXPECT_LT(monthly_ratio, 0.75 * closed);
}

}  // namespace
