// One-year regulatory figures from the exact sums (src/analysis/regulatory.hpp), on a book worked by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "src/analysis/regulatory.hpp"
#include "tests/analysis/compare_fixture.hpp"

namespace limitsim {
namespace {

using compare_test::at;
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

TEST(Regulatory, NeedsAYear) {
  RunResults r = make_results(2, 11, 1, 1, 1);
  r.segment_names = {"a"};
  r.segment_customers = {10};
  EXPECT_THROW(compute_regulatory(r), std::invalid_argument);
}

}  // namespace
}  // namespace limitsim
