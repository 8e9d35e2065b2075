// The shipped UCI data set through its shipped mapping, against its README: every row, the population as of
// September 2005, and a simulation on the CPU backend.
#include <gtest/gtest.h>

#include "tests/data/loader_fixture.hpp"

namespace limitsim {
namespace {

using namespace loader_test;

// ================================================================ the UCI data set

TEST(LoaderUci, LoadsEveryRowWithTheReadmeFigures) {
  const Panel p = load_panel(kUciData, load_mapping(kUciMapping), BadRowPolicy::kError);
  ASSERT_EQ(p.rows_read, 30000);
  ASSERT_EQ(p.size(), 30000);
  EXPECT_EQ(p.rows_skipped, 0);
  EXPECT_EQ(p.sha256, kUciSha256);
  EXPECT_EQ(p.months, 6);
  // PAY_0 (September, the last panel month).
  std::map<std::int64_t, std::int64_t> pay0;
  for (std::int64_t i = 0; i < p.size(); ++i) ++pay0[p.status_code[p.at(i, 5)]];
  const std::map<std::int64_t, std::int64_t> readme = {{-2, 2759}, {-1, 5686}, {0, 14737}, {1, 3688},
                                                       {2, 2667},  {3, 322},   {4, 76},     {5, 26},
                                                       {6, 11},    {7, 9},     {8, 19}};
  EXPECT_EQ(pay0, readme);
  EXPECT_EQ(std::count(p.label.begin(), p.label.end(), 1), 6636);
  // Default rate by PAY_0: 13.2% (-2), 16.8% (-1), 12.8% (0), 33.9% (1), 69.1% (2), 75.8% (3).
  std::map<std::int64_t, std::int64_t> defaults;
  for (std::int64_t i = 0; i < p.size(); ++i) defaults[p.status_code[p.at(i, 5)]] += p.label[static_cast<std::size_t>(i)];
  const std::pair<std::int64_t, double> rates[] = {{-2, 13.2}, {-1, 16.8}, {0, 12.8}, {1, 33.9}, {2, 69.1}, {3, 75.8}};
  for (const auto& [code, pct] : rates)
    EXPECT_NEAR(100.0 * defaults[code] / readme.at(code), pct, 0.05) << "PAY_0 = " << code;
  EXPECT_EQ(std::count(p.label.begin(), p.label.end(), 0), 30000 - 6636);
  // LIMIT_BAL: mean 167,484 (to the unit), median 140,000, range 10,000 to 1,000,000.
  std::int64_t sum = 0;
  for (const std::int64_t c : p.limit) {
    ASSERT_EQ(c % 100, 0);
    sum += c / 100;
  }
  EXPECT_EQ(sum / 30000, 167484);
  std::vector<std::int64_t> sorted = p.limit;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ((sorted[14999] + sorted[15000]) / 2, 14000000);
  EXPECT_EQ(sorted.front(), 1000000);
  EXPECT_EQ(sorted.back(), 100000000);
  // BILL_AMT1 / LIMIT_BAL: mean 0.424, median 0.314.
  std::vector<double> util;
  for (std::int64_t i = 0; i < p.size(); ++i)
    util.push_back(static_cast<double>(p.balance[p.at(i, 5)]) / static_cast<double>(p.limit[static_cast<std::size_t>(i)]));
  EXPECT_NEAR(std::accumulate(util.begin(), util.end(), 0.0) / 30000.0, 0.424, 0.0005);
  std::sort(util.begin(), util.end());
  EXPECT_NEAR(0.5 * (util[14999] + util[15000]), 0.314, 0.0005);
  // Client 1, by hand from its line: PAY_6..PAY_0 = -2 -2 -1 -1 2 2; BILL_AMT1 = 3913; PAY_AMT2 = 689.
  ASSERT_EQ(p.id[0], 1u);
  EXPECT_EQ(std::vector<std::int64_t>(p.status_code.begin(), p.status_code.begin() + 6),
            (std::vector<std::int64_t>{-2, -2, -1, -1, 2, 2}));
  EXPECT_EQ(p.balance[p.at(0, 5)], 391300);
  EXPECT_EQ(p.payment[p.at(0, 4)], 68900);
  EXPECT_EQ(p.limit[0], 2000000);
  EXPECT_EQ(p.income[0], 1333333);  // 20,000 / 1.5
}

TEST(LoaderUci, PopulationAsOfSeptember) {
  const Panel p = load_panel(kUciData, load_mapping(kUciMapping), BadRowPolicy::kError);
  const PopulationConfig pc;
  std::vector<std::int64_t> rows;
  const Population pop = population_from_panel(p, -1, pc, default_behaviour(), &rows);
  // The 9 + 19 clients coded 7 and 8 in September are charged off: left out.
  ASSERT_EQ(pop.size(), 30000 - 9 - 19);
  ASSERT_EQ(rows.size(), static_cast<std::size_t>(pop.size()));
  for (std::size_t k = 0; k < rows.size(); ++k) {
    ASSERT_EQ(pop.id[k], p.id[static_cast<std::size_t>(rows[k])]);
    ASSERT_LE(p.status_code[p.at(rows[k], 5)], 6);
  }
  // Buckets from PAY_0: -2/-1/0 current; 1..6 as themselves.
  std::vector<std::int64_t> buckets(7, 0);
  for (const std::int8_t b : pop.bucket) ++buckets[static_cast<std::size_t>(b)];
  EXPECT_EQ(buckets, (std::vector<std::int64_t>{2759 + 5686 + 14737, 3688, 2667, 322, 76, 26, 11}));
  // Client 1: two transactor months, no revolver month: a transactor; bucket 2; balance 3,913.
  EXPECT_EQ(pop.transactor[0], 1);
  EXPECT_EQ(pop.bucket[0], 2);
  EXPECT_EQ(pop.balance[0], 391300);
  EXPECT_EQ(pop.months_on_book[0], 24);
  for (std::size_t i = 0; i < static_cast<std::size_t>(pop.size()); ++i) {
    ASSERT_GE(pop.score[i], 350.0f);
    ASSERT_LE(pop.score[i], 950.0f);
    ASSERT_GT(pop.activity[i], 0.0f);
    ASSERT_LT(pop.activity[i], 1.0f);
    ASSERT_GE(pop.spend_propensity[i], 0.0f);
    ASSERT_LE(pop.spend_propensity[i], 3.0f);
    ASSERT_GE(pop.revolve_shape[i], kMinRevolveShape);
    ASSERT_LE(pop.revolve_shape[i], kMaxRevolveShape);
  }
}

// The loaded customers through the model: the CPU backend simulates the UCI
// population under the quickstart's behaviour, policy and scenario.
TEST(LoaderUci, SimulatesOnTheCpuBackend) {
  RunConfig cfg = load_run_config(src("configs/quickstart.toml"));
  cfg.paths = 2;
  cfg.months = 3;
  for (ScenarioConfig& s : cfg.scenarios) resolve_scenario(s, cfg.months);
  const Panel panel = load_panel(kUciData, load_mapping(kUciMapping), BadRowPolicy::kError);
  const Population pop = population_from_panel(panel, -1, cfg.population, cfg.behaviour.params);
  const int segments = static_cast<int>(cfg.population.segment_names.size() * cfg.population.region_names.size());
  for (const std::int32_t g : pop.segment) ASSERT_TRUE(g >= 0 && g < segments) << g;

  const FactorModel fm = factor_model(cfg);
  const FactorDraws factors = systematic_factors(cfg.seed, cfg.paths, cfg.months, fm);
  ASSERT_EQ(cfg.behaviour.params.lgd_mode, LgdMode::kFixed);
  const ModelView mv = model_view(cfg.behaviour.params, cfg.policies[0].params, cfg.scenarios[0].months.data(), factors,
                                  fm, {}, cfg.seed, cfg.months, cfg.paths);
  std::vector<std::int64_t> sums(static_cast<std::size_t>(cfg.paths) * cfg.months * segments * kNumMetrics, 0);
  std::int64_t* out = sums.data();
  auto backend = make_cpu_backend(2);
  backend->set_customers(pop.view());
  backend->simulate(&mv, 1, cfg.paths, segments, &out);
  backend->finish();
  auto total = [&](int path, int month, int metric) {
    std::int64_t x = 0;
    for (int g = 0; g < segments; ++g)
      x += sums[((static_cast<std::size_t>(path) * cfg.months + month) * segments + g) * kNumMetrics + metric];
    return x;
  };
  for (int path = 0; path < cfg.paths; ++path) {
    // Every customer is open, charged off or attrited at the end of month 1.
    EXPECT_EQ(total(path, 0, kActive) + total(path, 0, kChargeoffCount) + total(path, 0, kAttritedCount),
              30000 - 9 - 19);
    // Only the 11 accounts that start in bucket 6 can charge off in month 1.
    EXPECT_LE(total(path, 0, kChargeoffCount), 11);
    EXPECT_GT(total(path, 0, kBalance), 0);
    EXPECT_GT(total(path, 0, kSpend), 0);
    EXPECT_GT(total(path, 0, kPayment), 0);
  }
}

}  // namespace
}  // namespace limitsim
