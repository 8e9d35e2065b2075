// Whole-engine properties: exactness across thread counts and batch sizes,
// common random numbers, and the Markov-chain closed form.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "kernels/special.hpp"
#include "src/config/config.hpp"
#include "src/engine/engine.hpp"
#include "src/data/population.hpp"
#include "src/engine/trace.hpp"
#include "kernels/reduce.hpp"
#include "kernels/rng.hpp"

using namespace limitsim;

namespace {

RunConfig config_from(const char* file, std::int64_t customers, int paths, int months) {
  RunConfig cfg = load_run_config(file);
  Overrides o;
  o.customers = customers;
  o.paths = paths;
  o.months = months;
  apply_overrides(cfg, o);
  return cfg;
}

RunConfig small_config(std::int64_t customers, int paths, int months) {
  return config_from(LIMITSIM_SOURCE_DIR "/configs/quickstart.toml", customers, paths, months);
}

RunResults run_cpu(RunConfig cfg, int threads, std::int64_t batch) {
  cfg.threads = threads;
  cfg.batch_size = batch;
  auto backend = make_cpu_backend(threads);
  return run_simulation(cfg, *backend);
}

TEST(Exactness, SameBytesForAnyThreadCountAndBatchSize) {
  const RunConfig cfg = small_config(3000, 3, 14);
  const RunResults ref = run_cpu(cfg, 1, 1 << 20);
  ASSERT_EQ(ref.combos.size(), 1u);
  // The run does something: accounts charge off, lines are raised and frozen.
  std::int64_t co = 0, raises = 0, freezes = 0;
  for (int p = 0; p < ref.paths; ++p)
    for (int m = 0; m < ref.months; ++m) {
      co += ref.portfolio(ref.combos[0], p, m, kChargeoffCount);
      raises += ref.portfolio(ref.combos[0], p, m, kLimitIncreaseCount);
      freezes += ref.portfolio(ref.combos[0], p, m, kFreezeCount);
    }
  EXPECT_GT(co, 0);
  EXPECT_GT(raises, 0);
  EXPECT_GT(freezes, 0);
  for (int threads : {2, 3}) {
    for (std::int64_t batch : {std::int64_t{1} << 20, std::int64_t{777}, std::int64_t{1000}}) {
      const RunResults r = run_cpu(cfg, threads, batch);
      EXPECT_EQ(r.combos[0].sums, ref.combos[0].sums) << threads << " threads, batch " << batch;
      EXPECT_EQ(r.segment_customers, ref.segment_customers);
    }
  }
}

// The four shipped policies (configs/compare_policies.toml) use every lever.
RunConfig policies_config(std::int64_t customers, int paths, int months) {
  return config_from(LIMITSIM_SOURCE_DIR "/configs/compare_policies.toml", customers, paths, months);
}

std::int64_t total(const RunResults& r, std::size_t combo, int metric) {
  std::int64_t t = 0;
  for (int p = 0; p < r.paths; ++p)
    for (int m = 0; m < r.months; ++m) t += r.portfolio(r.combos[combo], p, m, metric);
  return t;
}

// Few customers and many paths: the CPU backend splits the work into (path,
// block of customers) tasks; each thread's private sums move to the path's
// sums when it changes path. Any thread count gives the same bytes, and the
// sums equal those of a run of each path's customers one path at a time.
TEST(Exactness, FewCustomersManyPathsSameBytesForAnyThreadCount) {
  const RunConfig cfg = small_config(600, 40, 12);
  const RunResults ref = run_cpu(cfg, 1, 1 << 20);
  std::int64_t active = 0;
  for (int p = 0; p < ref.paths; ++p) active += ref.portfolio(ref.combos[0], p, 0, kActive);
  EXPECT_GT(active, 0);
  for (int threads : {2, 3, 5}) {
    for (std::int64_t batch : {std::int64_t{1} << 20, std::int64_t{257}}) {
      const RunResults r = run_cpu(cfg, threads, batch);
      EXPECT_EQ(r.combos[0].sums, ref.combos[0].sums) << threads << " threads, batch " << batch;
    }
  }
}

TEST(Exactness, EveryLeverGivesTheSameBytesForAnyThreadCountAndBatchSize) {
  const RunConfig cfg = policies_config(3000, 2, 24);
  const RunResults ref = run_cpu(cfg, 1, 1 << 20);
  ASSERT_EQ(ref.policy_names, (std::vector<std::string>{"static", "conservative", "growth", "lender_rules"}));
  // The levers fire: cuts, triggered raises, temporary lines and the frequency signal.
  EXPECT_GT(total(ref, 1, kLimitDecreaseCount), 0);
  EXPECT_GT(total(ref, 2, kTriggerIncreaseCount), 0);
  EXPECT_GT(total(ref, 3, kTriggerIncreaseCount), 0);
  EXPECT_GT(total(ref, 3, kLimitDecreaseCount), 0);
  EXPECT_GT(total(ref, 3, kTempLimitCount), 0);
  EXPECT_GT(total(ref, 3, kSignalCount), 0);
  EXPECT_EQ(total(ref, 0, kLimitIncreaseCount) + total(ref, 0, kLimitDecreaseCount), 0);  // static
  for (const auto& [threads, batch] : {std::pair<int, std::int64_t>{2, 777}, {3, 1000}}) {
    const RunResults r = run_cpu(cfg, threads, batch);
    for (std::size_t i = 0; i < ref.combos.size(); ++i)
      EXPECT_EQ(r.combos[i].sums, ref.combos[i].sums) << ref.policy_names[i] << ", " << threads << " threads, batch " << batch;
  }
}

TEST(Policies, FreezingAtThirtyDaysLowersExposureAtDefaultOnTheSameNumbers) {
  RunConfig cfg = policies_config(4000, 4, 24);
  PolicyConfig never = cfg.policies[0];  // static: never freezes
  PolicyConfig freeze = never;
  freeze.name = "freeze30";
  freeze.params.freeze_bucket = 2;  // at_dpd = 30
  cfg.policies = {never, freeze};
  cfg.baseline.clear();
  const RunResults r = run_cpu(cfg, 2, 1 << 20);
  for (int p = 0; p < r.paths; ++p) {
    std::int64_t ead_never = 0, ead_freeze = 0;
    for (int m = 0; m < r.months; ++m) {
      ead_never += r.portfolio(r.combos[0], p, m, kChargeoffExposure);
      ead_freeze += r.portfolio(r.combos[1], p, m, kChargeoffExposure);
    }
    EXPECT_LT(ead_freeze, ead_never) << "path " << p;
  }
}

TEST(Exactness, IdenticalPoliciesGiveIdenticalResults) {
  RunConfig cfg = policies_config(2000, 2, 24);
  cfg.policies.erase(cfg.policies.begin(), cfg.policies.begin() + 3);  // lender_rules: every lever but pricing
  cfg.policies[0].params.n_price_bands = 1;
  cfg.policies[0].params.price_score_min[0] = 350;
  cfg.policies[0].params.price_apr[0] = 0.2;
  cfg.baseline.clear();
  PolicyConfig twin = cfg.policies[0];
  twin.name = "twin";
  cfg.policies.push_back(twin);
  const RunResults r = run_cpu(cfg, 2, 1 << 20);
  ASSERT_EQ(r.combos.size(), 2u);
  EXPECT_EQ(r.combos[0].sums, r.combos[1].sums);
}

TEST(Exactness, PathsDifferInPortfolioLoss) {
  const RunResults r = run_cpu(small_config(5000, 4, 24), 2, 1 << 20);
  std::vector<std::int64_t> loss(r.paths, 0);
  for (int p = 0; p < r.paths; ++p)
    for (int m = 0; m < r.months; ++m) loss[p] += r.portfolio(r.combos[0], p, m, kChargeoffLoss);
  EXPECT_NE(loss[0], loss[1]);
  EXPECT_NE(loss[2], loss[3]);
}

TEST(Population, SameCustomersForAnyThreadCountAndSlice) {
  const RunConfig cfg = small_config(4000, 1, 1);
  const Population a = generate_population(cfg.population, 99, 0, 4000, 1);
  const Population b = generate_population(cfg.population, 99, 0, 4000, 2);
  EXPECT_EQ(a.score, b.score);
  EXPECT_EQ(a.income, b.income);
  EXPECT_EQ(a.balance, b.balance);
  EXPECT_EQ(a.bucket, b.bucket);
  const Population slice = generate_population(cfg.population, 99, 1500, 1000, 2);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ(slice.id[i], a.id[1500 + i]);
    EXPECT_EQ(slice.score[i], a.score[1500 + i]);
    EXPECT_EQ(slice.limit[i], a.limit[1500 + i]);
    EXPECT_EQ(slice.risk[i], a.risk[1500 + i]);
  }
}

TEST(Population, AttributesHaveTheConfiguredShape) {
  const RunConfig cfg = small_config(20000, 1, 1);
  const PopulationConfig& pc = cfg.population;
  const Population p = generate_population(pc, 7, 0, 20000, 2);
  double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
  int newc = 0, trans_hi = 0, n_hi = 0, trans_lo = 0, n_lo = 0;
  for (std::int64_t i = 0; i < p.size(); ++i) {
    ASSERT_GE(p.score[i], 350.0f);
    ASSERT_LE(p.score[i], 950.0f);
    ASSERT_GE(p.balance[i], 0);
    ASSERT_EQ(p.segment[i], segment_of(p.score[i], pc.segment_edges));
    const double x = p.score[i], y = std::log(static_cast<double>(p.income[i]));
    sx += x; sy += y; sxx += x * x; syy += y * y; sxy += x * y;
    if (p.months_on_book[i] == 0) {
      ++newc;
      EXPECT_EQ(p.balance[i], 0);
    } else {
      EXPECT_GE(p.limit[i], pc.existing_line_min);
      EXPECT_LE(p.limit[i], pc.existing_line_max);
    }
    if (p.score[i] > 750) { ++n_hi; trans_hi += p.transactor[i]; }
    if (p.score[i] < 600) { ++n_lo; trans_lo += p.transactor[i]; }
  }
  const double n = static_cast<double>(p.size());
  const double corr = (sxy / n - sx / n * sy / n) /
                      std::sqrt((sxx / n - sx / n * sx / n) * (syy / n - sy / n * sy / n));
  EXPECT_NEAR(corr, pc.income_score_corr, 0.03);
  EXPECT_NEAR(newc / n, pc.new_account_share, 0.01);
  EXPECT_GT(static_cast<double>(trans_hi) / n_hi, static_cast<double>(trans_lo) / n_lo);
}

// With behaviour reduced to a fixed roll-rate matrix (no risk or utilization
// effects, rho = 0, no attrition, always a balance due), the bucket
// distribution after t months must be pi0 P^t. The matrix has partial cures:
// a delinquent account moves back one or two buckets as well as cures.
TEST(MarkovChain, BucketDistributionMatchesPi0PowT) {
  RunConfig cfg = small_config(20000, 8, 12);
  PopulationConfig& pc = cfg.population;
  pc.new_account_share = 0.0;
  pc.transactor_logit_intercept = -50.0;  // everybody revolves ...
  pc.revolve_shape_median = 200.0;        // ... and pays about the minimum
  pc.revolve_shape_log_sd = 0.0;
  pc.activity_logit_mean = 50.0;          // and spends every month: a balance is always due
  pc.opening_bucket_shares = {0.7, 0.1, 0.08, 0.05, 0.04, 0.02, 0.01};
  BehaviourParams& bp = cfg.behaviour.params;
  bp.miss_intercept = logit(0.05);
  bp.miss_beta_risk = bp.miss_beta_util = bp.roll_beta_risk = bp.roll_beta_util = 0.0;
  bp.rho = 0.0;
  bp.attrition_rate = 0.0;
  bp.min_payment_floor = 0;
  const double roll[kMaxBuckets] = {0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8};
  const double cure[kMaxBuckets] = {0, 0.5, 0.3, 0.2, 0.1, 0.1, 0.05};
  const double back_one[kMaxBuckets] = {0, 0, 0.1, 0.1, 0.1, 0.05, 0.05};  // partial cures
  const double back_two[kMaxBuckets] = {0, 0, 0, 0.05, 0.1, 0.05, 0.05};
  for (int b = 0; b < kMaxBuckets; ++b) {
    bp.roll[b] = roll[b];
    bp.cure[b] = cure[b];
    bp.partial_cure[b] = back_one[b];
    bp.partial_cure_two[b] = back_two[b];
  }
  cfg.policies[0].params.freeze_bucket = 0;  // freezing would stop spending
  cfg.policies[0].params.review_every = 0;

  const RunResults r = run_cpu(cfg, 2, 1 << 20);

  // States 0..6 and 7 = charged off (absorbing).
  constexpr int S = kMaxBuckets + 1;
  const double p0 = logistic(logit(0.05));
  double P[S][S] = {};
  P[0][0] = 1 - p0;
  P[0][1] = p0;
  for (int b = 1; b < kMaxBuckets; ++b) {
    P[b][b + 1] = roll[b];
    P[b][0] = cure[b];
    if (b >= 2) P[b][b - 1] = back_one[b];
    if (b >= 3) P[b][b - 2] = back_two[b];
    P[b][b] = 1 - roll[b] - cure[b] - back_one[b] - back_two[b];
  }
  P[S - 1][S - 1] = 1;
  const Population pop = generate_population(cfg.population, cfg.seed, 0, pc.customers, 2);
  std::vector<double> pi(S, 0.0);
  for (auto b : pop.bucket) pi[b] += 1.0 / pop.size();

  const double trials = static_cast<double>(pc.customers) * r.paths;
  std::vector<double> cum_co(r.paths, 0);
  for (int t = 1; t <= r.months; ++t) {
    std::vector<double> next(S, 0.0);
    for (int i = 0; i < S; ++i)
      for (int j = 0; j < S; ++j) next[j] += pi[i] * P[i][j];
    pi = next;
    for (int s = 0; s < S; ++s) {
      double obs = 0;
      for (int p = 0; p < r.paths; ++p) {
        for (int m = 0; m < t; ++m)
          obs += s < kMaxBuckets ? (m == t - 1 ? r.portfolio(r.combos[0], p, m, kBucketCount0 + s) : 0)
                                 : r.portfolio(r.combos[0], p, m, kChargeoffCount);
      }
      const double expect = trials * pi[s];
      const double sd = std::sqrt(trials * pi[s] * (1 - pi[s]));
      EXPECT_LT(std::fabs(obs - expect), 5 * sd + 1) << "month " << t << " state " << s << " obs " << obs
                                                     << " expected " << expect;
    }
  }
}

TEST(Systematic, FactorsAreStandardNormalAndKeyedByPathAndMonth) {
  const auto z = systematic_factors(5, 200, 50, FactorModel{}).z;
  double s = 0, s2 = 0;
  for (double v : z) { s += v; s2 += v * v; }
  const double n = static_cast<double>(z.size());
  EXPECT_NEAR(s / n, 0.0, 5 / std::sqrt(n));
  EXPECT_NEAR(s2 / n, 1.0, 0.05);
  const auto z2 = systematic_factors(5, 10, 20, FactorModel{}).z;  // fewer paths and months: same values where they overlap
  for (int p = 0; p < 10; ++p)
    for (int m = 0; m < 20; ++m) EXPECT_EQ(z2[p * 20 + m], z[p * 50 + m]);
}

TEST(Lgd, BetaQuantileTable) {
  const auto q = beta_quantile_table(2.0, 2.0);  // symmetric: median 0.5
  EXPECT_NEAR(q[(kLgdTableSize - 1) / 2], 0.5, 1e-9);
  const auto u = beta_quantile_table(1.0, 1.0);  // uniform: identity
  for (int i = 0; i < kLgdTableSize; i += 97) EXPECT_NEAR(u[i], static_cast<double>(i) / (kLgdTableSize - 1), 1e-9);
  const auto e = beta_quantile_table(1.0, 3.0);  // F(x) = 1 - (1-x)^3
  EXPECT_NEAR(e[512], 1 - std::cbrt(1 - 512.0 / 1024), 1e-9);
}

}  // namespace

// ------------------------------------------------------------ scenarios x policies in one launch

namespace launch_test {

// Quickstart plus: three regions with correlated AR(1) factors, importance
// sampling, a second policy and a stress scenario using every scenario lever.
RunConfig stressed_config(std::int64_t customers, int paths, int months) {
  RunConfig cfg = config_from(LIMITSIM_SOURCE_DIR "/configs/compare_policies.toml", customers, paths, months);
  cfg.policies.resize(2);
  cfg.population.region_names = {"north", "south", "west"};
  cfg.population.region_shares = {0.5, 0.3, 0.2};
  cfg.behaviour.regions = 3;
  cfg.behaviour.factor_ar1 = 0.6;
  cfg.behaviour.factor_correlation_matrix = {{1, 0.5, 0.3}, {0.5, 1, 0.4}, {0.3, 0.4, 1}};
  cfg.behaviour.params.rho = 0.1;
  cfg.importance_shift = 2.0;
  ScenarioConfig stress;
  stress.name = "stress";
  stress.spec.factor_shift = {-0.5, -1.0, -1.5};
  stress.spec.miss_multiplier = {1.2};
  stress.spec.roll_multiplier = {1.1};
  stress.spec.spend_multiplier = {0.9};
  stress.spec.income_shock_probability = {0.02};
  stress.spec.income_shock_size = {0.4};
  stress.spec.income_shock_months = {4};
  stress.spec.lgd_multiplier = {1.1};
  resolve_scenario(stress, cfg.months);
  cfg.scenarios.push_back(stress);
  return cfg;
}

TEST(Launch, EveryPairInOneLaunchEqualsThatPairRunAlone) {
  const RunConfig cfg = stressed_config(1500, 3, 10);
  ASSERT_EQ(cfg.scenarios.size(), 2u);
  const RunResults all = run_cpu(cfg, 2, 1 << 20);
  ASSERT_EQ(all.combos.size(), 4u);
  for (std::size_t s = 0; s < 2; ++s) {
    for (std::size_t q = 0; q < 2; ++q) {
      RunConfig one = cfg;
      one.scenarios = {cfg.scenarios[s]};
      one.policies = {cfg.policies[q]};
      const RunResults r = run_cpu(one, 2, 1 << 20);
      EXPECT_EQ(r.combos[0].sums, all.combo(static_cast<int>(s), static_cast<int>(q)).sums) << s << " " << q;
      EXPECT_EQ(r.path_weight, all.path_weight);
    }
  }
}

TEST(Launch, RegionsShocksAndImportanceSamplingGiveTheSameBytesForAnyThreadCountAndBatchSize) {
  const RunConfig cfg = stressed_config(2500, 3, 12);
  const RunResults ref = run_cpu(cfg, 1, 1 << 20);
  // The levers act: shocks start in the stress scenario only, and weights differ from 1.
  std::int64_t shocks_base = 0, shocks_stress = 0;
  for (int p = 0; p < ref.paths; ++p)
    for (int m = 0; m < ref.months; ++m) {
      shocks_base += ref.portfolio(ref.combo(0, 0), p, m, kShockStartCount);
      shocks_stress += ref.portfolio(ref.combo(1, 0), p, m, kShockStartCount);
    }
  EXPECT_EQ(shocks_base, 0);
  EXPECT_GT(shocks_stress, 0);
  for (double w : ref.path_weight) EXPECT_NE(w, 1.0);
  for (int threads : {2, 3}) {
    for (std::int64_t batch : {std::int64_t{1} << 20, std::int64_t{999}}) {
      const RunResults r = run_cpu(cfg, threads, batch);
      for (std::size_t k = 0; k < ref.combos.size(); ++k)
        EXPECT_EQ(r.combos[k].sums, ref.combos[k].sums) << threads << " threads, batch " << batch << ", pair " << k;
      EXPECT_EQ(r.path_weight, ref.path_weight);
    }
  }
}

TEST(Launch, SegmentsAreScoreBandsTimesRegionsInTheConfiguredShares) {
  const RunConfig cfg = stressed_config(20000, 1, 1);
  const RunResults r = run_cpu(cfg, 2, 1 << 20);
  ASSERT_EQ(r.segments, 6 * 3);
  EXPECT_EQ(r.segment_names[1], "<620/south");  // card_prime's FICO bands
  std::vector<double> by_region(3, 0.0);
  for (int g = 0; g < r.segments; ++g) {
    EXPECT_EQ(r.segment_band[g], g / 3);
    EXPECT_EQ(r.segment_region[g], g % 3);
    by_region[g % 3] += static_cast<double>(r.segment_customers[g]);
  }
  // Binomial shares: within 4 sd (sd <= sqrt(0.25 / 20000) = 0.0035).
  for (int k = 0; k < 3; ++k) EXPECT_NEAR(by_region[k] / 20000, cfg.population.region_shares[k], 0.014);
  // The score-band totals do not depend on the regions: the same customers as without them.
  RunConfig plain = cfg;
  plain.population.region_names = {"all"};
  plain.population.region_shares = {1.0};
  plain.behaviour.regions = 1;
  plain.behaviour.factor_correlation_matrix.clear();
  const RunResults p = run_cpu(plain, 2, 1 << 20);
  for (int b = 0; b < 6; ++b)
    EXPECT_EQ(p.segment_customers[b],
              r.segment_customers[3 * b] + r.segment_customers[3 * b + 1] + r.segment_customers[3 * b + 2]);
}

TEST(Launch, AStressScenarioRaisesLossesOnEveryPathOfTheSameNumbers) {
  RunConfig cfg = stressed_config(3000, 4, 12);
  cfg.importance_shift = 0.0;
  const RunResults r = run_cpu(cfg, 2, 1 << 20);
  for (int p = 0; p < r.paths; ++p) {
    std::int64_t base = 0, stress = 0;
    for (int m = 0; m < r.months; ++m) {
      base += r.portfolio(r.combo(0, 0), p, m, kChargeoffLoss);
      stress += r.portfolio(r.combo(1, 0), p, m, kChargeoffLoss);
    }
    EXPECT_GT(stress, base) << "path " << p;
  }
}

}  // namespace launch_test

// The host traces (src/engine/trace.hpp) behind calibration round-trips and the
// backtest are the backends' model: folding every traced customer-month into
// the exact reducer gives the engine's sums bit for bit.
TEST(Trace, TracedOutcomesAddUpToTheEnginesSums) {
  RunConfig cfg = config_from(LIMITSIM_SOURCE_DIR "/configs/stress_test.toml", 1500, 3, 9);
  cfg.policies.resize(1);
  cfg.scenarios.erase(cfg.scenarios.begin());  // a stress scenario (factor shift, shocks), not the baseline
  cfg.scenarios.resize(1);
  const RunResults ref = run_cpu(cfg, 2, 1 << 20);

  const Population pop = generate_population(cfg.population, cfg.seed, 0, cfg.population.customers, 2);
  const FactorModel fm = factor_model(cfg);
  const FactorDraws factors = systematic_factors(cfg.seed, cfg.paths, cfg.months, fm);
  const std::vector<double> lgd = lgd_table(cfg.behaviour.params);
  const ModelView mv = model_view(cfg.behaviour.params, cfg.policies[0].params, cfg.scenarios[0].months.data(), factors,
                                  fm, lgd, cfg.seed, cfg.months, cfg.paths);
  std::vector<std::int64_t> sums(ref.combos[0].sums.size(), 0);
  std::int64_t calls = 0;
  trace_customers(mv, pop.view(), cfg.paths, 2, [&](std::int64_t i, int path, const MonthOutcome* o) {
#pragma omp critical(trace_test)
    {
      ++calls;
      for (int m = 0; m < cfg.months; ++m) {
        RowSink sink{sums.data() + ref.cell_index(path, m, pop.segment[static_cast<std::size_t>(i)], 0)};
        accumulate(o[m], sink);
      }
    }
  });
  EXPECT_EQ(calls, cfg.population.customers * cfg.paths);
  std::int64_t shocks = 0;
  for (int p = 0; p < cfg.paths; ++p)
    for (int m = 0; m < cfg.months; ++m) shocks += ref.portfolio(ref.combos[0], p, m, kShockStartCount);
  EXPECT_GT(shocks, 0) << "the scenario should start income shocks";
  EXPECT_TRUE(sums == ref.combos[0].sums);
}
