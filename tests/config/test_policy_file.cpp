// The policy file's levers (src/config/policy_file.cpp): every validation error, the rules between levers,
// and the shipped policies.
#include <gtest/gtest.h>

#include "tests/config/config_fixture.hpp"

namespace limitsim {
namespace {

using namespace config_test;

// ------------------------------------------------------------ policy levers

TEST_F(Config, EveryPolicyLeverValidationErrorNamesFileKeyAndReason) {
  struct Case {
    const char* body;
    const char* needle;
    const char* key;
    const char* reason;
  };
  const Case cases[] = {
      {"[policy.review]\nevery_months = 3\nraise_pct = 0\n", "raise_pct", "policy.review.raise_pct",
       "a review every 3 months needs raise_pct > 0 or raise_amount > 0, or it can never raise a line"},
      {"[policy.review]\nlookback_months = 13\n", "lookback_months", "policy.review.lookback_months",
       "must be <= 12, got 13"},
      {"[policy.review]\nmin_months_on_book = -1\n", "min_months_on_book", "policy.review.min_months_on_book",
       "must be >= 0, got -1"},
      {"[policy.review]\nraise_amount = -5\n", "raise_amount", "policy.review.raise_amount", "must be >= 0, got -5"},
      {"[policy.trigger]\nclean_months = 13\n", "clean_months", "policy.trigger.clean_months",
       "must be <= 12, got 13"},
      {"[policy.trigger]\nclean_months = 6\nraise_pct = 0.0\n", "raise_pct", "policy.trigger.raise_pct",
       "a trigger after 6 clean months needs raise_pct > 0 or raise_amount > 0"},
      {"[policy.trigger]\nmin_utilization = 2\n", "min_utilization", "policy.trigger.min_utilization",
       "must be in [0, 1.5], got 2"},
      {"[policy.decrease]\nscore_below = 600\n", "[policy.decrease]", "policy.decrease.cut_to_pct",
       "is required (in (0, 1)) when score_below or high_utilization is set, got 0"},
      {"[policy.decrease]\ncut_to_pct = 0.5\n", "cut_to_pct", "policy.decrease.cut_to_pct",
       "cuts nothing: set score_below and/or high_utilization"},
      {"[policy.decrease]\nscore_below = 600\ncut_to_pct = 1.0\n", "cut_to_pct", "policy.decrease.cut_to_pct",
       "must be in [0, 1), got 1"},
      {"[policy.decrease]\ncooldown_months = 0\n", "cooldown_months", "policy.decrease.cooldown_months",
       "must be >= 1, got 0"},
      {"[policy.decrease]\ncooldown_months = 1001\n", "cooldown_months", "policy.decrease.cooldown_months",
       "must be <= 1000, got 1001"},
      {"[policy.decrease]\nhigh_utilization = 1.0\n", "high_utilization", "policy.decrease.high_utilization",
       "must be in [0, 1), got 1"},
      {"[policy.frequency]\nwindow_months = 2\nmax_draws = 511\n[policy.review]\nevery_months = 3\n", "max_draws",
       "policy.frequency.max_draws", "can never be reached: a month records at most 255 draws, so 2 months hold at most 510, got 511"},
      {"[policy.decrease]\nhigh_utilization_months = 0\n", "high_utilization_months",
       "policy.decrease.high_utilization_months", "must be >= 1, got 0"},
      {"[policy.freeze]\nat_dpd = 151\n", "at_dpd", "policy.freeze.at_dpd", "must be <= 150, got 151"},
      {"[policy.temporary]\nmonths = [12, 601]\nraise_pct = 0.2\n", "601", "policy.temporary.months[1]",
       "must be <= 600, got 601"},
      {"[policy.temporary]\nmonths = [12, 11, 12]\nraise_pct = 0.2\n", "months", "policy.temporary.months[2]",
       "month 12 is listed twice"},
      {"[policy.temporary]\nmonths = [12]\n", "[policy.temporary]", "policy.temporary.raise_pct",
       "temporary months are listed, so raise_pct > 0 or raise_amount > 0 is needed"},
      {"[policy.temporary]\nraise_amount = 100\n", "[policy.temporary]", "policy.temporary.months",
       "a temporary raise needs the months it applies to"},
      {"[policy.frequency]\nwindow_months = 3\nblock_increases = false\n", "block_increases",
       "policy.frequency.block_increases", "the signal does nothing"},
      {"[policy.frequency]\ncut_to_pct = 0.5\n", "[policy.frequency]", "policy.frequency.window_months",
       "must be >= 1 when cut_to_pct is set"},
      {"[policy.frequency]\nwindow_months = 3\nblock_increases = \"yes\"\n", "block_increases",
       "policy.frequency.block_increases", "must be true or false, got string \"yes\""},
      {"[policy.frequency]\nwindow_months = 3\nmax_draws = 0\n", "max_draws", "policy.frequency.max_draws",
       "must be >= 1, got 0"},
      {"[policy.frequency]\nwindow_months = 3\n", "[policy.frequency]", "policy.frequency",
       "block_increases is set but the policy has no review or trigger increases to block"},
      {"[policy.pricing]\nbands = [{ score_min = 350 }]\n", "score_min", "policy.pricing.bands[0].apr",
       "is required here"},
      {"[policy.pricing]\nbands = [{ score_min = 400, apr = 0.2 }]\n", "bands", "policy.pricing.bands",
       "the lowest score_min must be <= 350 so that every score is priced, got 400"},
      {"[policy.pricing]\nbands = [{ score_min = 350, apr = 0.2 }, { score_min = 350, apr = 0.1 }]\n", "bands",
       "policy.pricing.bands[1]", "score_min 350 appears twice (rows 0 and 1)"},
      {"[policy.pricing]\nbands = [{ score_min = 350, apr = 3 }]\n", "apr", "policy.pricing.bands[0].apr",
       "must be in [0, 2], got 3"},
      {"[policy.pricing]\nbands = [{ score_min = 350, apr = 0.2, fee = 1 }]\n", "fee", "policy.pricing.bands[0].fee",
       "unknown key (allowed here: score_min, apr)"},
      {"[policy.review]\nevery_months = 3\nmin_score = 600\n[policy.decrease]\nscore_below = 620\ncut_to_pct = 0.5\n",
       "[policy.decrease]", "policy.decrease",
       "decrease.score_below (620) is above review.min_score (600): one account could be cut and raised in turn"},
      {"[policy.trigger]\nclean_months = 3\nmin_score = 600\n[policy.decrease]\nscore_below = 650\ncut_to_pct = 0.5\n",
       "[policy.decrease]", "policy.decrease",
       "decrease.score_below (650) is above trigger.min_score (600): one account could be cut and raised in turn"},
      {"[policy.holiday]\nmonths = [12]\n", "[policy.holiday]", "policy.holiday", "unknown key"},
  };
  for (const Case& c : cases) expect_policy_error(c.body, c.needle, c.key, c.reason);
}

TEST_F(Config, AFreezePastChargeOffIsRefused) {
  RunFile rf;
  rf.refs = "policies = [{ name = \"p\", freeze = { at_dpd = 90 } }]\nscenarios = [{ name = \"s\" }]\n";
  rf.tables = "[behaviour.delinquency]\nchargeoff_dpd = 90\n";
  expect_run_error(rf, "at_dpd", "policy.freeze.at_dpd",
                   "is past the behaviour's charge-off at 90 DPD, so the freeze would never fire; use at most 60, got 90");
  rf.refs = "policies = [{ name = \"p\", freeze = { at_dpd = 60 } }]\nscenarios = [{ name = \"s\" }]\n";
  EXPECT_EQ(load_run_config(write("run.toml", rf.text())).policies[0].params.freeze_bucket, 3);
}

TEST_F(Config, BaselineMustNameAPolicyOfTheRun) {
  RunFile rf;
  rf.refs = "policies = [{ name = \"a\" }, { name = \"b\" }]\nscenarios = [{ name = \"s\" }]\n";
  rf.run += "baseline = \"c\"\n";
  expect_run_error(rf, "baseline", "run.baseline", "names no policy of this run (policies: a, b), got \"c\"");
  rf.run = "cost_of_funds = 1.5\n";
  expect_run_error(rf, "cost_of_funds", "run.cost_of_funds", "must be in [0, 1], got 1.5");
  rf.run = "baseline = \"b\"\ncost_of_funds = 0.05\n";
  const RunConfig c = load_run_config(write("run.toml", rf.text()));
  EXPECT_EQ(c.baseline, "b");
  EXPECT_EQ(c.cost_of_funds, 0.05);
}

TEST_F(Config, APolicyWithNoLeversKeepsEveryLimitWhereItStarts) {
  RunFile rf;
  const RunConfig c = load_run_config(write("run.toml", rf.text()));
  const PolicyParams& p = c.policies[0].params;
  EXPECT_EQ(p.review_every, 0);
  EXPECT_EQ(p.trigger_clean_months, 0);
  EXPECT_EQ(p.decrease_cut_to_pct, 0.0);
  EXPECT_EQ(p.freeze_bucket, 0);
  EXPECT_EQ(p.freq_window, 0);
  EXPECT_EQ(p.freq_cut_to_pct, 0.0);
  EXPECT_EQ(p.n_price_bands, 0);
  for (const std::uint64_t w : p.temp_month_mask) EXPECT_EQ(w, 0u);
}

TEST_F(Config, ShippedPoliciesLoad) {
  const RunConfig c = load_run_config(LIMITSIM_SOURCE_DIR "/configs/compare_policies.toml");
  ASSERT_EQ(c.policies.size(), 4u);
  EXPECT_EQ(c.baseline, "static");
  const PolicyParams& lr = c.policies[3].params;
  EXPECT_EQ(lr.review_every, 3);
  EXPECT_EQ(lr.trigger_clean_months, 6);
  EXPECT_EQ(lr.freeze_bucket, 2);  // 30 DPD
  EXPECT_EQ(lr.temp_month_mask[0], (1ull << 10) | (1ull << 11) | (1ull << 22) | (1ull << 23) | (1ull << 34) | (1ull << 35));
  for (const PolicyConfig& p : c.policies) EXPECT_FALSE(p.description.empty()) << p.name;
}

}  // namespace
}  // namespace limitsim
