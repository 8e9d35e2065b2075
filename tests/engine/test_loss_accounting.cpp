// The exact integer identities of the charge-off accounting on whole runs, with every behaviour lever of
// issue 14 on: money in = money out for every (path, month, segment) cell, charge-off = loss + eventual
// recovery, and every recovery collected along the curve adds up to the one booked at charge-off.
#include <gtest/gtest.h>

#include <cmath>

#include "kernels/reduce.hpp"
#include "src/config/config.hpp"
#include "src/data/population.hpp"
#include "src/engine/engine.hpp"
#include "src/engine/trace.hpp"

using namespace limitsim;

namespace {

constexpr int kCurve = 4;  // recovery curve length, months
const double kCum[kCurve] = {0.0, 0.5, 0.8, 1.0};  // share of the recovery collected by the k-th month

// The shipped policies under a stress scenario, with reversals over 6 months, recoveries over 4 months
// (none in the charge-off month), partial cures, authorisation declines and the borrowing response.
RunConfig levers_config(std::int64_t customers, int paths, int months) {
  RunConfig cfg = load_run_config(LIMITSIM_SOURCE_DIR "/configs/stress_test.toml");
  Overrides o;
  o.customers = customers;
  o.paths = paths;
  o.months = months;
  apply_overrides(cfg, o);
  cfg.scenarios.erase(cfg.scenarios.begin() + 1, cfg.scenarios.end() - 1);  // baseline and the Fed scenario
  BehaviourParams& bp = cfg.behaviour.params;
  bp.reversal_months = 6;
  bp.recovery_months = kCurve;
  for (int k = 0; k < kCurve; ++k) bp.recovery_cum[k] = kCum[k];
  bp.partial_cure[2] = 0.1;
  bp.partial_cure[3] = 0.08;
  bp.partial_cure_two[4] = 0.05;
  bp.decline_bucket = 1;
  bp.n_mpb_bands = 2;
  bp.mpb_score_min[0] = 700; bp.mpb[0] = 0.05;
  bp.mpb_score_min[1] = 350; bp.mpb[1] = 0.6;
  bp.rho_horizon_months = 12;
  return cfg;
}

TEST(LossAccounting, MoneyInEqualsMoneyOutInEveryCellAndChargeOffsSplitIntoLossAndRecovery) {
  const RunConfig cfg = levers_config(2000, 3, 24);
  auto backend = make_cpu_backend(2);
  const RunResults r = run_simulation(cfg, *backend);
  const Population pop = generate_population(cfg.population, cfg.seed, 0, cfg.population.customers, 2);
  std::vector<std::int64_t> opening(static_cast<std::size_t>(r.segments), 0);
  for (std::size_t i = 0; i < pop.size(); ++i)
    if (pop.months_on_book[i] > 0) opening[static_cast<std::size_t>(pop.segment[i])] += pop.balance[i];
  std::int64_t reversed = 0, collected = 0, partial = 0, declined = 0, chargeoffs = 0;
  for (const ComboSums& c : r.combos)
    for (int p = 0; p < r.paths; ++p)
      for (int g = 0; g < r.segments; ++g) {
        std::int64_t before = opening[static_cast<std::size_t>(g)];
        for (int t = 0; t < r.months; ++t) {
          const std::int64_t* v = c.sums.data() + r.cell_index(p, t, g, 0);
          // Balances move only by purchases, interest, fees, payments (attrition pay-offs included) and
          // charge-offs, which remove the gross charge-off and the reversed interest and fees.
          EXPECT_EQ(before + v[kSpend] + v[kInterest] + v[kFees] - v[kPayment] - v[kChargeoffExposure] -
                        v[kReversal],
                    v[kBalance])
              << c.scenario << "/" << c.policy << " path " << p << " month " << t + 1 << " segment " << g;
          EXPECT_EQ(v[kChargeoffExposure], v[kChargeoffLoss] + v[kChargeoffRecovery]);
          before = v[kBalance];
          reversed += v[kReversal];
          collected += v[kRecovery];
          partial += v[kPartialCureCount];
          declined += v[kDeclinedCount];
          chargeoffs += v[kChargeoffCount];
        }
      }
  // The levers fire.
  EXPECT_GT(chargeoffs, 0);
  EXPECT_GT(reversed, 0);
  EXPECT_GT(collected, 0);
  EXPECT_GT(partial, 0);
  EXPECT_GT(declined, 0);
}

TEST(LossAccounting, RecoveriesCollectedAlongTheCurveAddUpToTheBookedRecovery) {
  RunConfig cfg = levers_config(1500, 2, 18);
  cfg.policies.resize(1);
  cfg.scenarios.resize(1);
  const Population pop = generate_population(cfg.population, cfg.seed, 0, cfg.population.customers, 2);
  const FactorModel fm = factor_model(cfg);
  const FactorDraws factors = systematic_factors(cfg.seed, cfg.paths, cfg.months, fm);
  const std::vector<double> lgd = lgd_table(cfg.behaviour.params);
  const ModelView mv = model_view(cfg.behaviour.params, cfg.policies[0].params, cfg.scenarios[0].months.data(), factors,
                                  fm, lgd, cfg.seed, cfg.months, cfg.paths);
  std::int64_t complete = 0, pending = 0, failures = 0;
  trace_customers(mv, pop.view(), cfg.paths, 2, [&](std::int64_t, int, const MonthOutcome* o) {
    int month = -1;
    std::int64_t booked = 0, got = 0;
    for (int m = 0; m < cfg.months; ++m) {
      if (o[m].charged_off) { month = m; booked = o[m].chargeoff_recovery; }
      got += o[m].recovery;
    }
    std::int64_t expect = booked;  // collected in full when the curve ends within the run
    if (month >= 0 && month + kCurve > cfg.months)  // else what the curve gives by the last month
      expect = std::llround(static_cast<double>(booked) * kCum[cfg.months - 1 - month]);
#pragma omp critical(recovery_test)
    {
      if (month >= 0 && booked > 0) ++(month + kCurve <= cfg.months ? complete : pending);
      if (got != expect) ++failures;
    }
  });
  EXPECT_EQ(failures, 0);
  EXPECT_GT(complete, 0);
  EXPECT_GT(pending, 0);
}

}  // namespace
