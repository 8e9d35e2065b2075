// Policy sweeps: the efficient frontier by hand, and a small real sweep whose
// variants are the same bytes as running each variant alone.
#include <gtest/gtest.h>

#include "src/analysis/compare.hpp"
#include "src/config/config.hpp"
#include "src/engine/engine.hpp"
#include "src/analysis/sweep.hpp"

using namespace limitsim;

namespace {

TEST(Frontier, KeepsExactlyTheUndominatedPoints) {
  //                          A    B    C    D    E    F (= A)  G (NaN)
  const std::vector<double> risk = {1.0, 2.0, 2.0, 3.0, 0.5, 1.0, 0.1};
  const std::vector<double> reward = {10.0, 12.0, 11.0, 12.0, 5.0, 10.0, std::nan("")};
  const std::vector<bool> on = efficient_frontier(risk, reward);
  // E (least risk), A and its twin F, B (most reward at least risk); C and D are dominated by B.
  EXPECT_EQ(on, (std::vector<bool>{true, true, false, false, true, true, false}));
  EXPECT_EQ(efficient_frontier({}, {}), std::vector<bool>{});
  EXPECT_EQ(efficient_frontier({3.0, 2.0, 1.0}, {3.0, 2.0, 1.0}), (std::vector<bool>{true, true, true}));
  EXPECT_EQ(efficient_frontier({1.0, 2.0, 3.0}, {3.0, 2.0, 1.0}), (std::vector<bool>{true, false, false}));
}

SweepConfig small_sweep() {
  SweepConfig sc = load_sweep_config(LIMITSIM_SOURCE_DIR "/configs/sweep_lender_rules.toml");
  Overrides o;
  o.customers = 1500;
  o.paths = 4;
  o.months = 15;
  o.threads = 2;
  apply_overrides(sc.run, o);
  return sc;
}

TEST(Sweep, SummaryRowsFrontiersAndCommonRandomNumbers) {
  const SweepConfig sc = small_sweep();
  auto backend = make_cpu_backend(2);
  const RunResults r = run_simulation(sc.run, *backend);
  const Comparison c = compute_comparison(r);
  ASSERT_EQ(c.baseline, "lender_rules");
  const SweepSummary s = summarize_sweep(sc, r, c);
  ASSERT_EQ(s.rows.size(), 25u);
  EXPECT_EQ(s.keys, (std::vector<std::string>{"review.raise_pct", "review.every_months", "freeze.at_dpd"}));
  EXPECT_EQ(s.rows[0].variant, 0);
  EXPECT_EQ(s.rows[0].settings, (std::vector<std::string>{"0.2", "3", "30"}));
  EXPECT_EQ(s.rows[0].net_income_vs_base.diff, 0.0);
  EXPECT_EQ(s.rows[24].settings, (std::vector<std::string>{"0.5", "6", "60"}));
  EXPECT_EQ(s.rows[24].numbers, (std::vector<double>{0.5, 6.0, 60.0}));
  // The flags are the frontier of the rows' own figures, and something is on each.
  std::vector<double> loss, var99, income;
  for (const SweepRow& row : s.rows) {
    loss.push_back(row.net_loss.value);
    var99.push_back(row.var_99);
    income.push_back(row.net_income.value);
  }
  const std::vector<bool> fl = efficient_frontier(loss, income), fv = efficient_frontier(var99, income);
  std::size_t on = 0;
  for (std::size_t i = 0; i < s.rows.size(); ++i) {
    EXPECT_EQ(s.rows[i].frontier_loss, fl[i]);
    EXPECT_EQ(s.rows[i].frontier_var99, fv[i]);
    on += fl[i];
  }
  EXPECT_GE(on, 1u);
  // Variants really differ, and each is exactly what running that policy alone gives.
  EXPECT_NE(r.combos[1].sums, r.combos[24].sums);
  for (const std::size_t v : {std::size_t{7}, std::size_t{24}}) {
    RunConfig alone = sc.run;
    alone.policies = {sc.run.policies[v]};
    alone.baseline.clear();
    const RunResults ra = run_simulation(alone, *backend);
    EXPECT_EQ(ra.combos[0].sums, r.combos[v].sums) << sc.run.policies[v].name;
  }
}

TEST(Sweep, CsvHasOneRowPerPolicyWithTheFlags) {
  const SweepConfig sc = small_sweep();
  auto backend = make_cpu_backend(2);
  const RunResults r = run_simulation(sc.run, *backend);
  const SweepSummary s = summarize_sweep(sc, r, compute_comparison(r));
  const std::string csv = format_sweep_csv(s);
  std::size_t lines = 0;
  for (const char ch : csv) lines += ch == '\n';
  EXPECT_EQ(lines, 26u);
  EXPECT_EQ(csv.rfind("scenario,policy,variant,review.raise_pct,review.every_months,freeze.at_dpd,net_loss,", 0), 0u);
  EXPECT_NE(csv.find("\nbaseline,lender_rules,0,0.2,3,30,"), std::string::npos);
  EXPECT_NE(csv.find("\nbaseline,lender_rules.v24,24,0.5,6,60,"), std::string::npos);
  // A comparison against another policy is refused.
  CompareOptions other;
  other.baseline = sc.run.policies[3].name;
  EXPECT_THROW(summarize_sweep(sc, r, compute_comparison(r, other)), std::invalid_argument);
}

}  // namespace
