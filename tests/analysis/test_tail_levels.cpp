// Tail levels the user chooses ([run] tail_levels, --tail-levels): exact
// fractions, their names, and VaR and ES at them in the summary, the
// comparison and the result file.
#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "src/analysis/compare.hpp"
#include "src/analysis/summary.hpp"
#include "src/io/h5io.hpp"
#include "src/util/tail_level.hpp"
#include "tests/analysis/compare_fixture.hpp"

namespace limitsim {
namespace {

using compare_test::make_results;

TEST(TailLevel, ExactDecimalFractions) {
  TailLevel l{};
  ASSERT_TRUE(tail_level_of(0.95, l));
  EXPECT_EQ(l.num, 95);
  EXPECT_EQ(l.den, 100);
  ASSERT_TRUE(tail_level_of(0.999, l));
  EXPECT_EQ(l.num, 999);
  EXPECT_EQ(l.den, 1000);
  ASSERT_TRUE(tail_level_of(0.9995, l));
  EXPECT_EQ(l.num, 9995);
  EXPECT_EQ(l.den, 10000);
  EXPECT_EQ(l.value(), 0.9995);
  ASSERT_TRUE(tail_level_of(0.5, l));
  EXPECT_EQ(l.num, 5);
  EXPECT_EQ(l.den, 10);
  EXPECT_FALSE(tail_level_of(0.0, l));
  EXPECT_FALSE(tail_level_of(1.0, l));
  EXPECT_FALSE(tail_level_of(0.1234567891, l));  // ten decimals
  EXPECT_FALSE(tail_level_of(1.0 / 3.0, l));
}

TEST(TailLevel, PercentNames) {
  EXPECT_EQ(tail_level_percent(TailLevel{95, 100}), "95");
  EXPECT_EQ(tail_level_percent(TailLevel{999, 1000}), "99.9");
  EXPECT_EQ(tail_level_percent(TailLevel{975, 1000}), "97.5");
  EXPECT_EQ(tail_level_percent(TailLevel{9995, 10000}), "99.95");
  EXPECT_EQ(tail_level_percent(TailLevel{1, 1000}), "0.1");
  EXPECT_EQ(tail_level_percent(TailLevel{1, 100000}), "0.001");
  EXPECT_EQ(tail_level_percent(TailLevel{5, 10}), "50");
  EXPECT_EQ(tail_level_percent(0.995), "99.5");
  EXPECT_EQ(tail_level_percent(0.999999999), "99.9999999");
}

TEST(TailLevel, ListErrors) {
  int i = -2;
  EXPECT_EQ(tail_levels_error({0.95, 0.99, 0.999}, &i), "");
  EXPECT_EQ(tail_levels_error({}, &i), "must list at least one level");
  EXPECT_EQ(i, -1);
  EXPECT_EQ(tail_levels_error({0.99, 0.95}, &i), "levels must be in increasing order");
  EXPECT_EQ(i, 1);
  EXPECT_EQ(tail_levels_error({0.95, 0.95}, &i), "is listed twice");
  EXPECT_EQ(tail_levels_error({0.0}, &i), "must be in (0, 1)");
  EXPECT_EQ(i, 0);
  EXPECT_THROW(tail_levels_of({0.5, 1.5}), std::invalid_argument);
}

TEST(TailLevel, LossRiskAtChosenLevelsByHand) {
  // Losses 1..200 in a shuffled order: VaR_q = x_(ceil(200 q)), ES_q = the mean of the top 200 - k + 1.
  std::vector<double> loss;
  for (int i = 0; i < 200; ++i) loss.push_back(static_cast<double>((i * 37) % 200 + 1));
  const LossRisk r = loss_risk(loss, {}, 0, {{975, 1000}, {995, 1000}});
  ASSERT_EQ(r.tail.size(), 2u);
  EXPECT_EQ(r.tail[0].level, 0.975);
  EXPECT_EQ(r.tail[0].var, 195.0);   // ceil(195) = 195
  EXPECT_EQ(r.tail[0].es, 197.5);    // mean of 195..200
  EXPECT_EQ(r.tail[1].var, 199.0);   // ceil(199) = 199
  EXPECT_EQ(r.tail[1].es, 199.5);
  EXPECT_EQ(r.tail[1].paths_beyond, 2);
  // The default levels, given explicitly, are the default figures bit for bit.
  const LossRisk a = loss_risk(loss, {}, 50), b = loss_risk(loss, {}, 50, {{95, 100}, {99, 100}, {999, 1000}});
  ASSERT_EQ(a.tail.size(), b.tail.size());
  for (std::size_t l = 0; l < a.tail.size(); ++l) {
    EXPECT_EQ(a.tail[l].var, b.tail[l].var);
    EXPECT_EQ(a.tail[l].es_se, b.tail[l].es_se);
    EXPECT_EQ(a.tail[l].var_lo, b.tail[l].var_lo);
  }
  // A level's figures do not depend on the other levels listed.
  const LossRisk one = loss_risk(loss, {}, 50, {{975, 1000}});
  const LossRisk two = loss_risk(loss, {}, 50, {{95, 100}, {975, 1000}});
  EXPECT_EQ(one.tail[0].var, two.tail[1].var);
  EXPECT_EQ(one.tail[0].es, two.tail[1].es);
  EXPECT_THROW(loss_risk(loss, {}, 0, {}), std::invalid_argument);
}

TEST(TailLevel, CompareFiguresFollowTheLevels) {
  const std::vector<CompareFigure>& def = compare_figures();
  ASSERT_GE(def.size(), 8u);
  EXPECT_STREQ(def[2].name, "var_95");
  EXPECT_STREQ(def[2].description,
               "VaR 95% of net_loss over paths: order statistic ceil(0.95 P) (weighted: mass rule)");
  EXPECT_STREQ(def[7].name, "es_99.9");
  EXPECT_STREQ(def[7].description, "ES 99.9% of net_loss: mean of the losses at or beyond VaR 99.9%");
  EXPECT_STREQ(def[8].name, "revenue");
  const std::vector<CompareFigure>& two = compare_figures({{975, 1000}, {9995, 10000}});
  ASSERT_EQ(two.size(), def.size() - 2);
  EXPECT_STREQ(two[2].name, "var_97.5");
  EXPECT_STREQ(two[2].description,
               "VaR 97.5% of net_loss over paths: order statistic ceil(0.975 P) (weighted: mass rule)");
  EXPECT_STREQ(two[5].name, "es_99.95");
  EXPECT_STREQ(two[6].name, "revenue");
  EXPECT_EQ(&compare_figures({{975, 1000}, {9995, 10000}}), &two);  // built once
}

TEST(TailLevel, SummaryComparisonAndFileAtChosenLevels) {
  // Losses only, so that the file passes the reader's checks (counts within the segments' customers,
  // exposure = loss + recovery): random net losses, their exposure equal, no recovery.
  RunResults r = make_results(40, 3, 2, 1, 2);
  r.segment_customers = {50, 50};
  for (std::size_t i = 0; i < r.combos.size(); ++i) {
    std::mt19937_64 gen(700 + i);
    for (int p = 0; p < r.paths; ++p)
      for (int m = 0; m < r.months; ++m)
        for (int g = 0; g < r.segments; ++g) {
          const auto loss = static_cast<std::int64_t>(gen() % 100000);
          compare_test::at(r, static_cast<int>(i), p, m, kChargeoffLoss, g) = loss;
          compare_test::at(r, static_cast<int>(i), p, m, kChargeoffExposure, g) = loss;
        }
  }
  const Summary base = compute_summary(r);
  r.meta.tail_levels = {0.99, 0.995};
  const Summary s = compute_summary(r);
  const Comparison c = compute_comparison(r);
  ASSERT_EQ(s.levels.size(), 2u);
  for (std::size_t i = 0; i < s.combos.size(); ++i) {
    const ComboSummary& cs = s.combos[i];
    ASSERT_EQ(cs.tail.size(), 2u);
    EXPECT_EQ(cs.tail[0].var, base.combos[i].tail[1].var);  // 0.99 as before
    EXPECT_EQ(cs.tail[0].es, base.combos[i].tail[1].es);
    EXPECT_EQ(cs.tail[1].level, 0.995);
    EXPECT_EQ(cs.by_segment.var.size(), 2u);
    EXPECT_EQ(c.combos[i].at("var_99.5").value.value, cs.tail[1].var);
    EXPECT_EQ(c.combos[i].at("es_99").value.value, cs.tail[0].es);
    EXPECT_THROW(c.combos[i].at("var_95"), std::out_of_range);
  }
  EXPECT_NE(format_summary_csv(s).find(",var_99.5,currency,"), std::string::npos);
  EXPECT_NE(format_summary_json(r, s).find("\"es_99.5\": {"), std::string::npos);
  EXPECT_NE(format_comparison_csv(c, CompareView::kPolicies).find(",var_99.5,"), std::string::npos);
  // The file keeps the levels: read back, the summary is the same.
  const std::string path = ::testing::TempDir() + "tail_levels.h5";
  write_results_h5(r, s, c, path);
  const RunResults back = read_results_h5(path);
  EXPECT_EQ(back.meta.tail_levels, r.meta.tail_levels);
  const Summary again = compute_summary(back);
  EXPECT_EQ(again.combos[0].tail[1].var, s.combos[0].tail[1].var);
  // A file of the default levels reads back with none chosen.
  r.meta.tail_levels.clear();
  write_results_h5(r, base, compute_comparison(r), path);
  EXPECT_TRUE(read_results_h5(path).meta.tail_levels.empty());
  std::remove(path.c_str());
}

}  // namespace
}  // namespace limitsim
