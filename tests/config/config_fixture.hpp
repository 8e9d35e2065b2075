// Shared by the tests of src/config/: field-by-field comparisons of config structs, and the Config fixture
// (a scratch folder, run files assembled from parts, and checks that an error names its file, line and key).
#pragma once

#include <gtest/gtest.h>

#include <stdlib.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "kernels/special.hpp"
#include "src/config/config.hpp"

#ifndef LIMITSIM_SOURCE_DIR
#define LIMITSIM_SOURCE_DIR "."
#endif

namespace limitsim {
namespace config_test {

namespace fs = std::filesystem;

inline const std::string kQuickstart = std::string(LIMITSIM_SOURCE_DIR) + "/configs/quickstart.toml";

// ------------------------------------------------------------ comparisons

#define SAME(field) EXPECT_EQ(a.field, b.field) << #field

inline void expect_same(const BehaviourParams& a, const BehaviourParams& b) {
  SAME(spend_sigma);
  SAME(min_payment_rate);
  SAME(min_payment_floor);
  SAME(apr);
  SAME(late_fee);
  SAME(miss_intercept);
  SAME(miss_beta_risk);
  SAME(miss_beta_util);
  SAME(util_ref);
  for (int i = 0; i < kMaxBuckets; ++i) {
    SAME(roll[i]);
    SAME(cure[i]);
  }
  SAME(roll_beta_risk);
  SAME(roll_beta_util);
  SAME(chargeoff_bucket);
  SAME(rho);
  SAME(lgd_mode);
  SAME(lgd);
  SAME(lgd_beta_a);
  SAME(lgd_beta_b);
  SAME(attrition_rate);
  SAME(spend_limit_elasticity);
  SAME(draws_extra_mean);
  SAME(draws_beta_risk);
  SAME(draws_beta_util);
  for (int i = 0; i < kMaxBuckets; ++i) {
    SAME(partial_cure[i]);
    SAME(partial_cure_two[i]);
  }
  SAME(rho_horizon_months);
  SAME(decline_bucket);
  SAME(n_mpb_bands);
  for (int i = 0; i < kMaxMpbBands; ++i) {
    SAME(mpb_score_min[i]);
    SAME(mpb[i]);
  }
  SAME(reversal_months);
  SAME(recovery_months);
  for (int i = 0; i < kMaxRecoveryMonths; ++i) SAME(recovery_cum[i]);
  SAME(score_bucket_penalty);
  SAME(score_recent_penalty);
  SAME(score_recent_months);
  SAME(score_util_penalty);
}

inline void expect_same(const PolicyParams& a, const PolicyParams& b) {
  SAME(n_bands);
  for (int i = 0; i < kMaxBands; ++i) {
    SAME(band_score_min[i]);
    SAME(band_income_multiple[i]);
    SAME(band_floor[i]);
    SAME(band_cap[i]);
  }
  SAME(line_rounding);
  SAME(review_every);
  SAME(review_min_clean_months);
  SAME(review_min_utilization);
  SAME(review_min_score);
  SAME(review_raise_pct);
  SAME(review_max_raise);
  SAME(review_min_months_on_book);
  SAME(review_lookback);
  SAME(review_raise_amount);
  SAME(max_limit);
  SAME(trigger_clean_months);
  SAME(trigger_min_utilization);
  SAME(trigger_min_score);
  SAME(trigger_raise_pct);
  SAME(trigger_raise_amount);
  SAME(trigger_max_raise);
  SAME(decrease_score_below);
  SAME(decrease_high_util);
  SAME(decrease_high_util_months);
  SAME(decrease_score_drop);
  SAME(decrease_cut_to_pct);
  SAME(decrease_cooldown_months);
  SAME(freeze_bucket);
  SAME(unfreeze_after_clean_months);
  for (int i = 0; i < kMonthMaskWords; ++i) SAME(temp_month_mask[i]);
  SAME(temp_raise_pct);
  SAME(temp_raise_amount);
  SAME(freq_window);
  SAME(freq_max_draws);
  SAME(freq_block_increases);
  SAME(freq_cut_to_pct);
  SAME(n_price_bands);
  for (int i = 0; i < kMaxBands; ++i) {
    SAME(price_score_min[i]);
    SAME(price_apr[i]);
  }
}

inline void expect_same(const PopulationConfig& a, const PopulationConfig& b) {
  SAME(kind);
  SAME(customers);
  SAME(score_mean);
  SAME(score_sd);
  SAME(income_median);
  SAME(income_log_sd);
  SAME(income_score_corr);
  SAME(risk_score_corr);
  SAME(transactor_logit_intercept);
  SAME(transactor_logit_slope);
  SAME(spend_propensity_median);
  SAME(spend_propensity_log_sd);
  SAME(activity_logit_mean);
  SAME(activity_logit_sd);
  SAME(revolve_shape_median);
  SAME(revolve_shape_log_sd);
  SAME(new_account_share);
  SAME(mob_max);
  SAME(existing_line_income_multiple);
  SAME(existing_line_log_sd);
  SAME(existing_line_min);
  SAME(existing_line_max);
  SAME(existing_line_rounding);
  SAME(opening_util_logit_mean_transactor);
  SAME(opening_util_logit_mean_revolver);
  SAME(opening_util_logit_sd);
  SAME(opening_bucket_shares);
  SAME(segment_edges);
  SAME(segment_names);
  SAME(region_names);
  SAME(region_shares);
}

inline void expect_same(const ScenarioConfig& a, const ScenarioConfig& b) {
  SAME(name);
  SAME(description);
  SAME(spec.factor_shift);
  SAME(spec.miss_multiplier);
  SAME(spec.roll_multiplier);
  SAME(spec.spend_multiplier);
  SAME(spec.income_shock_probability);
  SAME(spec.income_shock_size);
  SAME(spec.income_shock_months);
  SAME(spec.lgd_multiplier);
  SAME(spec.unemployment_rate);
  SAME(spec.unemployment_base_rate);
  SAME(spec.unemployment_factor_per_point);
  SAME(unemployment);
  ASSERT_EQ(a.months.size(), b.months.size());
  for (std::size_t m = 0; m < a.months.size(); ++m) {
    SAME(months[m].factor_shift);
    SAME(months[m].miss_mult);
    SAME(months[m].roll_mult);
    SAME(months[m].spend_mult);
    SAME(months[m].shock_prob);
    SAME(months[m].shock_size);
    SAME(months[m].shock_months);
    SAME(months[m].lgd_mult);
  }
}

// Every field except the `source`s.
inline void expect_same(const RunConfig& a, const RunConfig& b) {
  SAME(name);
  SAME(seed);
  SAME(paths);
  SAME(months);
  SAME(backend);
  SAME(threads);
  SAME(batch_size);
  SAME(output);
  SAME(report_months);
  expect_same(a.population, b.population);
  expect_same(a.behaviour.params, b.behaviour.params);
  SAME(behaviour.miss_probability);
  SAME(behaviour.lgd_concentration);
  SAME(behaviour.factor_ar1);
  SAME(behaviour.factor_correlation);
  SAME(behaviour.factor_correlation_matrix);
  SAME(importance_shift);
  SAME(pnl.interchange_rate);
  SAME(pnl.annual_fee);
  SAME(pnl.operating_cost);
  SAME(pnl.acquisition_cost);
  SAME(pnl.collection_cost);
  ASSERT_EQ(a.policies.size(), b.policies.size());
  for (std::size_t i = 0; i < a.policies.size(); ++i) {
    SAME(policies[i].name);
    SAME(policies[i].description);
    expect_same(a.policies[i].params, b.policies[i].params);
  }
  ASSERT_EQ(a.scenarios.size(), b.scenarios.size());
  for (std::size_t i = 0; i < a.scenarios.size(); ++i) expect_same(a.scenarios[i], b.scenarios[i]);
}

#undef SAME

inline std::string without_first_line(const std::string& s) { return s.substr(s.find('\n') + 1); }

// 1-based number of the first line of `text` containing `needle`.
inline int line_of(const std::string& text, const std::string& needle) {
  const std::size_t at = text.find(needle);
  EXPECT_NE(at, std::string::npos) << "test bug: " << needle << " not in\n" << text;
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n'));
}

inline std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

// ------------------------------------------------------------ fixture

// A small valid run file, assembled from parts tests can change. The
// references (top-level keys) must come before [run].
struct RunFile {
  std::string refs = "policies = [{ name = \"p\" }]\nscenarios = [{ name = \"s\" }]\n";
  std::string run = "name = \"t\"\nmonths = 6\npaths = 2\n";
  std::string tables;
  std::string text() const { return refs + "\n[run]\n" + run + "\n" + tables; }
};

class Config : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "limitsim_test_config_XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::string write(const std::string& name, const std::string& text) {
    const fs::path p = fs::path(dir_) / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }

  RunConfig load(const RunFile& rf) { return load_run_config(write("run.toml", rf.text())); }

  // The error of loading `path`; fails the test when it loads.
  static std::string load_error(const std::string& path) {
    try {
      load_run_config(path);
    } catch (const ConfigError& e) {
      return e.what();
    }
    ADD_FAILURE() << path << " loaded without error";
    return "";
  }

  // The message must start `file:line: key: ` (line = the first line of
  // file_text holding `needle`) and contain `reason`.
  static void expect_error(const std::string& msg, const std::string& file, const std::string& file_text,
                           const std::string& needle, const std::string& key, const std::string& reason) {
    const std::string head = file + ":" + std::to_string(line_of(file_text, needle)) + ": " + key + ": ";
    EXPECT_EQ(msg.rfind(head, 0), 0u) << "expected to start with: " << head << "\ngot:\n" << msg;
    EXPECT_NE(first_line(msg).find(reason), std::string::npos) << "expected reason: " << reason << "\ngot:\n" << msg;
  }

  // The same for an error in the run file itself.
  void expect_run_error(const RunFile& rf, const std::string& needle, const std::string& key,
                        const std::string& reason) {
    const std::string path = write("run.toml", rf.text());
    expect_error(load_error(path), path, rf.text(), needle, key, reason);
  }

  // An error in a policy file pol/p.toml holding "[policy]\n" + body.
  void expect_policy_error(const std::string& body, const std::string& needle, const std::string& key,
                           const std::string& reason) {
    const std::string text = "[policy]\nname = \"p\"\n" + body;
    const std::string file = write("pol/p.toml", text);
    RunFile rf;
    rf.refs = "policies = [\"pol/p.toml\"]\nscenarios = [{ name = \"s\" }]\n";
    const std::string run = write("run.toml", rf.text());
    SCOPED_TRACE(body);
    expect_error(load_error(run), file, text, needle, key, reason);
  }

  std::string dir_;
};

inline void expect_round_trip(const RunConfig& a, const std::string& scratch) {
  const std::string text = effective_toml(a);
  std::ofstream(scratch) << text;
  RunConfig b;
  try {
    b = load_run_config(scratch);
  } catch (const ConfigError& e) {
    FAIL() << e.what() << "\nin:\n" << text;
  }
  expect_same(a, b);
  EXPECT_EQ(without_first_line(effective_toml(b)), without_first_line(text));
}

}  // namespace config_test
}  // namespace limitsim
