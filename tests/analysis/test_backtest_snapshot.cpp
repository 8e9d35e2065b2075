// The snapshot backtest (src/analysis/backtest_label.cpp, score_label_check) on a simulated book whose true
// probabilities are known: labels are drawn by the model itself over the label's horizon, the backtest learns the
// score from two columns and the miss regression from the labels, out of fold, and its probabilities come back
// calibrated (slope near 1) and rank as well as the true ones.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "kernels/special.hpp"
#include "src/analysis/backtest.hpp"
#include "src/analysis/backtest_sim.hpp"
#include "src/analysis/label_horizon.hpp"
#include "src/config/config.hpp"

#ifndef LIMITSIM_SOURCE_DIR
#define LIMITSIM_SOURCE_DIR "."
#endif

namespace limitsim {
namespace {

TEST(SnapshotBacktest, RecoversTheTrueProbabilitiesOfASimulatedBook) {
  RunConfig cfg = load_run_config(std::string(LIMITSIM_SOURCE_DIR) + "/configs/quickstart.toml");
  Overrides o;
  o.months = 12;
  o.paths = 32;
  apply_overrides(cfg, o);
  cfg.policies.front().params = default_policy();  // no limit actions: the label is behaviour alone
  // The book's scores are 680 - 80 x risk: the population must read them back on that scale (the default
  // card_prime population's score_mean and score_sd are 715 and 65).
  cfg.population.score_mean = 680.0;
  cfg.population.score_sd = 80.0;
  BehaviourParams truth = default_behaviour();
  truth.miss_intercept = logit(0.02);
  truth.miss_beta_risk = 0.9;
  truth.miss_beta_util = 0.5;
  truth.rho = 0.0;  // no systematic factor: one path of labels is not one draw of the economy
  cfg.behaviour.params = truth;
  cfg.behaviour.params.miss_intercept = logit(0.05);  // the backtest must learn these from the labels
  cfg.behaviour.params.miss_beta_risk = 0.1;
  const LabelEvent e{12, 3};  // 61-90 days past due or worse within a year

  // The book: two columns; the true risk is a standardised linear rule of them.
  const std::size_t n = 8000;
  std::mt19937_64 rng(2024);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  Panel p;
  p.source = "simulated book";
  p.months = 1;
  p.feature_columns = {"x1", "x2"};
  std::vector<double> risk;
  for (std::size_t i = 0; i < n; ++i) {
    const double x1 = 4.0 * u(rng) - 2.0, x2 = 3.0 * u(rng);
    risk.push_back((0.8 * x1 - 0.5 * x2 + 0.75) / 0.99);  // mean 0, sd about 1
    p.id.push_back(i + 1);
    p.limit.push_back(500000);
    p.income.push_back(300000);
    p.score.push_back(static_cast<float>(680.0 - 80.0 * risk.back()));
    p.months_on_book.push_back(24);
    p.region.push_back(0);
    p.balance.push_back(static_cast<std::int64_t>(500000 * (0.2 + 0.6 * u(rng))));
    p.features.push_back(static_cast<float>(x1));
    p.features.push_back(static_cast<float>(x2));
  }
  // Labels: one path of the true model, on another seed than the backtest's.
  Population pop = population_from_panel(p, 0, cfg.population, truth);
  RunConfig draw = cfg;
  draw.behaviour.params = truth;
  draw.paths = 1;
  draw.seed = cfg.seed + 977;
  std::vector<double> hit, per_path;
  backtest_detail::simulate_label(draw, truth, pop, e, hit, per_path);
  std::vector<double> true_pd;
  const std::vector<ChainStart> starts = chain_starts(pop, truth);
  for (std::size_t i = 0; i < n; ++i) {
    p.label.push_back(static_cast<std::int8_t>(hit[i] > 0.5 ? 1 : 0));
    true_pd.push_back(horizon_probability(truth, starts[i], e));
  }
  const ScoreLabelCheck r = score_label_check(cfg, p, 0, e, 5, false);
  ASSERT_EQ(r.models.size(), 1u);  // a snapshot has no transitions: only the label-fitted model
  const LabelPrediction& m = r.models.front();
  EXPECT_EQ(m.customers, static_cast<std::int64_t>(n));
  // The events are 5-10% of the book; the model's aggregate is the observed one to sampling error.
  EXPECT_GT(m.observed, 0.03);
  EXPECT_LT(m.observed, 0.15);
  EXPECT_NEAR(m.predicted.mean, m.observed, 0.012);
  // Calibrated: slope near 1 (the probabilities are shares of 32 paths, which adds noise and pulls it below 1).
  ASSERT_TRUE(m.slope.ok);
  EXPECT_NEAR(m.slope.slope, 1.0, 0.25);
  // Ranked about as well as the true probabilities rank the same labels once they are, like the model's,
  // shares of 32 simulated paths (binomial noise costs rank quality; the score alone has none).
  const double best = auc(true_pd, p.label);
  std::vector<double> noisy;
  for (const double q : true_pd) noisy.push_back(std::binomial_distribution<int>(o.paths.value(), q)(rng) / 32.0);
  const double best_noisy = auc(noisy, p.label);
  EXPECT_GT(m.auc, best_noisy - 0.02) << "true " << best << ", true with the paths' noise " << best_noisy;
  EXPECT_GT(r.scorecard.auc, best - 0.02);
  // The miss regression each fold learned is the truth's, on the score's scale (risk = standardised log-odds).
  for (const LabelFit& f : r.label_fits) {
    ASSERT_TRUE(f.ok) << f.failure;
    EXPECT_NEAR(f.intercept.value, truth.miss_intercept, 0.3);
    EXPECT_NEAR(f.beta_risk.value, 0.9, 0.25);
  }
}

}  // namespace
}  // namespace limitsim
