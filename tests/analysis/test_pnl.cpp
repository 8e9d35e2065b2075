// The P&L (src/analysis/pnl.cpp; docs/pnl.md): every line of a month worked out by
// hand from made-up sums, the net income identity, the net income of files written
// before [pnl], and the comparison's ranking turning when the costs make it so.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>

#include "src/analysis/compare.hpp"
#include "src/analysis/pnl.hpp"
#include "src/analysis/regulatory.hpp"
#include "src/analysis/summary.hpp"
#include "tests/analysis/compare_fixture.hpp"

namespace limitsim {
namespace {

using namespace compare_test;

// One path, two months, one segment, two policies; combo 0 holds the made-up sums below.
//   month 1: interest 123.45, fees 25.00, spend 1000.00, balance 5000.00, 10 accounts open, all 10 new,
//            buckets 0/1/2 holding 8/1/1 accounts (2 delinquent), no loss
//   month 2: interest 200.00, reversals 30.00, spend 500.00, balance 4000.00, loss 600.00, 9 open,
//            none new, buckets 0/3/5 holding 7/1/1 (2 delinquent)
RunResults made_up() {
  RunResults r = make_results(1, 2, 1);
  auto set = [&](int month, int metric, std::int64_t v) { at(r, 0, 0, month, metric) = v; };
  set(0, kInterest, 12345);
  set(0, kFees, 2500);
  set(0, kSpend, 100000);
  set(0, kBalance, 500000);
  set(0, kActive, 10);
  set(0, kNewAccountCount, 10);
  set(0, kBucketCount0 + 0, 8);
  set(0, kBucketCount0 + 1, 1);
  set(0, kBucketCount0 + 2, 1);
  set(1, kInterest, 20000);
  set(1, kReversal, 3000);
  set(1, kSpend, 50000);
  set(1, kBalance, 400000);
  set(1, kChargeoffLoss, 60000);
  set(1, kActive, 9);
  set(1, kBucketCount0 + 0, 7);
  set(1, kBucketCount0 + 3, 1);
  set(1, kBucketCount0 + 5, 1);
  r.meta.cost_of_funds = 0.06;
  // interchange 2%, annual fee 120, operating cost 60 a year, acquisition 200, collection 20 a month
  r.meta.pnl = {0.02, 12000, 6000, 20000, 2000};
  return r;
}

// The lines of month (0-based) t of the made-up run.
PnlValues month_lines(const RunResults& r, int t) {
  const auto per_path = pnl_per_path(r, r.combos[0], run_pnl_rates(r), t, t + 1);
  PnlValues v{};
  for (int l = 0; l < kNumPnlLines; ++l) v[static_cast<std::size_t>(l)] = per_path[static_cast<std::size_t>(l)][0];
  return v;
}

TEST(Pnl, EveryLineOfAMonthByHand) {
  const RunResults r = made_up();
  const PnlValues m1 = month_lines(r, 0);
  EXPECT_NEAR(m1[kPnlInterest], 123.45, kTol);
  EXPECT_NEAR(m1[kPnlFees], 25.0, kTol);
  EXPECT_NEAR(m1[kPnlReversals], 0.0, kTol);
  EXPECT_NEAR(m1[kPnlInterchange], 20.0, kTol);       // 2% of 1000
  EXPECT_NEAR(m1[kPnlAnnualFees], 100.0, kTol);       // 120 / 12 x 10 accounts
  EXPECT_NEAR(m1[kPnlCostOfFunds], 25.0, kTol);       // 6% / 12 x 5000
  EXPECT_NEAR(m1[kPnlOperatingCost], 50.0, kTol);     // 60 / 12 x 10 accounts
  EXPECT_NEAR(m1[kPnlAcquisitionCost], 2000.0, kTol); // 200 x 10 new accounts
  EXPECT_NEAR(m1[kPnlCollectionCost], 40.0, kTol);    // 20 x 2 delinquent accounts
  EXPECT_NEAR(m1[kPnlNetLoss], 0.0, kTol);
  // 123.45 + 25 - 0 + 20 + 100 - 25 - 50 - 2000 - 40 - 0
  EXPECT_NEAR(m1[kPnlNetIncome], -1846.55, kTol);
  EXPECT_NEAR(m1[kPnlRiskAdjustedMargin], 12.0 * -1846.55 / 5000.0, kTol);

  const PnlValues m2 = month_lines(r, 1);
  EXPECT_NEAR(m2[kPnlInterest], 200.0, kTol);
  EXPECT_NEAR(m2[kPnlFees], 0.0, kTol);
  EXPECT_NEAR(m2[kPnlReversals], 30.0, kTol);
  EXPECT_NEAR(m2[kPnlInterchange], 10.0, kTol);
  EXPECT_NEAR(m2[kPnlAnnualFees], 90.0, kTol);        // 120 / 12 x 9
  EXPECT_NEAR(m2[kPnlCostOfFunds], 20.0, kTol);
  EXPECT_NEAR(m2[kPnlOperatingCost], 45.0, kTol);
  EXPECT_NEAR(m2[kPnlAcquisitionCost], 0.0, kTol);
  EXPECT_NEAR(m2[kPnlCollectionCost], 40.0, kTol);    // buckets 3 and 5
  EXPECT_NEAR(m2[kPnlNetLoss], 600.0, kTol);
  // 200 + 0 - 30 + 10 + 90 - 20 - 45 - 0 - 40 - 600
  EXPECT_NEAR(m2[kPnlNetIncome], -435.0, kTol);
  EXPECT_NEAR(m2[kPnlRiskAdjustedMargin], 12.0 * -435.0 / 4000.0, kTol);

  // Over the horizon: the sums of the months, and the margin on the summed balance.
  const auto all = pnl_per_path(r, r.combos[0], run_pnl_rates(r), 0, 2);
  EXPECT_NEAR(all[kPnlNetIncome][0], -2281.55, kTol);
  EXPECT_NEAR(all[kPnlAcquisitionCost][0], 2000.0, kTol);
  EXPECT_NEAR(all[kPnlRiskAdjustedMargin][0], 12.0 * -2281.55 / 9000.0, kTol);
}

TEST(Pnl, TheMonthlyMeansAndTheHorizonAreTheseLines) {
  const RunResults r = made_up();
  const auto monthly = pnl_monthly(r, r.combos[0], run_pnl_rates(r), {});
  ASSERT_EQ(monthly.size(), 2u);
  for (int t = 0; t < 2; ++t)
    for (int l = 0; l < kNumPnlLines; ++l)
      EXPECT_EQ(monthly[static_cast<std::size_t>(t)][static_cast<std::size_t>(l)].value,
                month_lines(r, t)[static_cast<std::size_t>(l)])
          << pnl_line_info(l).name;
  const auto horizon = pnl_horizon(r, r.combos[0], run_pnl_rates(r), {});
  EXPECT_NEAR(horizon[kPnlNetIncome].value, -2281.55, kTol);
  // The summary's P&L block is this one.
  const Summary s = compute_summary(r);
  for (int l = 0; l < kNumPnlLines; ++l)
    EXPECT_EQ(s.combos[0].pnl[static_cast<std::size_t>(l)].value, horizon[static_cast<std::size_t>(l)].value);
}

TEST(Pnl, NetIncomeIsTheSumOfItsLinesWithTheirSigns) {
  RunResults r = make_results(20, 5, 2, 1, 2);
  fill_random(r, 0, 3);
  fill_random(r, 1, 4);
  std::mt19937_64 gen(11);
  for (int trial = 0; trial < 20; ++trial) {
    const PnlRates rates{static_cast<double>(gen() % 1000) / 10000.0,
                         {static_cast<double>(gen() % 1000) / 10000.0, static_cast<std::int64_t>(gen() % 50000),
                          static_cast<std::int64_t>(gen() % 50000), static_cast<std::int64_t>(gen() % 50000),
                          static_cast<std::int64_t>(gen() % 50000)}};
    for (const ComboSums& c : r.combos) {
      const auto lines = pnl_per_path(r, c, rates, 0, r.months);
      for (int p = 0; p < r.paths; ++p) {
        double sum = 0.0, scale = 0.0;
        for (int l = 0; l < kNumPnlLines; ++l) {
          const double x = lines[static_cast<std::size_t>(l)][static_cast<std::size_t>(p)];
          sum += pnl_line_info(l).sign * x;
          scale += std::fabs(x);
        }
        const double ni = lines[kPnlNetIncome][static_cast<std::size_t>(p)];
        EXPECT_NEAR(ni, sum, 1e-12 * scale) << "trial " << trial << " path " << p;
      }
    }
  }
}

TEST(Pnl, WithoutPnlParametersNetIncomeIsTodaysBitForBit) {
  RunResults r = make_results(30, 6, 2, 1, 2);
  fill_random(r, 0, 21);
  fill_random(r, 1, 22);
  r.meta.cost_of_funds = 0.0437;
  ASSERT_EQ(r.meta.pnl.interchange_rate, 0.0);  // a file written before [pnl] reads as all 0
  const Comparison c = compute_comparison(r);
  for (std::size_t k = 0; k < r.combos.size(); ++k) {
    const std::vector<double> ni = figure_per_path(r, r.combos[k], "net_income", 0, r.meta.cost_of_funds);
    for (int p = 0; p < r.paths; ++p) {
      std::int64_t revenue = 0, loss = 0, balance = 0;
      for (int t = 0; t < r.months; ++t) {
        const PortfolioRow row = r.portfolio_row(r.combos[k], p, t);
        revenue += row[kInterest] + row[kFees] - row[kReversal];
        loss += row[kChargeoffLoss];
        balance += row[kBalance];
      }
      // The formula of schema <= 1.4: integer cents of revenue - loss, then the cost of funds.
      const double before = static_cast<double>(revenue - loss) / 100.0 -
                            r.meta.cost_of_funds / 12.0 * (static_cast<double>(balance) / 100.0);
      EXPECT_EQ(ni[static_cast<std::size_t>(p)], before) << "combo " << k << " path " << p;
    }
    for (const char* line : {"interchange", "annual_fees", "operating_cost", "acquisition_cost", "collection_cost"})
      EXPECT_EQ(c.combos[k].at(line).value.value, 0.0) << line;
  }
}

// Policy 1 earns 100.00 more interest a month than policy 0 on every path but keeps
// 50 more accounts open. Without an operating cost it ranks first; at 60 a year per
// account the 50 accounts cost 250 a month and it ranks last, both with paired
// intervals that exclude 0.
TEST(Pnl, CompareRankingTurnsWhenOperatingCostsMakeItSo) {
  RunResults r = make_results(8, 3, 1, 1, 2);
  for (int p = 0; p < r.paths; ++p)
    for (int t = 0; t < r.months; ++t) {
      const std::int64_t base = 50000 + 1000 * p + 300 * t;  // interest, cents, varying over paths
      at(r, 0, p, t, kInterest) = base;
      at(r, 1, p, t, kInterest) = base + 10000;
      at(r, 0, p, t, kActive) = at(r, 0, p, t, kBucketCount0) = 50 + p;
      at(r, 1, p, t, kActive) = at(r, 1, p, t, kBucketCount0) = 100 + p;
      at(r, 0, p, t, kBalance) = at(r, 1, p, t, kBalance) = 1000000;
    }
  r.meta.cost_of_funds = 0.0;
  r.meta.pnl = {};
  Comparison c = compute_comparison(r);
  EXPECT_EQ(rank_by_net_income(c, 0), (std::vector<std::size_t>{1, 0}));
  const ComparedValue& cheap = c.combos[1].at("net_income");
  EXPECT_NEAR(cheap.vs_baseline.diff, 3 * 100.0, kTol);
  EXPECT_GT(cheap.vs_baseline.lo, 0.0);

  r.meta.pnl.operating_cost = 6000;  // 60 a year: 5 a month per open account
  c = compute_comparison(r);
  EXPECT_EQ(rank_by_net_income(c, 0), (std::vector<std::size_t>{0, 1}));
  const ComparedValue& dear = c.combos[1].at("net_income");
  EXPECT_NEAR(dear.vs_baseline.diff, 3 * (100.0 - 50 * 5.0), kTol);
  EXPECT_LT(dear.vs_baseline.hi, 0.0);
  EXPECT_NEAR(c.combos[1].at("operating_cost").vs_baseline.diff, 3 * 50 * 5.0, kTol);
  // The table and the JSON show the ranking and the margin.
  const std::string table = format_comparison_table(r, c);
  EXPECT_NE(table.find("ranked by net income"), std::string::npos) << table;
  EXPECT_NE(table.find("risk_adjusted_margin"), std::string::npos);
  const std::string json = format_comparison_json(r, c);
  EXPECT_NE(json.find("\"net_income_ranking\": [\"pol0\", \"pol1\"]"), std::string::npos) << json;
  EXPECT_NE(json.find("\"operating_cost\": 60"), std::string::npos);
}

TEST(Pnl, RiskAdjustedMarginIsTheAnnualisedIncomeOverTheMeanBalance) {
  const RunResults r = made_up();
  const Comparison c = compute_comparison(r);
  // One path: the mean over paths is the path's own -12 x 2281.55 / 9000.
  EXPECT_NEAR(c.combos[0].at("risk_adjusted_margin").value.value, 12.0 * -2281.55 / 9000.0, kTol);
  EXPECT_EQ(c.combos[1].at("risk_adjusted_margin").value.value, 0.0);  // no balance: 0
}

TEST(Pnl, RegulatoryNetIncomeIsTheFirstYearsPnl) {
  RunResults r = make_results(6, 14, 2, 1, 2);
  fill_random(r, 0, 5);
  fill_random(r, 1, 6);
  r.meta.cost_of_funds = 0.05;
  r.meta.pnl = {0.015, 5000, 7000, 10000, 1500};
  const RegulatorySummary rep = compute_regulatory(r);
  const auto lines = pnl_per_path(r, r.combos[0], run_pnl_rates(r), 0, kRegulatoryMonths);
  double mean = 0.0;
  for (double x : lines[kPnlNetIncome]) mean += x;
  mean /= static_cast<double>(r.paths);
  EXPECT_NEAR(rep.combos[0].expected_net_income, mean, 1e-9 * std::fabs(mean));
}

}  // namespace
}  // namespace limitsim
