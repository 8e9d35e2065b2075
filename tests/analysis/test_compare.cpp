// compute_comparison (src/analysis/compare.cpp) on hand-built results with hand-computed figures: paired
// differences, the stress view, the baseline choice, the bootstrap of the tail, and a coverage experiment of the
// paired confidence interval.
#include <gtest/gtest.h>

#include "tests/analysis/compare_fixture.hpp"

namespace limitsim {
namespace {

using namespace compare_test;

// ---------------------------------------------------------------- paired difference

TEST(PairedDifference, HandComputed) {
  // d = (2, 2, -8): mean -4/3, var 100/3; var(x) = 175/3, var(base) = 25/3.
  const std::vector<double> base{17, 22, 17}, x{19, 24, 9};
  const PairedDifference d = paired_difference(x, base);
  const double t2 = 4.302652729749464;  // t(0.975, 2) = 0.95 / sqrt(2 * 0.975 * 0.025)
  const double half = t2 * std::sqrt(100.0 / 3.0) / std::sqrt(3.0);
  EXPECT_NEAR(d.diff, -4.0 / 3.0, kTol);
  EXPECT_NEAR(d.lo, -4.0 / 3.0 - half, kTol);
  EXPECT_NEAR(d.hi, -4.0 / 3.0 + half, kTol);
  EXPECT_NEAR(half, 14.342175765831547, 1e-9);
  // sd(d) / sqrt(var x + var base) = sqrt((100/3) / (200/3)).
  EXPECT_NEAR(d.pairing_ratio, std::sqrt(0.5), kTol);
  EXPECT_THROW(paired_difference(x, {1.0}), std::invalid_argument);
}

TEST(PairedDifference, WeightedHandComputed) {
  // Weights (0.5, 1, 2): d = w (x - base) = (1, 2, -16), mean -13/3, var 307/3;
  // w x = (9.5, 24, 18), var 637/12; w base = (8.5, 22, 34), var 651/4.
  const std::vector<double> base{17, 22, 17}, x{19, 24, 9}, w{0.5, 1, 2};
  const PairedDifference d = paired_difference(x, base, w);
  const double half = 4.302652729749464 * std::sqrt(307.0 / 3.0) / std::sqrt(3.0);
  EXPECT_NEAR(d.diff, -13.0 / 3.0, kTol);
  EXPECT_NEAR(d.lo, -13.0 / 3.0 - half, kTol);
  EXPECT_NEAR(d.hi, -13.0 / 3.0 + half, kTol);
  EXPECT_NEAR(d.pairing_ratio, std::sqrt(1228.0 / 2590.0), kTol);
  // Unit weights are no weights, bit for bit.
  const PairedDifference plain = paired_difference(x, base), ones = paired_difference(x, base, {1, 1, 1});
  EXPECT_EQ(plain.diff, ones.diff);
  EXPECT_EQ(plain.lo, ones.lo);
  EXPECT_EQ(plain.pairing_ratio, ones.pairing_ratio);
  EXPECT_THROW(paired_difference(x, base, {1, 1}), std::invalid_argument);
  EXPECT_THROW(paired_difference(x, base, {1, -1, 1}), std::invalid_argument);
}

TEST(PairedDifference, OnePathHasNoInterval) {
  const PairedDifference d = paired_difference({5.0}, {3.0});
  EXPECT_EQ(d.diff, 2.0);
  EXPECT_TRUE(std::isnan(d.lo));
  EXPECT_TRUE(std::isnan(d.hi));
  EXPECT_TRUE(std::isnan(d.pairing_ratio));
}

TEST(Compare, PerPathFiguresAreHandComputed) {
  const RunResults r = hand_built();
  // revenue - loss - 0.12/12 x (100 + 300): pol0 (21 - 0, 41 - 15, 81 - 60) - 4; pol1 (33 - 10, 43 - 15, 103 - 90) - 4.
  const auto ni0 = figure_per_path(r, r.combos[0], "net_income", 0, 0.12);
  const auto ni1 = figure_per_path(r, r.combos[1], "net_income", 0, 0.12);
  const std::vector<double> want0{17, 22, 17}, want1{19, 24, 9};
  for (int p = 0; p < 3; ++p) {
    EXPECT_NEAR(ni0[p], want0[p], kTol) << p;
    EXPECT_NEAR(ni1[p], want1[p], kTol) << p;
  }
  const auto cof = figure_per_path(r, r.combos[1], "cost_of_funds", 0, 0.12);
  for (double v : cof) EXPECT_NEAR(v, 4.0, kTol);
  const auto rev = figure_per_path(r, r.combos[1], "revenue", 0, 0.12);
  EXPECT_EQ(rev, (std::vector<double>{33, 43, 103}));
  const auto util = figure_per_path(r, r.combos[0], "average_utilization", 0, 0.12);
  for (double v : util) EXPECT_EQ(v, (0.5 + 0.75) / 2);
  const auto od90 = figure_per_path(r, r.combos[0], "overdue90_balance", 2, 0.12);
  for (double v : od90) EXPECT_EQ(v, 0.1);
  const auto inc = figure_per_path(r, r.combos[1], "limit_increases", 0, 0.12);
  EXPECT_EQ(inc, (std::vector<double>{2, 4, 6}));
  EXPECT_THROW(figure_per_path(r, r.combos[0], "var_99", 0, 0.12), std::invalid_argument);
  EXPECT_THROW(figure_per_path(r, r.combos[0], "no_such_figure", 0, 0.12), std::invalid_argument);
  EXPECT_THROW(figure_per_path(r, r.combos[0], "overdue30_count", 3, 0.12), std::invalid_argument);
}

TEST(Compare, DifferencesAreHandComputed) {
  const RunResults r = hand_built();
  const Comparison c = compute_comparison(r);
  ASSERT_EQ(c.combos.size(), 2u);
  EXPECT_EQ(c.baseline, "pol0");
  EXPECT_EQ(c.report_months, std::vector<std::int32_t>{2});
  EXPECT_EQ(c.cost_of_funds, 0.12);
  EXPECT_NEAR(c.t_quantile, 4.302652729749464, kTol);
  const PolicyComparison& base = c.combos[0];
  const PolicyComparison& alt = c.combos[1];
  EXPECT_TRUE(base.is_baseline);
  EXPECT_FALSE(alt.is_baseline);

  // Net income: means 56/3 and 52/3, diff -4/3 ± t(0.975, 2) sqrt(100/3) / sqrt(3), ratio sqrt(1/2).
  const ComparedValue& ni = alt.at("net_income");
  EXPECT_NEAR(ni.value.value, 52.0 / 3.0, kTol);
  EXPECT_NEAR(ni.value.se, std::sqrt(175.0 / 3.0) / std::sqrt(3.0), kTol);
  const double half = 4.302652729749464 * std::sqrt(100.0 / 3.0) / std::sqrt(3.0);
  EXPECT_NEAR(ni.vs_baseline.diff, -4.0 / 3.0, kTol);
  EXPECT_NEAR(ni.vs_baseline.lo, -4.0 / 3.0 - half, kTol);
  EXPECT_NEAR(ni.vs_baseline.hi, -4.0 / 3.0 + half, kTol);
  EXPECT_NEAR(ni.vs_baseline.pairing_ratio, std::sqrt(0.5), kTol);
  EXPECT_NEAR(base.at("net_income").value.value, 56.0 / 3.0, kTol);

  // Loss: pol0 (0, 15, 60), pol1 (10, 15, 90); d = (10, 0, 30).
  const ComparedValue& loss = alt.at("net_loss");
  EXPECT_NEAR(loss.value.value, 115.0 / 3.0, kTol);
  EXPECT_NEAR(loss.vs_baseline.diff, 40.0 / 3.0, kTol);
  // VaR and ES at 99% of 3 paths: rank ceil(2.97) = 3, the largest loss (60 and 90).
  EXPECT_EQ(alt.at("var_99").value.value, 90.0);
  EXPECT_EQ(alt.at("es_99.9").value.value, 90.0);
  EXPECT_EQ(alt.at("var_99").vs_baseline.diff, 30.0);
  EXPECT_EQ(base.at("var_99").value.value, 60.0);
  // The bootstrap interval holds the 2000 resampled differences' 50th and 1951st values:
  // max over a resample of pol1 - max of pol0, each in {10 - 0, 15 - 15, 90 - 60, ...}.
  // A resample with path 3 gives 90 - 60 = 30 (probability 1 - (2/3)^3 = 0.70); one with
  // path 2 but not 3 gives 15 - 15 = 0 (0.26); only path 1 gives 10 - 0 = 10 (0.04).
  // So about 520 of 2000 are 0 and 1400 are 30: the 50th is 0 and the 1951st 30.
  EXPECT_EQ(alt.at("var_99").vs_baseline.lo, 0.0);
  EXPECT_EQ(alt.at("var_99").vs_baseline.hi, 30.0);

  // Overdue at month 2: 30+ by count 7% vs 10%; 90+ 2% vs 0%; 90+ by balance 10% vs 0%.
  EXPECT_NEAR(base.at("overdue30_count", 2).value.value, 0.07, kTol);
  EXPECT_NEAR(alt.at("overdue30_count", 2).vs_baseline.diff, 0.03, kTol);
  EXPECT_NEAR(alt.at("overdue90_count", 2).vs_baseline.diff, -0.02, kTol);
  EXPECT_NEAR(alt.at("overdue90_balance", 2).vs_baseline.diff, -0.1, kTol);
  EXPECT_THROW(alt.at("overdue30_count", 1), std::out_of_range);

  // Utilization: pol0 (0.5 + 0.75) / 2, pol1 (1 + 0.25) / 2: the same on every path.
  EXPECT_EQ(alt.at("average_utilization").vs_baseline.diff, 0.0);
  // Limit actions: pol1 has 2(p + 1) increases, 2 triggered, 4 decreases, 1 freeze, 14 temp-line months.
  EXPECT_EQ(alt.at("limit_increases").value.value, 4.0);
  EXPECT_EQ(alt.at("limit_increases").vs_baseline.diff, 4.0);
  EXPECT_EQ(alt.at("trigger_increases").value.value, 2.0);
  EXPECT_EQ(alt.at("limit_decreases").value.value, 4.0);
  EXPECT_EQ(alt.at("freezes").value.value, 1.0);
  EXPECT_EQ(alt.at("temp_limit_months").value.value, 14.0);
  EXPECT_EQ(base.at("temp_limit_months").value.value, 0.0);
  // Constant differences have no spread: a zero-width interval, and no unpaired spread for
  // the baseline's constant zeros either, so only the paired width is 0 where var(pol1) > 0.
  EXPECT_EQ(alt.at("trigger_increases").vs_baseline.lo, 2.0);
  EXPECT_EQ(alt.at("trigger_increases").vs_baseline.hi, 2.0);
  EXPECT_TRUE(std::isnan(alt.at("trigger_increases").vs_baseline.pairing_ratio));
}

TEST(Compare, AgreesWithTheSummary) {
  RunResults r = make_results(40, 5, 2, 2, 3);
  for (std::size_t i = 0; i < r.combos.size(); ++i) fill_random(r, static_cast<int>(i), 100 + i);
  r.meta.report_months = {2, 4};
  const Summary s = compute_summary(r, r.meta.report_months);
  const Comparison c = compute_comparison(r);
  ASSERT_EQ(c.combos.size(), s.combos.size());
  EXPECT_EQ(c.report_months, (std::vector<std::int32_t>{2, 4, 5}));
  for (std::size_t i = 0; i < c.combos.size(); ++i) {
    const PolicyComparison& pc = c.combos[i];
    const ComboSummary& cs = s.combos[i];
    EXPECT_EQ(pc.at("net_loss").value.value, cs.expected_loss.value) << i;
    EXPECT_NEAR(pc.at("net_loss").value.se, cs.expected_loss.se, 1e-12 * cs.expected_loss.se) << i;
    EXPECT_EQ(pc.at("revenue").value.value, cs.revenue.value) << i;
    EXPECT_EQ(pc.at("freezes").value.value, cs.freezes.value) << i;
    EXPECT_EQ(pc.at("var_99").value.value, cs.tail[1].var) << i;
    EXPECT_EQ(pc.at("es_99").value.value, cs.tail[1].es) << i;
    EXPECT_EQ(pc.at("var_99.9").value.value, cs.tail[2].var) << i;
    EXPECT_EQ(pc.at("es_99.9").value.value, cs.tail[2].es) << i;
    for (std::int32_t m : c.report_months) {
      const MonthFigures& mf = cs.months[static_cast<std::size_t>(m) - 1];
      EXPECT_EQ(pc.at("overdue30_count", m).value.value, mf.overdue30_count.value) << i << " " << m;
      EXPECT_EQ(pc.at("overdue90_count", m).value.value, mf.overdue90_count.value) << i << " " << m;
      EXPECT_EQ(pc.at("overdue30_balance", m).value.value, mf.overdue30_balance.value) << i << " " << m;
      EXPECT_EQ(pc.at("overdue90_balance", m).value.value, mf.overdue90_balance.value) << i << " " << m;
    }
  }
}

TEST(Compare, UlAndTheNinetyFivePercentTailAgreeWithTheSummary) {
  RunResults r = make_results(60, 3, 2, 1, 2);
  for (std::size_t i = 0; i < r.combos.size(); ++i) fill_random(r, static_cast<int>(i), 300 + i);
  for (const bool weighted : {false, true}) {
    if (weighted) {
      r.path_weight.clear();
      for (int p = 0; p < r.paths; ++p) r.path_weight.push_back(0.25 + 0.05 * (p % 30));
      r.meta.importance_shift = 1.5;
    }
    const Summary s = compute_summary(r);
    const Comparison c = compute_comparison(r);
    EXPECT_EQ(c.weighted, weighted);
    for (std::size_t i = 0; i < c.combos.size(); ++i) {
      const PolicyComparison& pc = c.combos[i];
      const ComboSummary& cs = s.combos[i];
      EXPECT_EQ(pc.at("net_loss").value.value, cs.expected_loss.value) << i;
      EXPECT_EQ(pc.at("unexpected_loss").value.value, cs.unexpected_loss.value) << i;
      EXPECT_GT(pc.at("unexpected_loss").value.se, 0.0) << i;
      EXPECT_EQ(pc.at("revenue").value.value, cs.revenue.value) << i;
      for (std::size_t l = 0; l < 3; ++l) {
        const std::string suffix = l == 0 ? "_95" : l == 1 ? "_99" : "_99.9";
        EXPECT_EQ(pc.at("var" + suffix).value.value, cs.tail[l].var) << i << suffix;
        EXPECT_EQ(pc.at("es" + suffix).value.value, cs.tail[l].es) << i << suffix;
      }
    }
    // The paired difference of a mean figure is the weighted one, path by path.
    const auto x = figure_per_path(r, r.combos[1], "revenue", 0, 0.0), b = figure_per_path(r, r.combos[0], "revenue", 0, 0.0);
    const PairedDifference want = paired_difference(x, b, weighted ? r.path_weight : std::vector<double>{});
    EXPECT_NEAR(c.combos[1].at("revenue").vs_baseline.diff, want.diff, 1e-9 * std::fabs(want.diff));
    EXPECT_NEAR(c.combos[1].at("revenue").vs_baseline.hi, want.hi, 1e-9 * std::fabs(want.hi));
  }
}

TEST(Compare, WeightedPathsWeighEveryDifference) {
  RunResults r = hand_built();
  r.path_weight = {0.5, 1, 2};
  const Comparison c = compute_comparison(r);
  const ComparedValue& ni = c.combos[1].at("net_income");
  // Net income x = (19, 24, 9), baseline (17, 22, 17): value mean(w x) = 51.5 / 3, diff -13/3.
  EXPECT_NEAR(ni.value.value, 51.5 / 3.0, kTol);
  EXPECT_NEAR(ni.vs_baseline.diff, -13.0 / 3.0, kTol);
  EXPECT_NEAR(ni.vs_baseline.pairing_ratio, std::sqrt(1228.0 / 2590.0), kTol);
  // Losses (10, 15, 90) with weights (0.5, 1, 2): UL^2 = sum w (L - EL)^2 / 2, EL = 203 / 3.
  const double el = (5.0 + 15.0 + 180.0) / 3.0;
  const double ul = std::sqrt((0.5 * (10 - el) * (10 - el) + (15 - el) * (15 - el) + 2 * (90 - el) * (90 - el)) / 2);
  EXPECT_NEAR(c.combos[1].at("net_loss").value.value, el, kTol);
  EXPECT_NEAR(c.combos[1].at("unexpected_loss").value.value, ul, kTol);
  EXPECT_EQ(c.combos[1].at("var_95").value.value, 90.0);
}

TEST(Compare, StressViewPairsEveryScenarioWithTheFirst) {
  // 2 scenarios x 2 policies, 3 paths. Loss (cents / 100) of (scenario, policy) on path p:
  //   scen0/pol0 (1, 2, 3), scen0/pol1 (2, 2, 2), scen1/pol0 (4, 2, 9), scen1/pol1 (2, 6, 2).
  RunResults r = make_results(3, 1, 1, 2, 2);
  const std::int64_t loss[4][3] = {{100, 200, 300}, {200, 200, 200}, {400, 200, 900}, {200, 600, 200}};
  for (int combo = 0; combo < 4; ++combo)
    for (int p = 0; p < 3; ++p) at(r, combo, p, 0, kChargeoffLoss) = loss[combo][p];
  const Comparison c = compute_comparison(r);
  ASSERT_EQ(c.stress.size(), 4u);
  EXPECT_EQ(c.baseline_scenario, "scen0");
  // Order: as combos (scenario-major); the baseline scenario's rows are marked and differ by 0.
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(c.stress[i].scenario, c.combos[i].scenario);
    EXPECT_EQ(c.stress[i].policy, c.combos[i].policy);
    EXPECT_EQ(c.stress[i].is_baseline, i < 2);
  }
  EXPECT_EQ(c.stress[0].at("net_loss").vs_baseline.diff, 0.0);
  EXPECT_EQ(c.stress[1].at("es_99").vs_baseline.hi, 0.0);
  // scen1 - scen0 under pol0: d = (3, 0, 6), mean 3, var 9; under pol1: d = (0, 4, 0), mean 4/3.
  const double t2 = 4.302652729749464;
  const ComparedValue& l0 = c.stress[2].at("net_loss");
  EXPECT_NEAR(l0.vs_baseline.diff, 3.0, kTol);
  EXPECT_NEAR(l0.vs_baseline.lo, 3.0 - t2 * 3.0 / std::sqrt(3.0), kTol);
  EXPECT_NEAR(c.stress[3].at("net_loss").vs_baseline.diff, 4.0 / 3.0, kTol);
  // VaR 99% (the largest of 3): pol0 9 - 3 = 6; pol1 6 - 2 = 4. The value is the scenario's own.
  EXPECT_EQ(c.stress[2].at("var_99").vs_baseline.diff, 6.0);
  EXPECT_EQ(c.stress[3].at("var_99").vs_baseline.diff, 4.0);
  EXPECT_EQ(c.stress[2].at("var_99").value.value, 9.0);
  // The policy view is unchanged: pol1 - pol0 in scen1: d = (-2, 4, -7).
  EXPECT_NEAR(c.combos[3].at("net_loss").vs_baseline.diff, -5.0 / 3.0, kTol);
  // Weighted: d = w (x - base), w = (2, 1, 1): (6, 0, 6) under pol0.
  r.path_weight = {2, 1, 1};
  const Comparison cw = compute_comparison(r);
  EXPECT_NEAR(cw.stress[2].at("net_loss").vs_baseline.diff, 4.0, kTol);

  // Outputs: a CSV of the stress view, the JSON with both views.
  const std::string csv = format_comparison_csv(c, CompareView::kStress);
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "scenario,policy,figure,month,unit,value,se,diff,diff_lo,diff_hi,pairing_ratio");
  EXPECT_EQ(static_cast<std::size_t>(std::count(csv.begin(), csv.end(), '\n')), 1 + 4 * c.stress[0].values.size());
  EXPECT_NE(csv.find("\nscen1,pol0,net_loss,,currency,5,"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\nscen1,pol0,var_99,,currency,9,"), std::string::npos) << csv;
  EXPECT_NE(format_comparison_csv(c), csv);
  EXPECT_THROW(format_comparison_csv(c, CompareView::kBoth), std::invalid_argument);
  const std::string json = format_comparison_json(r, c);
  EXPECT_NE(json.find("\"baseline_scenario\": \"scen0\""), std::string::npos);
  EXPECT_NE(json.find("\"stress\": [\n    {\"policy\": \"pol0\", \"scenarios\": ["), std::string::npos) << json;
}

TEST(Compare, BaselineScenarioRowsEqualAFullSelfComparison) {
  // The stress view's baseline-scenario rows are derived from the policy view, not
  // bootstrapped again; the baseline policy's rows of the policy view are a full
  // self-comparison (x against x). The two must agree exactly, weighted or not.
  for (const bool weighted : {false, true}) {
    RunResults r = make_results(40, 3, 2, 2, 3);
    for (std::size_t i = 0; i < r.combos.size(); ++i) fill_random(r, static_cast<int>(i), 900 + i);
    if (weighted)
      for (int p = 0; p < r.paths; ++p) r.path_weight.push_back(0.5 + 0.1 * (p % 7));
    r.meta.baseline_policy = "pol1";
    const Comparison c = compute_comparison(r);
    const PolicyComparison& full = c.combos[1];   // scen0 / pol1 against itself
    const PolicyComparison& derived = c.stress[1];  // scen0 / pol1 against scen0 / pol1
    ASSERT_TRUE(full.is_baseline && derived.is_baseline);
    ASSERT_EQ(full.values.size(), derived.values.size());
    auto same = [](double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); };
    for (std::size_t i = 0; i < full.values.size(); ++i) {
      const std::string name = compare_figures()[full.values[i].figure].name;
      const PairedDifference &a = full.values[i].vs_baseline, &b = derived.values[i].vs_baseline;
      EXPECT_TRUE(same(a.diff, b.diff)) << name;
      EXPECT_TRUE(same(a.lo, b.lo)) << name;
      EXPECT_TRUE(same(a.hi, b.hi)) << name;
      EXPECT_TRUE(same(a.pairing_ratio, b.pairing_ratio)) << name << " " << a.pairing_ratio << " " << b.pairing_ratio;
      EXPECT_EQ(full.values[i].value.value, derived.values[i].value.value) << name;
      EXPECT_EQ(full.values[i].value.se, derived.values[i].value.se) << name;
    }
  }
}

TEST(Compare, IdenticalPoliciesDifferByExactlyZero) {
  RunResults r = make_results(25, 4, 2, 2, 3);
  for (int s = 0; s < 2; ++s) {
    fill_random(r, s * 3 + 0, 7 + s);
    fill_random(r, s * 3 + 1, 7 + s);   // twin of the baseline
    fill_random(r, s * 3 + 2, 99 + s);  // a different policy
  }
  r.meta.cost_of_funds = 0.05;
  r.meta.pnl = {0.02, 1000, 6000, 20000, 2000};  // every P&L line varies over paths too
  const Comparison c = compute_comparison(r);
  for (int s = 0; s < 2; ++s) {
    const PolicyComparison& twin = c.combos[static_cast<std::size_t>(s) * 3 + 1];
    const PolicyComparison& other = c.combos[static_cast<std::size_t>(s) * 3 + 2];
    for (const ComparedValue& v : twin.values) {
      const std::string name = compare_figures()[v.figure].name;
      EXPECT_EQ(v.vs_baseline.diff, 0.0) << name;
      EXPECT_EQ(v.vs_baseline.lo, 0.0) << name;
      EXPECT_EQ(v.vs_baseline.hi, 0.0) << name;
      EXPECT_EQ(v.vs_baseline.pairing_ratio, 0.0) << name;  // every figure varies over paths here
    }
    // The different policy really differs, with a proper interval.
    const ComparedValue& ni = other.at("net_income");
    EXPECT_NE(ni.vs_baseline.diff, 0.0);
    EXPECT_LT(ni.vs_baseline.lo, ni.vs_baseline.diff);
    EXPECT_GT(ni.vs_baseline.hi, ni.vs_baseline.diff);
    EXPECT_GT(ni.vs_baseline.pairing_ratio, 0.0);
  }
}

TEST(Compare, OnePathGivesNotAvailableNotACrash) {
  RunResults r = make_results(1, 3, 1);
  fill_random(r, 0, 1);
  fill_random(r, 1, 2);
  const Comparison c = compute_comparison(r);
  EXPECT_TRUE(std::isnan(c.t_quantile));
  for (const PolicyComparison& pc : c.combos)
    for (const ComparedValue& v : pc.values) {
      const std::string name = compare_figures()[v.figure].name;
      // A standard deviation needs two paths: UL has no value with one.
      EXPECT_EQ(std::isfinite(v.value.value), name != "unexpected_loss") << name;
      EXPECT_EQ(std::isfinite(v.vs_baseline.diff), name != "unexpected_loss") << name;
      EXPECT_TRUE(std::isnan(v.value.se)) << name;
      EXPECT_TRUE(std::isnan(v.vs_baseline.lo)) << name;
      EXPECT_TRUE(std::isnan(v.vs_baseline.hi)) << name;
      EXPECT_TRUE(std::isnan(v.vs_baseline.pairing_ratio)) << name;
    }
  const std::string table = format_comparison_table(r, c);
  EXPECT_NE(table.find("n/a"), std::string::npos);
  EXPECT_EQ(table.find("nan"), std::string::npos);
  const std::string json = format_comparison_json(r, c);
  EXPECT_NE(json.find("\"se\": null"), std::string::npos);
  EXPECT_NE(json.find("\"t_quantile\": null"), std::string::npos);
  EXPECT_EQ(json.find("nan"), std::string::npos);
  // Every row: value, an empty se, diff, then empty diff_lo, diff_hi and pairing_ratio.
  const std::string csv = format_comparison_csv(c);
  std::size_t rows = 0, empty_tails = 0;
  for (std::size_t i = csv.find('\n'); i + 1 < csv.size(); i = csv.find('\n', i + 1)) {
    const std::string line = csv.substr(i + 1, csv.find('\n', i + 1) - i - 1);
    ++rows;
    empty_tails += line.size() > 3 && line.compare(line.size() - 3, 3, ",,,") == 0;
  }
  EXPECT_EQ(rows, 2 * c.combos[0].values.size());
  EXPECT_EQ(empty_tails, rows);
  EXPECT_EQ(csv.find("nan"), std::string::npos);
}

// ---------------------------------------------------------------- baseline choice

TEST(Compare, BaselineIsTheOptionThenTheRunsThenTheFirst) {
  RunResults r = make_results(4, 2, 1, 1, 3);
  for (int i = 0; i < 3; ++i) fill_random(r, i, 50 + i);
  EXPECT_EQ(compute_comparison(r).baseline, "pol0");
  r.meta.baseline_policy = "pol2";
  const Comparison from_run = compute_comparison(r);
  EXPECT_EQ(from_run.baseline, "pol2");
  EXPECT_EQ(from_run.baseline_index, 2u);
  EXPECT_TRUE(from_run.combos[2].is_baseline);
  EXPECT_FALSE(from_run.combos[0].is_baseline);
  EXPECT_EQ(from_run.combos[2].at("revenue").vs_baseline.diff, 0.0);
  CompareOptions opt;
  opt.baseline = "pol1";
  const Comparison from_option = compute_comparison(r, opt);
  EXPECT_EQ(from_option.baseline, "pol1");
  EXPECT_TRUE(from_option.combos[1].is_baseline);
  // The difference flips sign with the baseline.
  EXPECT_NEAR(from_option.combos[2].at("revenue").vs_baseline.diff,
              -from_run.combos[1].at("revenue").vs_baseline.diff, 1e-9);
}

TEST(Compare, UnknownBaselineListsThePolicies) {
  RunResults r = make_results(2, 2, 1, 1, 2);
  CompareOptions opt;
  opt.baseline = "nope";
  try {
    compute_comparison(r, opt);
    FAIL() << "expected UnknownBaseline";
  } catch (const UnknownBaseline& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("'nope'"), std::string::npos) << what;
    EXPECT_NE(what.find("'pol0', 'pol1'"), std::string::npos) << what;
  }
  r.meta.baseline_policy = "gone";
  try {
    compute_comparison(r);
    FAIL() << "expected UnknownBaseline";
  } catch (const UnknownBaseline& e) {
    EXPECT_NE(std::string(e.what()).find("baseline_policy 'gone'"), std::string::npos) << e.what();
  }
}

TEST(Compare, CostOfFundsOptionOverridesTheRunsRate) {
  RunResults r = hand_built();
  CompareOptions opt;
  opt.cost_of_funds = 0.24;  // 2% a month of 400: 8
  const Comparison c = compute_comparison(r, opt);
  EXPECT_EQ(c.cost_of_funds, 0.24);
  EXPECT_NEAR(c.combos[0].at("cost_of_funds").value.value, 8.0, kTol);
  EXPECT_NEAR(c.combos[0].at("net_income").value.value, 56.0 / 3.0 - 4.0, kTol);
  opt.cost_of_funds = std::nan("");
  EXPECT_THROW(compute_comparison(r, opt), std::invalid_argument);
}

TEST(Compare, RefusesMalformedResults) {
  RunResults r = make_results(2, 2, 1);
  r.combos[1].sums.pop_back();
  EXPECT_THROW(compute_comparison(r), std::invalid_argument);
  RunResults swapped = make_results(2, 2, 1);
  std::swap(swapped.combos[0], swapped.combos[1]);
  EXPECT_THROW(compute_comparison(swapped), std::invalid_argument);
  RunResults none = make_results(2, 2, 1);
  none.paths = 0;
  EXPECT_THROW(compute_comparison(none), std::invalid_argument);
}

// ---------------------------------------------------------------- VaR and ES

TEST(Compare, TailDifferencesUseAPairedBootstrap) {
  // Policy 1 loses 2% more than the baseline on each path, plus a little: its
  // VaR moves with the baseline's, so the paired interval is far narrower than
  // an unpaired one and holds the true shift.
  RunResults r = make_results(300, 1, 1);
  std::mt19937_64 gen(2024);
  for (int p = 0; p < 300; ++p) {
    const std::int64_t loss = 100000 + static_cast<std::int64_t>(gen() % 10000000);
    at(r, 0, p, 0, kChargeoffLoss) = loss;
    at(r, 1, p, 0, kChargeoffLoss) = loss + loss / 50 + static_cast<std::int64_t>(gen() % 1000);
  }
  const Comparison c = compute_comparison(r);
  for (const char* name : {"var_99", "es_99", "var_99.9", "es_99.9"}) {
    const ComparedValue& v = c.combos[1].at(name);
    EXPECT_GT(v.vs_baseline.diff, 0.0) << name;
    EXPECT_LE(v.vs_baseline.lo, v.vs_baseline.hi) << name;
    EXPECT_GE(v.vs_baseline.lo, 0.0) << name;       // a 2% rise is never a fall on the same paths
    EXPECT_LT(v.vs_baseline.pairing_ratio, 0.2) << name;
    EXPECT_GT(v.value.se, 0.0) << name;
  }
  // Deterministic: the same inputs give the same bits.
  const Comparison again = compute_comparison(r);
  EXPECT_EQ(again.combos[1].at("es_99").vs_baseline.lo, c.combos[1].at("es_99").vs_baseline.lo);
  EXPECT_EQ(again.combos[1].at("es_99").value.se, c.combos[1].at("es_99").value.se);
}

// ---------------------------------------------------------------- coverage

// Standard normals by Box-Muller from the raw 64-bit output: the same numbers
// with every standard library (std::normal_distribution's are not).
struct Normal {
  std::mt19937_64 gen;
  double uniform() { return (static_cast<double>(gen() >> 11) + 0.5) * 0x1.0p-53; }  // (0, 1)
  double operator()() { return std::sqrt(-2.0 * std::log(uniform())) * std::cos(2.0 * kPi * uniform()); }
};

struct Coverage {
  double rate;
  double mean_ratio;
};

// `reps` experiments of n pairs from a bivariate normal with means (mu_a, mu_b),
// sds (sd_a, sd_b) and correlation rho: how often the paired 95% CI covers mu_a − mu_b.
Coverage coverage(int reps, int n, double rho, std::uint64_t seed) {
  const double mu_a = 10.0, mu_b = 9.4, sd_a = 2.0, sd_b = 2.5;
  Normal z{std::mt19937_64(seed)};
  int covered = 0;
  double ratio_sum = 0.0;
  std::vector<double> a(static_cast<std::size_t>(n)), b(static_cast<std::size_t>(n));
  for (int rep = 0; rep < reps; ++rep) {
    for (int i = 0; i < n; ++i) {
      const double z1 = z(), z2 = z();
      a[static_cast<std::size_t>(i)] = mu_a + sd_a * z1;
      b[static_cast<std::size_t>(i)] = mu_b + sd_b * (rho * z1 + std::sqrt(1.0 - rho * rho) * z2);
    }
    const PairedDifference d = paired_difference(a, b);
    covered += d.lo <= mu_a - mu_b && mu_a - mu_b <= d.hi;
    ratio_sum += d.pairing_ratio;
  }
  return {static_cast<double>(covered) / reps, ratio_sum / reps};
}

TEST(Coverage, PairedIntervalCoversTheTrueDifference95PercentOfTheTime) {
  // 2000 replications: the rate's sd is sqrt(0.95 x 0.05 / 2000) = 0.0049, so
  // [0.93, 0.97] is about +-4 sd.
  const Coverage c30 = coverage(2000, 30, 0.9, 1);
  EXPECT_GE(c30.rate, 0.93);
  EXPECT_LE(c30.rate, 0.97);
  // With n = 5 a normal quantile (1.96 instead of t(0.975, 4) = 2.776) would
  // cover only about 88%: this catches a wrong quantile.
  const Coverage c5 = coverage(2000, 5, 0.9, 2);
  EXPECT_GE(c5.rate, 0.93);
  EXPECT_LE(c5.rate, 0.97);
  // Measured narrowing: sqrt(var(a − b) / (var a + var b)) = sqrt((4 + 6.25 − 2 x 0.9 x 5) / 10.25) = 0.349.
  EXPECT_LT(c30.mean_ratio, 1.0);
  EXPECT_NEAR(c30.mean_ratio, std::sqrt(1.25 / 10.25), 0.03);
  // Without correlation pairing buys nothing: the ratio is about 1, and coverage still holds.
  const Coverage c0 = coverage(2000, 30, 0.0, 3);
  EXPECT_NEAR(c0.mean_ratio, 1.0, 0.05);
  EXPECT_GE(c0.rate, 0.93);
  EXPECT_LE(c0.rate, 0.97);
}

}  // namespace
}  // namespace limitsim
