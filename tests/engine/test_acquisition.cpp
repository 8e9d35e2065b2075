// The living book in the engine (src/engine/engine.cpp, src/data/applicants.cpp): zero volume changes
// nothing, a policy approving nobody gives the opening book's results, every policy sees the same
// applicants, results are bit-identical across threads and batch sizes, the vintage sums add up to the
// portfolio's, and a constant book stays near its opening count.
#include <gtest/gtest.h>

#include <cmath>

#include "src/analysis/vintages.hpp"
#include "src/config/config.hpp"
#include "src/data/applicants.hpp"
#include "src/engine/engine.hpp"

using namespace limitsim;

namespace {

RunConfig base_config(std::int64_t customers, int paths, int months) {
  RunConfig cfg = load_run_config(LIMITSIM_SOURCE_DIR "/configs/quickstart.toml");
  Overrides o;
  o.customers = customers;
  o.paths = paths;
  o.months = months;
  apply_overrides(cfg, o);
  return cfg;
}

RunConfig acquiring(RunConfig cfg, double per_month) {
  cfg.acquisition.enabled = true;
  cfg.acquisition.monthly_applicants = {per_month};
  return cfg;
}

RunResults run_cpu(RunConfig cfg, int threads = 2, std::int64_t batch = 1 << 20) {
  cfg.threads = threads;
  cfg.batch_size = batch;
  auto backend = make_cpu_backend(threads);
  return run_simulation(cfg, *backend);
}

std::int64_t total(const RunResults& r, const ComboSums& c, int metric) {
  std::int64_t t = 0;
  for (int p = 0; p < r.paths; ++p)
    for (int m = 0; m < r.months; ++m) t += r.portfolio(c, p, m, metric);
  return t;
}

TEST(Acquisition, ZeroVolumeGivesTheSameSumsAsNoAcquisition) {
  const RunConfig cfg = base_config(2000, 3, 12);
  const RunResults plain = run_cpu(cfg);
  const RunResults zero = run_cpu(acquiring(cfg, 0.0));
  ASSERT_EQ(plain.combos.size(), zero.combos.size());
  EXPECT_EQ(zero.meta.applicants, 0);
  for (std::size_t k = 0; k < plain.combos.size(); ++k) {
    EXPECT_EQ(plain.combos[k].sums, zero.combos[k].sums);
    EXPECT_TRUE(plain.combos[k].vintages.empty());
    EXPECT_EQ(zero.combos[k].vintages, std::vector<std::int64_t>(zero.vintage_cells(), 0));
  }
}

TEST(Acquisition, ApprovingNobodyGivesTheOpeningBook) {
  const RunConfig cfg = base_config(2000, 3, 12);
  RunConfig none = acquiring(cfg, 150.0);
  none.policies.front().params.approve_share = 0.0;
  const RunResults plain = run_cpu(cfg);
  const RunResults r = run_cpu(none);
  EXPECT_EQ(r.meta.applicants, 150 * 12);
  const ComboSums& a = plain.combos.front();
  const ComboSums& b = r.combos.front();
  // Every sum equal but the applicants counted (12 months x 150 on every path).
  for (std::size_t cell = 0; cell < a.sums.size(); cell += kNumMetrics)
    for (int m = 0; m < kNumMetrics; ++m)
      if (m != kApplicantCount) {
        ASSERT_EQ(a.sums[cell + m], b.sums[cell + m]) << "metric " << m;
      }
  EXPECT_EQ(total(r, b, kApplicantCount), 150 * 12 * 3);
  EXPECT_EQ(total(r, b, kNewAccountCount), 0);
}

TEST(Acquisition, EveryPolicySeesTheSameApplicants) {
  RunConfig a = acquiring(base_config(1000, 2, 6), 40.0);
  RunConfig b = a;
  b.policies.front().params.approve_min_score = 700.0;  // another policy: approves fewer
  b.policies.front().params.review_every = 1;
  const ApplicantPlan pa = plan_applicants(a, configured_volume(a)), pb = plan_applicants(b, configured_volume(b));
  const Population x = generate_applicants(a, pa, 1), y = generate_applicants(b, pb, 2);
  ASSERT_EQ(x.size(), 240);
  EXPECT_EQ(x.id, y.id);
  EXPECT_EQ(x.score, y.score);
  EXPECT_EQ(x.income, y.income);
  EXPECT_EQ(x.risk, y.risk);
  EXPECT_EQ(x.demand, y.demand);
  EXPECT_EQ(x.dti, y.dti);
  EXPECT_EQ(x.pool_rank, y.pool_rank);
  EXPECT_EQ(x.arrival, y.arrival);
  // Keyed by (seed, month, index): the applicant of month 2, index 5 is the same whatever else the run holds.
  EXPECT_EQ(x.id[2 * 40 + 5], applicant_id(2, 5));
  RunConfig more = acquiring(base_config(1000, 2, 6), 80.0);
  const Population z = generate_applicants(more, plan_applicants(more, configured_volume(more)), 1);
  EXPECT_EQ(z.id[2 * 80 + 5], applicant_id(2, 5));
  EXPECT_EQ(z.score[2 * 80 + 5], x.score[2 * 40 + 5]);
  EXPECT_EQ(z.dti[2 * 80 + 5], x.dti[2 * 40 + 5]);
  // A month's pool ranks are 0, 1/n, ..., (n-1)/n by score, best first.
  std::vector<float> ranks(x.pool_rank.begin(), x.pool_rank.begin() + 40);
  std::sort(ranks.begin(), ranks.end());
  for (int i = 0; i < 40; ++i) EXPECT_FLOAT_EQ(ranks[i], static_cast<float>(i / 40.0));
  for (int i = 0; i < 40; ++i)
    for (int j = 0; j < 40; ++j)
      if (x.score[i] > x.score[j]) {
        EXPECT_LT(x.pool_rank[i], x.pool_rank[j]);
      }
  // Under both policies in one run the applicants counted are the same; b approves those scoring >= 700.
  RunConfig both = a;
  both.policies.push_back(b.policies.front());
  both.policies.back().name = "strict";
  const RunResults r = run_cpu(both);
  EXPECT_EQ(total(r, r.combos[0], kApplicantCount), total(r, r.combos[1], kApplicantCount));
  EXPECT_EQ(total(r, r.combos[0], kNewAccountCount), 240 * 2);
  std::int64_t high = 0;
  for (std::int64_t i = 0; i < x.size(); ++i) high += x.score[static_cast<std::size_t>(i)] >= 700.0f ? 1 : 0;
  EXPECT_EQ(total(r, r.combos[1], kNewAccountCount), high * 2);
}

TEST(Acquisition, ShareApprovalTakesTheTopOfEachPool) {
  RunConfig cfg = acquiring(base_config(500, 1, 3), 40.0);
  cfg.policies.front().params.approve_share = 0.25;
  // A scenario tightening every policy's share by half in month 2 (credit tightening in a recession).
  ScenarioConfig tight = cfg.scenarios.front();
  tight.name = "tight";
  tight.months[1].approval_mult = 0.5;
  cfg.scenarios.push_back(tight);
  const RunResults r = run_cpu(cfg);
  for (int m = 0; m < 3; ++m) EXPECT_EQ(r.portfolio(r.combos[0], 0, m, kNewAccountCount), 10) << m;
  EXPECT_EQ(r.portfolio(r.combos[1], 0, 0, kNewAccountCount), 10);
  EXPECT_EQ(r.portfolio(r.combos[1], 0, 1, kNewAccountCount), 5);  // the best 12.5% of 40
  EXPECT_EQ(r.portfolio(r.combos[1], 0, 2, kNewAccountCount), 10);
  EXPECT_EQ(r.portfolio(r.combos[1], 0, 1, kApplicantCount), 40);  // the same applicants applied
}

TEST(Acquisition, ScenarioVolumeThinsTheSamePool) {
  RunConfig cfg = acquiring(base_config(500, 2, 4), 200.0);
  ScenarioConfig low = cfg.scenarios.front();
  low.name = "low_demand";
  for (ScenarioMonth& m : low.months) m.applicant_mult = 0.5;
  ScenarioConfig high = cfg.scenarios.front();
  high.name = "high_demand";
  for (ScenarioMonth& m : high.months) m.applicant_mult = 1.5;
  cfg.scenarios.push_back(low);
  cfg.scenarios.push_back(high);
  const RunResults r = run_cpu(cfg);
  EXPECT_EQ(r.meta.applicants, 4 * 300);  // pools sized for the largest multiplier
  const double base = total(r, r.combos[0], kApplicantCount), half = total(r, r.combos[1], kApplicantCount),
               more = total(r, r.combos[2], kApplicantCount);
  // Demand is uniform on [0, 1.5): about 200, 100 and 300 a month; 1.5 takes the whole pool.
  EXPECT_EQ(more, 4 * 300 * 2);
  EXPECT_NEAR(base / (4 * 2), 200.0, 30.0);
  EXPECT_NEAR(half / (4 * 2), 100.0, 25.0);
  EXPECT_LT(half, base);
}

TEST(Acquisition, SameBytesForAnyThreadCountAndBatchSize) {
  RunConfig cfg = acquiring(base_config(1500, 3, 10), 120.0);
  cfg.behaviour.params.attrition_runoff = 1;
  cfg.behaviour.params.attrition_rate = 0.03;
  cfg.behaviour.params.n_seasoning = 3;
  cfg.behaviour.params.seasoning[0] = 0.5;
  cfg.behaviour.params.seasoning[1] = 1.5;
  cfg.behaviour.params.seasoning[2] = 1.0;
  const RunResults ref = run_cpu(cfg, 1, 1 << 20);
  EXPECT_GT(total(ref, ref.combos[0], kNewAccountCount), 0);
  EXPECT_GT(total(ref, ref.combos[0], kRunoffCount), 0);
  for (int threads : {2, 3})
    for (std::int64_t batch : {std::int64_t{1} << 20, std::int64_t{333}}) {
      const RunResults r = run_cpu(cfg, threads, batch);
      EXPECT_EQ(r.combos[0].sums, ref.combos[0].sums) << threads << " threads, batch " << batch;
      EXPECT_EQ(r.combos[0].vintages, ref.combos[0].vintages) << threads << " threads, batch " << batch;
    }
}

TEST(Acquisition, VintagesAddUpToThePortfolio) {
  const RunConfig cfg = acquiring(base_config(1500, 2, 8), 100.0);
  const RunResults r = run_cpu(cfg);
  const ComboSums& c = r.combos.front();
  const std::vector<std::int64_t> t = vintage_table(r, c);
  for (int m = 0; m < r.months; ++m) {
    std::int64_t active = 0, opened = 0, loss = 0;
    for (int cohort = 0; cohort <= m + 1; ++cohort) {
      const int mob = cohort == 0 ? m : m - (cohort - 1);
      if (mob < 0) continue;
      active += t[vintage_table_index(r, cohort, mob, kVintActive)];
      loss += t[vintage_table_index(r, cohort, mob, kVintChargeoffLoss)];
      if (cohort > 0 && mob == 0) opened += t[vintage_table_index(r, cohort, 0, kVintOpened)];
    }
    std::int64_t p_active = 0, p_new = 0, p_loss = 0;
    for (int p = 0; p < r.paths; ++p) {
      p_active += r.portfolio(c, p, m, kActive);
      p_new += r.portfolio(c, p, m, kNewAccountCount);
      p_loss += r.portfolio(c, p, m, kChargeoffLoss);
    }
    EXPECT_EQ(active, p_active) << m;
    EXPECT_EQ(opened, p_new) << m;
    EXPECT_EQ(loss, p_loss) << m;
  }
  EXPECT_EQ(t[vintage_table_index(r, 0, 0, kVintOpened)], 1500 * 2);
}

TEST(Acquisition, ConstantBookStaysNearTheOpeningCount) {
  RunConfig cfg = base_config(4000, 8, 36);
  cfg.acquisition.enabled = true;
  cfg.acquisition.constant_book = true;
  cfg.behaviour.params.attrition_rate = 0.01;  // a book that would lose about a third of its accounts
  const RunResults r = run_cpu(cfg);
  const ComboSums& c = r.combos.front();
  for (int m : {5, 11, 23, 35}) {
    double mean = 0.0, sq = 0.0;
    for (int p = 0; p < r.paths; ++p) {
      const double a = static_cast<double>(r.portfolio(c, p, m, kActive));
      mean += a / r.paths;
      sq += a * a / r.paths;
    }
    const double se = std::sqrt(std::max(0.0, sq - mean * mean) / (r.paths - 1));
    // Within Monte Carlo noise (4 standard errors) plus the pilot's own sampling error (1%).
    EXPECT_NEAR(mean, 4000.0, 4.0 * se + 40.0) << "month " << m + 1;
  }
  // Without acquisition the same book runs down well below that.
  RunConfig off = cfg;
  off.acquisition = AcquisitionConfig{};
  const RunResults o = run_cpu(off);
  EXPECT_LT(o.portfolio(o.combos[0], 0, 35, kActive), 3000);
}

}  // namespace

namespace {

TEST(Acquisition, ConstantBookSkipsAMonthWithoutApplicants) {
  RunConfig cfg = base_config(3000, 4, 12);
  cfg.acquisition.enabled = true;
  cfg.acquisition.constant_book = true;
  cfg.behaviour.params.attrition_rate = 0.02;
  for (int m = 4; m < 6; ++m) cfg.scenarios.front().months[static_cast<std::size_t>(m)].applicant_mult = 0.0;
  const RunResults r = run_cpu(cfg);
  EXPECT_EQ(r.meta.applicant_volume[4], 0);
  EXPECT_EQ(r.meta.applicant_volume[5], 0);
  EXPECT_GT(r.meta.applicant_volume[6], r.meta.applicant_volume[3]);  // month 7 makes up for the two without
  double active = 0.0;
  for (int p = 0; p < r.paths; ++p) active += static_cast<double>(r.portfolio(r.combos[0], p, 11, kActive)) / r.paths;
  EXPECT_NEAR(active, 3000.0, 90.0);
}

TEST(Acquisition, ProgressCountsTheApplicantsToo) {
  RunConfig cfg = acquiring(base_config(600, 2, 6), 200.0);  // 1,200 applicants after 600 customers
  cfg.batch_size = 250;
  auto backend = make_cpu_backend(1);
  std::vector<double> seen;
  run_simulation(cfg, *backend, [&](double f) { seen.push_back(f); });
  ASSERT_FALSE(seen.empty());
  for (std::size_t i = 1; i < seen.size(); ++i) EXPECT_GE(seen[i], seen[i - 1] - 1e-12);
  EXPECT_LE(seen.back(), 1.0 + 1e-12);
  EXPECT_GT(seen.back(), 0.99);
}

}  // namespace
