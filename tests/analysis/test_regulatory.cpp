// One-year regulatory figures from the exact sums (src/analysis/regulatory.hpp), on a book worked by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "src/analysis/compare.hpp"
#include "src/analysis/regulatory.hpp"
#include "tests/analysis/compare_fixture.hpp"

namespace limitsim {
namespace {

using compare_test::at;
using compare_test::fill_random;
using compare_test::make_results;

// 4 paths x 13 months x 2 segments, one scenario and policy. Segment 0 (100
// customers): on path p, p + 1 accounts charged off in month 3 with exposure
// 1,000 each and net loss 800 each; 10 more in month 13, outside the year.
// Segment 1 (50 customers): no charge-off. Month 1: balances 50,000 and
// 20,000, interest 1,000 in segment 0. Cost of funds 12% a year.
RunResults book() {
  RunResults r = make_results(4, 13, 2, 1, 1);
  r.segment_names = {"a", "b"};
  r.segment_customers = {100, 50};
  r.meta.cost_of_funds = 0.12;
  for (int p = 0; p < 4; ++p) {
    at(r, 0, p, 2, kChargeoffCount, 0) = p + 1;
    at(r, 0, p, 2, kChargeoffExposure, 0) = 100000 * (p + 1);
    at(r, 0, p, 2, kChargeoffLoss, 0) = 80000 * (p + 1);
    at(r, 0, p, 12, kChargeoffCount, 0) = 10;
    at(r, 0, p, 12, kChargeoffExposure, 0) = 9000000;
    at(r, 0, p, 12, kChargeoffLoss, 0) = 9000000;
    at(r, 0, p, 0, kBalance, 0) = 5000000;
    at(r, 0, p, 0, kBalance, 1) = 2000000;
    at(r, 0, p, 0, kInterest, 0) = 100000;
    at(r, 0, p, 0, kBucketBalance0 + 0, 0) = 4000000;  // current
    at(r, 0, p, 0, kBucketBalance0 + 2, 0) = 600000;   // 31-60 DPD
    at(r, 0, p, 0, kBucketBalance0 + 4, 1) = 400000;   // 91-120 DPD
  }
  return r;
}

TEST(Regulatory, OneYearFiguresByHand) {
  const RegulatorySummary s = compute_regulatory(book());
  ASSERT_EQ(s.combos.size(), 1u);
  const ComboRegulatory& c = s.combos[0];
  // Losses 800, 1600, 2400, 3200: EL 2000, VaR 99.9% = x_(ceil(3.996)) = 3200.
  EXPECT_EQ(c.economic.expected_loss, 2000.0);
  EXPECT_EQ(c.economic.var, 3200.0);
  EXPECT_EQ(c.economic.capital, 1200.0);
  // Net income: 1000 - 800 (p + 1) - 0.01 x 70,000, mean -1700.
  EXPECT_DOUBLE_EQ(c.expected_net_income, -1700.0);
  EXPECT_DOUBLE_EQ(c.raroc, -1700.0 / 1200.0);
  ASSERT_EQ(c.segments.size(), 2u);
  const SegmentRiskParameters& a = c.segments[0];
  EXPECT_EQ(a.defaults, 2.5);
  EXPECT_DOUBLE_EQ(a.pd, 0.025);
  EXPECT_DOUBLE_EQ(a.lgd, 0.8);
  EXPECT_DOUBLE_EQ(a.ead_per_default, 1000.0);
  EXPECT_EQ(a.drawn, 50000.0);
  const IrbCapital k = irb_qrre(0.025, 0.8);
  EXPECT_NEAR(a.irb.k, k.k, 1e-15);
  EXPECT_NEAR(a.rwa_drawn, 12.5 * k.k * 50000.0, 1e-9);
  const SegmentRiskParameters& b = c.segments[1];
  EXPECT_EQ(b.pd, 0.0);
  EXPECT_TRUE(std::isnan(b.lgd));  // no charge-off: no LGD, no IRB capital
  EXPECT_EQ(b.irb.k, 0.0);
  EXPECT_NEAR(c.irb_capital_drawn, k.k * 50000.0, 1e-9);
  // The 1.06 scaling multiplies the RWA and the capital on it.
  IrbOptions scaled;
  scaled.scaling = true;
  EXPECT_NEAR(compute_regulatory(book(), scaled).combos[0].rwa_drawn, 1.06 * c.rwa_drawn, 1e-9);
  EXPECT_NE(format_regulatory_table(s).find("economic capital"), std::string::npos);
  EXPECT_NE(format_regulatory_json(s).find("\"economic_capital\": 1200"), std::string::npos);
}

TEST(Regulatory, AllowancePathByHand) {
  // Two paths, three months; v = 1 / 1.01 at 12% a year.
  const std::vector<std::vector<double>> loss{{100, 0, 50}, {0, 200, 0}};
  const double v = 1.0 / 1.01;
  const std::vector<double> a = lifetime_allowance_path(loss, {}, 0.12);
  ASSERT_EQ(a.size(), 4u);
  EXPECT_NEAR(a[0], 0.5 * ((100 * v + 50 * v * v * v) + 200 * v * v), 1e-12);
  EXPECT_NEAR(a[1], 0.5 * (50 * v * v + 200 * v), 1e-12);
  EXPECT_NEAR(a[2], 0.5 * (50 * v), 1e-12);
  EXPECT_EQ(a[3], 0.0);
  // Weights: the weighted mean; undiscounted, the start is the expected loss.
  const std::vector<double> w = lifetime_allowance_path(loss, {0.5, 1.5}, 0.0);
  EXPECT_DOUBLE_EQ(w[0], 0.5 * (0.5 * 150 + 1.5 * 200));
  EXPECT_THROW(lifetime_allowance_path(loss, {}, std::nan("")), std::invalid_argument);
}

TEST(Regulatory, AllowanceOfARunIsItsDiscountedExpectedLossAndStagesFollowTheBuckets) {
  const RunResults r = book();
  const RegulatorySummary s = compute_regulatory(r, {}, 0.12);
  const ComboRegulatory& c = s.combos[0];
  // Losses: 800 (p + 1) in month 3, 90,000 in month 13 on every path.
  const double v = 1.0 / 1.01;
  EXPECT_NEAR(c.lifetime_allowance[0], 2000.0 * std::pow(v, 3) + 90000.0 * std::pow(v, 13), 1e-8);
  EXPECT_NEAR(c.lifetime_allowance[3], 90000.0 * std::pow(v, 10), 1e-8);
  EXPECT_EQ(c.lifetime_allowance[13], 0.0);
  // Undiscounted, the allowance at the start is the summary's expected loss over the horizon, exactly.
  const RegulatorySummary flat = compute_regulatory(r, {}, 0.0);
  EXPECT_NEAR(flat.combos[0].lifetime_allowance[0], 2000.0 + 90000.0, 1e-9);
  ASSERT_EQ(c.stages.size(), 13u);
  EXPECT_EQ(c.stages[0].stage1, 40000.0);
  EXPECT_EQ(c.stages[0].stage2, 6000.0);
  EXPECT_EQ(c.stages[0].stage3, 4000.0);
  EXPECT_EQ(c.stages[1].stage1, 0.0);
  // Without a rate, the realised yield: 12 x 1,000 / 70,000 (interest and balances of month 1 only).
  const RegulatorySummary est = compute_regulatory(r);
  EXPECT_TRUE(est.eir_estimated);
  EXPECT_DOUBLE_EQ(est.eir, 12.0 * 100000.0 / 7000000.0);
}

TEST(Regulatory, NeedsAYear) {
  RunResults r = make_results(2, 11, 1, 1, 1);
  r.segment_names = {"a"};
  r.segment_customers = {10};
  EXPECT_THROW(compute_regulatory(r), std::invalid_argument);
}

TEST(Regulatory, RarocInCompareIsIncomeOverCapitalWithPairedIntervals) {
  RunResults r = make_results(50, 4, 2, 2, 3);
  for (std::size_t i = 0; i < r.combos.size(); ++i) fill_random(r, static_cast<int>(i), 900 + i);
  const Comparison plain = compute_comparison(r);
  CompareOptions opt;
  opt.raroc = true;
  const Comparison c = compute_comparison(r, opt);
  ASSERT_EQ(c.combos[0].values.size(), plain.combos[0].values.size() + 1);
  EXPECT_THROW(plain.combos[0].at("raroc"), std::out_of_range);  // off unless asked for
  for (std::size_t i = 0; i < c.combos.size(); ++i) {
    const PolicyComparison& pc = c.combos[i];
    // Asking for RAROC changes no other figure.
    for (std::size_t k = 0; k < plain.combos[i].values.size(); ++k) {
      EXPECT_EQ(pc.values[k].value.value, plain.combos[i].values[k].value.value);
      EXPECT_EQ(pc.values[k].vs_baseline.lo, plain.combos[i].values[k].vs_baseline.lo);
    }
    const double capital = pc.at("var_99.9").value.value - pc.at("net_loss").value.value;
    const ComparedValue& v = pc.at("raroc");
    EXPECT_EQ(v.value.value, pc.at("net_income").value.value / capital) << i;
    EXPECT_GT(v.value.se, 0.0);
    const PolicyComparison& base = c.combos[(i / 3) * 3];
    EXPECT_EQ(v.vs_baseline.diff, v.value.value - base.at("raroc").value.value);
    if (pc.is_baseline) {
      EXPECT_EQ(v.vs_baseline.lo, 0.0);
      EXPECT_EQ(v.vs_baseline.hi, 0.0);
    } else {
      EXPECT_LE(v.vs_baseline.lo, v.vs_baseline.hi);
      EXPECT_GT(v.vs_baseline.pairing_ratio, 0.0);
    }
  }
  EXPECT_NE(format_comparison_csv(c).find(",raroc,"), std::string::npos);
}

}  // namespace
}  // namespace limitsim
