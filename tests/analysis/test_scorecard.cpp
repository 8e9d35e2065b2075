// The behaviour score (src/analysis/scorecard.cpp) and the label's event under the model's chain
// (src/analysis/label_horizon.cpp): a known scoring rule is recovered from a synthetic snapshot, cross-validation
// recovers known coefficients on a synthetic panel, folds do not depend on row order, the chain matches hand
// computation, and the miss regression fitted to labels recovers the one they were drawn with.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <fstream>
#include <random>

#include "kernels/special.hpp"
#include "src/analysis/label_horizon.hpp"
#include "src/analysis/label_metrics.hpp"
#include "src/analysis/scorecard.hpp"
#include "src/config/config.hpp"
#include "src/data/features.hpp"

namespace limitsim {
namespace {

// A snapshot with two offered columns and a label drawn from logistic(a + b1 x1 + b2 x2).
Panel snapshot_with_rule(std::size_t n, double a, double b1, double b2, std::uint64_t seed, std::vector<double>* truth = nullptr) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  Panel p;
  p.source = "synthetic snapshot";
  p.months = 1;
  p.feature_columns = {"x1", "x2"};
  for (std::size_t i = 0; i < n; ++i) {
    const double x1 = 4.0 * u(rng) - 2.0, x2 = 3.0 * u(rng);
    const double pd = logistic(a + b1 * x1 + b2 * x2);
    if (truth) truth->push_back(pd);
    p.id.push_back(1000 + 7 * i);
    p.limit.push_back(500000);
    p.score.push_back(680.0f);
    p.income.push_back(300000);
    p.months_on_book.push_back(24);
    p.region.push_back(0);
    p.label.push_back(u(rng) < pd ? 1 : 0);
    p.features.push_back(static_cast<float>(x1));
    p.features.push_back(static_cast<float>(x2));
  }
  return p;
}

const ScorecardFeature& input(const Scorecard& s, const std::string& name) {
  for (const ScorecardFeature& f : s.features)
    if (f.name() == name) return f;
  throw std::runtime_error("no input " + name);
}

TEST(Scorecard, RecoversAKnownScoringRuleFromASnapshot) {
  std::vector<double> truth;
  const Panel p = snapshot_with_rule(30000, -1.5, 0.8, -0.5, 11, &truth);
  ScorecardOptions o;
  const ScorecardResult r = fit_scorecard(p, o);
  // Only the two columns vary (the limit is the same for everyone, so log_limit carries nothing).
  const Scorecard& s = r.card;
  const ScorecardFeature& x1 = input(s, "column:x1");
  const ScorecardFeature& x2 = input(s, "column:x2");
  EXPECT_NEAR(input(s, "log_limit").coef, 0.0, 1e-12);
  // Per raw unit the coefficients are the rule's (winsorising at 1% / 99% of a uniform barely moves them; the
  // tolerances are about 3 standard errors at n = 30,000).
  EXPECT_NEAR(x1.coef / x1.sd, 0.8, 0.06);
  EXPECT_NEAR(x2.coef / x2.sd, -0.5, 0.06);
  const double intercept = s.intercept - x1.coef * x1.mean / x1.sd - x2.coef * x2.mean / x2.sd;
  EXPECT_NEAR(intercept, -1.5, 0.12);
  // Out of fold the score ranks as well as the true probabilities do, and its probabilities are calibrated.
  std::vector<double> oof_p;
  for (const double eta : r.oof_eta) oof_p.push_back(logistic(eta));
  EXPECT_NEAR(s.fit.auc, auc(truth, p.label), 0.01);
  const CalibrationSlope c = calibration_slope(oof_p, p.label);
  ASSERT_TRUE(c.ok);
  EXPECT_NEAR(c.slope, 1.0, 0.08);
  EXPECT_NEAR(s.fit.mean_predicted, s.fit.observed, 0.005);
  // A large penalty shrinks towards the base rate and loses: CV chooses one of the small ones.
  EXPECT_LE(s.penalty, 1e-2);
  ASSERT_EQ(s.fit.cv_log_loss.size(), o.penalties.size());
  EXPECT_GT(s.fit.cv_log_loss.back(), *std::min_element(s.fit.cv_log_loss.begin(), s.fit.cv_log_loss.end()));
  // Applied to a row, the scorecard gives its log-odds by hand.
  const Scorecard back = s;
  std::vector<double> x = {p.features[0], p.features[1]};
  double with_limit[kBehaviourFeatureCount] = {};
  with_limit[kFeatLogLimit] = std::log1p(5000.0);
  EXPECT_NEAR(scorecard_eta(back, with_limit, x.data()),
              s.intercept + x1.coef * (std::clamp(x[0], x1.lo, x1.hi) - x1.mean) / x1.sd +
                  x2.coef * (std::clamp(x[1], x2.lo, x2.hi) - x2.mean) / x2.sd,
              1e-12);
}

TEST(Scorecard, FoldsAndFitDoNotDependOnRowOrder) {
  const Panel p = snapshot_with_rule(4000, -1.0, 1.0, 0.5, 5);
  Panel q = p;  // the same customers, rows reversed
  const std::size_t n = static_cast<std::size_t>(p.size());
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t j = n - 1 - i;
    q.id[i] = p.id[j];
    q.label[i] = p.label[j];
    q.features[2 * i] = p.features[2 * j];
    q.features[2 * i + 1] = p.features[2 * j + 1];
  }
  const ScorecardResult a = fit_scorecard(p, {}), b = fit_scorecard(q, {});
  EXPECT_EQ(a.card.penalty, b.card.penalty);
  ASSERT_EQ(a.card.fit.cv_log_loss.size(), b.card.fit.cv_log_loss.size());
  for (std::size_t l = 0; l < a.card.fit.cv_log_loss.size(); ++l)
    EXPECT_NEAR(a.card.fit.cv_log_loss[l], b.card.fit.cv_log_loss[l], 1e-12);
  EXPECT_NEAR(a.card.fit.auc, b.card.fit.auc, 1e-9);
  EXPECT_NEAR(a.card.intercept, b.card.intercept, 1e-9);  // sums in another order: equal to rounding
  for (std::size_t i = 0; i < n; ++i) EXPECT_EQ(a.fold[i], b.fold[n - 1 - i]);
  // The folds are the id hash's: each holds about a fifth.
  std::vector<int> count(5, 0);
  for (const int f : a.fold) ++count[static_cast<std::size_t>(f)];
  for (const int c : count) EXPECT_NEAR(c, 800, 100);
}

TEST(Scorecard, CrossValidationRecoversKnownCoefficientsOnAPanel) {
  // Six months; the label depends on the worst status and the last utilization only.
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const int T = 6;
  const std::size_t n = 20000;
  Panel p;
  p.source = "synthetic panel";
  p.months = T;
  for (int t = 0; t < T; ++t) p.month_names.push_back("m" + std::to_string(t));
  for (std::size_t i = 0; i < n; ++i) {
    p.id.push_back(i + 1);
    p.limit.push_back(1000000);
    p.score.push_back(680.0f);
    p.income.push_back(500000);
    p.months_on_book.push_back(24);
    p.region.push_back(0);
    const int worst = static_cast<int>(u(rng) * 4.0);  // 0..3
    const int when = static_cast<int>(u(rng) * T);
    double util = 0.0;
    for (int t = 0; t < T; ++t) {
      const int b = t == when ? worst : 0;
      p.bucket.push_back(static_cast<std::int8_t>(b));
      p.status_code.push_back(static_cast<std::int16_t>(b));
      p.type.push_back(UsageType::kNone);
      util = u(rng);
      p.balance.push_back(static_cast<std::int64_t>(util * 1000000.0));
      p.payment.push_back(static_cast<std::int64_t>(u(rng) * 50000.0));
    }
    p.label.push_back(u(rng) < logistic(-2.0 + 0.7 * worst + 1.2 * util) ? 1 : 0);
  }
  const ScorecardResult r = fit_scorecard(p, {});
  const Scorecard& s = r.card;
  // No status code states a type: the type shares are not inputs.
  for (const ScorecardFeature& f : s.features) EXPECT_NE(f.behaviour, kFeatShareInactive);
  // status_max and util_last carry the rule; the other inputs (status_last, the shares, the trend, payments, ...)
  // are noise or echoes of status_max with nothing left to explain.
  const ScorecardFeature& worst = input(s, "status_max");
  const ScorecardFeature& util = input(s, "util_last");
  const double b_worst = worst.coef / worst.sd, b_util = util.coef / util.sd;
  // status_max and share_past_due / share_31_plus and status_last move together: judge their joint effect on a
  // customer going from 0 to 2 (past due in one month of six).
  std::vector<double> zero(kBehaviourFeatureCount, 0.0), two(kBehaviourFeatureCount, 0.0);
  for (auto* v : {&zero, &two}) {
    (*v)[kFeatUtilLast] = (*v)[kFeatUtilMean] = 0.5;
    (*v)[kFeatPayRatioMean] = 0.05;
    (*v)[kFeatLogPaymentMean] = std::log1p(250.0);
    (*v)[kFeatLogLimit] = std::log1p(10000.0);
  }
  two[kFeatStatusMax] = 2.0;
  two[kFeatSharePastDue] = two[kFeatShare31Plus] = 1.0 / 6.0;
  const double joint = scorecard_eta(s, two.data(), nullptr) - scorecard_eta(s, zero.data(), nullptr);
  EXPECT_NEAR(joint, 1.4, 0.15) << "b_worst alone " << b_worst;
  EXPECT_NEAR(b_util, 1.2, 0.15);
  EXPECT_NEAR(input(s, "util_mean").coef, 0.0, 0.08);
  EXPECT_NEAR(input(s, "log_payment_mean").coef, 0.0, 0.06);
  EXPECT_GT(s.fit.auc, 0.7);
  EXPECT_NEAR(s.fit.mean_predicted, s.fit.observed, 0.005);
}

TEST(Scorecard, RefusesProtectedColumnsAndDegenerateLabels) {
  Panel p = snapshot_with_rule(200, 0.0, 1.0, 0.0, 1);
  p.feature_columns = {"x1", "AGE"};
  EXPECT_THROW(fit_scorecard(p, {}), ConfigError);
  ScorecardOptions allow;
  allow.protected_attributes = true;
  EXPECT_TRUE(fit_scorecard(p, allow).card.protected_attributes);
  p.feature_columns = {"x1", "x2"};
  std::fill(p.label.begin(), p.label.end(), 0);
  EXPECT_THROW(fit_scorecard(p, {}), ConfigError);
  EXPECT_TRUE(protected_attribute_name("MARRIAGE"));
  EXPECT_TRUE(protected_attribute_name("clientAge"));
  EXPECT_TRUE(protected_attribute_name("sex_code"));
  EXPECT_FALSE(protected_attribute_name("Percentage"));
  EXPECT_FALSE(protected_attribute_name("DebtRatio"));
}

TEST(Scorecard, FileRoundTripsToTheSameDoubles) {
  const Scorecard s = fit_scorecard(snapshot_with_rule(3000, -1.0, 0.5, 0.2, 9), {}).card;
  const std::string path = ::testing::TempDir() + "/limitsim_scorecard_roundtrip.toml";
  {
    std::ofstream out(path);
    out << scorecard_toml(s, "# test\n");
  }
  const Scorecard b = load_scorecard(path);
  ASSERT_EQ(b.features.size(), s.features.size());
  EXPECT_EQ(b.intercept, s.intercept);
  EXPECT_EQ(b.eta_mean, s.eta_mean);
  EXPECT_EQ(b.eta_sd, s.eta_sd);
  for (std::size_t j = 0; j < s.features.size(); ++j) {
    EXPECT_EQ(b.features[j].name(), s.features[j].name());
    EXPECT_EQ(b.features[j].coef, s.features[j].coef);
    EXPECT_EQ(b.features[j].lo, s.features[j].lo);
    EXPECT_EQ(b.features[j].hi, s.features[j].hi);
    EXPECT_EQ(b.features[j].mean, s.features[j].mean);
    EXPECT_EQ(b.features[j].sd, s.features[j].sd);
  }
  EXPECT_EQ(b.fit.decile_observed, s.fit.decile_observed);
  std::remove(path.c_str());
}

// ================================================================ the label's event under the chain

BehaviourParams chain_params() {
  BehaviourParams bp = default_behaviour();
  bp.miss_intercept = logit(0.1);
  bp.miss_beta_risk = bp.miss_beta_util = bp.roll_beta_risk = bp.roll_beta_util = 0.0;
  for (int b = 1; b < kMaxBuckets; ++b) {
    bp.roll[b] = 0.5;
    bp.cure[b] = 0.2;
    bp.partial_cure[b] = bp.partial_cure_two[b] = 0.0;  // the default's partial cures: tested on their own
  }
  bp.attrition_rate = 0.01;
  bp.chargeoff_bucket = 6;
  return bp;
}

TEST(LabelHorizon, ChainMatchesHandComputation) {
  const BehaviourParams bp = chain_params();
  ChainStart s;
  // One month, any bucket past due: a miss.
  EXPECT_DOUBLE_EQ(horizon_probability(bp, s, {1, 1}), 0.1);
  // Nothing due in the first month: no miss then.
  s.due = false;
  EXPECT_DOUBLE_EQ(horizon_probability(bp, s, {1, 1}), 0.0);
  EXPECT_NEAR(horizon_probability(bp, s, {2, 1}), 0.99 * 0.1, 1e-15);  // current and still open, then a miss
  s.due = true;
  // Two months, 31-60 or worse: a miss (0.1), then a roll (0.5).
  EXPECT_NEAR(horizon_probability(bp, s, {2, 2}), 0.1 * 0.5, 1e-15);
  // From 31-60, one month, 31-60 or worse: it does not cure (roll 0.5, then cure 0.2 / 0.5 of the rest).
  s.bucket = 2;
  EXPECT_NEAR(horizon_probability(bp, s, {1, 2}), 1.0 - 0.5 * 0.4, 1e-15);
  // From 151-180 a roll is a charge-off, which counts even when only charge-offs do.
  s.bucket = 6;
  EXPECT_NEAR(horizon_probability(bp, s, {1, kChargedOffBucket}), 0.5, 1e-15);
  // Partial cures (given no roll, like step_month): from 91-120, roll 0.5, cure 0.2, back one 0.1, back two
  // 0.05, stay 0.15. One month, 91-120 or worse: roll or stay; 61-90 or worse adds back one; 31-60 back two.
  BehaviourParams pc = bp;
  pc.partial_cure[4] = 0.1;
  pc.partial_cure_two[4] = 0.05;
  s.bucket = 4;
  EXPECT_NEAR(horizon_probability(pc, s, {1, 4}), 0.5 + 0.15, 1e-15);
  EXPECT_NEAR(horizon_probability(pc, s, {1, 3}), 0.5 + 0.15 + 0.1, 1e-15);
  EXPECT_NEAR(horizon_probability(pc, s, {1, 2}), 0.5 + 0.15 + 0.1 + 0.05, 1e-15);
  // Two months, 121-150 or worse: a roll at once, or back two to 31-60 (then cannot reach 121-150), or back one
  // to 61-90 (then neither), or stay then roll: 0.5 + 0.15 x 0.5.
  EXPECT_NEAR(horizon_probability(pc, s, {2, 5}), 0.5 + 0.15 * 0.5, 1e-15);
  // The derivative in the miss log-odds matches a finite difference.
  s.bucket = 0;
  double d = 0.0;
  const double p = horizon_probability(bp, s, {6, 3}, &d);
  BehaviourParams up = bp;
  up.miss_intercept += 1e-6;
  EXPECT_NEAR(d, (horizon_probability(up, s, {6, 3}) - p) / 1e-6, 1e-6);
}

TEST(LabelHorizon, FitRecoversTheMissRegressionTheLabelsWereDrawnWith) {
  BehaviourParams truth = chain_params();
  truth.miss_intercept = logit(0.04);
  truth.miss_beta_risk = 0.8;
  truth.miss_beta_util = 0.6;
  const LabelEvent e{12, 3};
  std::mt19937_64 rng(17);
  std::normal_distribution<double> z(0.0, 1.0);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<ChainStart> starts(40000);
  std::vector<std::int8_t> label;
  for (ChainStart& s : starts) {
    s.risk = z(rng);
    s.util_excess = u(rng) - 0.5;
    label.push_back(u(rng) < horizon_probability(truth, s, e) ? 1 : 0);
  }
  BehaviourParams bp = chain_params();  // starts elsewhere
  const LabelFit f = fit_label_miss(starts, label, e, bp);
  ASSERT_TRUE(f.ok) << f.failure;
  EXPECT_NEAR(f.intercept.value, truth.miss_intercept, 3.0 * f.intercept.se);
  EXPECT_NEAR(f.beta_risk.value, 0.8, 3.0 * f.beta_risk.se);
  EXPECT_NEAR(f.beta_util.value, 0.6, 3.0 * f.beta_util.se);
  EXPECT_LT(f.beta_risk.se, 0.05);
  EXPECT_NEAR(f.predicted, f.observed, 0.003);
  EXPECT_EQ(bp.miss_beta_risk, f.beta_risk.value);
  // Cures fitted to a label drawn with cure 0.2 from 31-60 come back to it.
  std::vector<ChainStart> late(6000);
  std::vector<std::int8_t> late_label;
  for (ChainStart& s : late) {
    s.bucket = 2;
    late_label.push_back(u(rng) < horizon_probability(truth, s, {1, 1}) ? 1 : 0);
  }
  BehaviourParams c = chain_params();
  c.cure[2] = 0.45;
  std::vector<std::string> notes;
  EXPECT_EQ(fit_label_cures(late, late_label, {1, 1}, c, notes), std::vector<int>{2});
  EXPECT_NEAR(c.cure[2], 0.2, 0.03);
  ASSERT_EQ(notes.size(), 1u);
}

}  // namespace
}  // namespace limitsim
