// The borrowing response to new credit at the shipped defaults (configs/behaviour/card_prime.toml: the
// marginal propensity to borrow of Agarwal et al. 2018, 59% below FICO 660, none from 740): line increases
// raise balances and losses among low-score customers and leave high-score customers as they were, and the
// growth policy raises both revenue and losses against the static one (configs/compare_policies.toml).
#include <gtest/gtest.h>

#include <cstdio>

#include "src/config/config.hpp"
#include "src/engine/engine.hpp"

using namespace limitsim;

namespace {

RunConfig policies_config() {
  RunConfig cfg = load_run_config(LIMITSIM_SOURCE_DIR "/configs/compare_policies.toml");
  Overrides o;
  o.customers = 4000;
  o.paths = 8;
  o.months = 24;
  apply_overrides(cfg, o);
  return cfg;
}

// Totals over paths and months of metric m in the score bands [first, last] of a combo.
std::int64_t total(const RunResults& r, std::size_t combo, int metric, int first = 0, int last = -1) {
  if (last < 0) last = r.segments - 1;
  std::int64_t t = 0;
  for (int p = 0; p < r.paths; ++p)
    for (int m = 0; m < r.months; ++m)
      for (int g = first; g <= last; ++g) t += r.combos[combo].sums[r.cell_index(p, m, g, metric)];
  return t;
}
std::int64_t revenue(const RunResults& r, std::size_t combo, int first = 0, int last = -1) {
  return total(r, combo, kInterest, first, last) + total(r, combo, kFees, first, last) -
         total(r, combo, kReversal, first, last);
}

TEST(BorrowingResponse, LineIncreasesAreBorrowedBelowFico660AndNotFrom740) {
  RunConfig cfg = policies_config();
  ASSERT_EQ(cfg.population.segment_names,
            (std::vector<std::string>{"<620", "620-659", "660-699", "700-739", "740-779", "780+"}));
  ASSERT_EQ(cfg.behaviour.params.mpb[0], 0.0);  // from 740
  ASSERT_EQ(cfg.behaviour.params.mpb[3], 0.59);  // below 660
  cfg.policies = {cfg.policies[2]};              // growth: raises lines fast
  ASSERT_EQ(cfg.policies[0].name, "growth");
  auto backend = make_cpu_backend(2);
  const RunResults with = run_simulation(cfg, *backend);
  cfg.behaviour.params.n_mpb_bands = 0;  // no borrowing response
  const RunResults without = run_simulation(cfg, *backend);
  // From 740 the response is nothing: the same customers do exactly the same.
  for (int p = 0; p < with.paths; ++p)
    for (int m = 0; m < with.months; ++m)
      for (int g = 4; g < 6; ++g)
        for (int k = 0; k < kNumMetrics; ++k)
          ASSERT_EQ(with.combos[0].sums[with.cell_index(p, m, g, k)], without.combos[0].sums[without.cell_index(p, m, g, k)]);
  // Below 660 the raised lines are borrowed: balances, revenue and losses rise.
  const double bal_with = static_cast<double>(total(with, 0, kBalance, 0, 1));
  const double bal_without = static_cast<double>(total(without, 0, kBalance, 0, 1));
  std::printf("  growth, FICO < 660: balance x %.2f, loss x %.2f, revenue x %.2f with the borrowing response\n",
              bal_with / bal_without,
              static_cast<double>(total(with, 0, kChargeoffLoss, 0, 1)) / total(without, 0, kChargeoffLoss, 0, 1),
              static_cast<double>(revenue(with, 0, 0, 1)) / revenue(without, 0, 0, 1));
  EXPECT_GT(bal_with, 1.2 * bal_without);
  EXPECT_GT(total(with, 0, kChargeoffLoss, 0, 1), total(without, 0, kChargeoffLoss, 0, 1));
  EXPECT_GT(revenue(with, 0, 0, 1), revenue(without, 0, 0, 1));
}

TEST(BorrowingResponse, GrowthAgainstStaticRaisesRevenueAndLosses) {
  const RunConfig cfg = policies_config();
  auto backend = make_cpu_backend(2);
  const RunResults r = run_simulation(cfg, *backend);
  ASSERT_EQ(r.policy_names[0], "static");
  ASSERT_EQ(r.policy_names[2], "growth");
  const std::int64_t loss_static = total(r, 0, kChargeoffLoss), loss_growth = total(r, 2, kChargeoffLoss);
  std::printf("  growth / static: revenue x %.2f, loss x %.2f; FICO < 660: revenue x %.2f, loss x %.2f\n",
              static_cast<double>(revenue(r, 2)) / revenue(r, 0), static_cast<double>(loss_growth) / loss_static,
              static_cast<double>(revenue(r, 2, 0, 1)) / revenue(r, 0, 0, 1),
              static_cast<double>(total(r, 2, kChargeoffLoss, 0, 1)) / total(r, 0, kChargeoffLoss, 0, 1));
  EXPECT_GT(revenue(r, 2), revenue(r, 0));
  EXPECT_GT(loss_growth, loss_static);
  EXPECT_GT(revenue(r, 2, 0, 1), revenue(r, 0, 0, 1));
  EXPECT_GT(total(r, 2, kChargeoffLoss, 0, 1), total(r, 0, kChargeoffLoss, 0, 1));
}

}  // namespace
