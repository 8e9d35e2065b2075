// Tests of the configuration layer (src/config.cpp): the shipped configs, the
// effective_toml round trip, every validation error (each must name file,
// line and key) and command-line overrides.

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
namespace {

namespace fs = std::filesystem;

const std::string kQuickstart = std::string(LIMITSIM_SOURCE_DIR) + "/configs/quickstart.toml";

// ------------------------------------------------------------ comparisons

#define SAME(field) EXPECT_EQ(a.field, b.field) << #field

void expect_same(const BehaviourParams& a, const BehaviourParams& b) {
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
  SAME(score_bucket_penalty);
  SAME(score_recent_penalty);
  SAME(score_recent_months);
  SAME(score_util_penalty);
}

void expect_same(const PolicyParams& a, const PolicyParams& b) {
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

void expect_same(const PopulationConfig& a, const PopulationConfig& b) {
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

void expect_same(const ScenarioConfig& a, const ScenarioConfig& b) {
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
void expect_same(const RunConfig& a, const RunConfig& b) {
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

std::string without_first_line(const std::string& s) { return s.substr(s.find('\n') + 1); }

// 1-based number of the first line of `text` containing `needle`.
int line_of(const std::string& text, const std::string& needle) {
  const std::size_t at = text.find(needle);
  EXPECT_NE(at, std::string::npos) << "test bug: " << needle << " not in\n" << text;
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n'));
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

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

// ------------------------------------------------------------ shipped configs

TEST_F(Config, QuickstartHasTheDocumentedValues) {
  const RunConfig c = load_run_config(kQuickstart);
  EXPECT_EQ(c.source, kQuickstart);
  EXPECT_EQ(c.name, "quickstart");
  EXPECT_EQ(c.seed, 20261123u);
  EXPECT_EQ(c.paths, 32);
  EXPECT_EQ(c.months, 36);
  EXPECT_EQ(c.backend, "auto");
  EXPECT_EQ(c.threads, 0);
  EXPECT_EQ(c.batch_size, 1048576);
  EXPECT_EQ(c.output, "results/quickstart.h5");
  EXPECT_EQ(c.report_months, (std::vector<std::int32_t>{12, 24}));

  EXPECT_EQ(c.population.customers, 100000);
  EXPECT_EQ(c.population.existing_line_min, 50000);    // 500.00
  EXPECT_EQ(c.population.existing_line_max, 5000000);  // 50,000.00
  EXPECT_EQ(c.population.existing_line_rounding, 10000);
  EXPECT_NE(c.population.source.find("population/synthetic.toml"), std::string::npos);
  expect_same(c.population, PopulationConfig{});  // the shipped file spells out the defaults

  const BehaviourParams& b = c.behaviour.params;
  EXPECT_EQ(b.miss_intercept, logit(0.02));
  EXPECT_EQ(b.chargeoff_bucket, 6);
  EXPECT_EQ(b.min_payment_floor, 5000);  // 50.00
  EXPECT_EQ(b.late_fee, 2500);           // 25.00
  EXPECT_EQ(b.rho, 0.04);
  EXPECT_EQ(b.roll[0], 0.0);
  EXPECT_EQ(b.roll[1], 0.20);
  EXPECT_EQ(b.cure[6], 0.03);
  EXPECT_EQ(b.lgd_mode, LgdMode::kFixed);
  EXPECT_EQ(b.lgd_beta_a, 0.0);
  expect_same(b, default_behaviour());  // so does the behaviour file

  ASSERT_EQ(c.policies.size(), 1u);
  const PolicyParams& p = c.policies[0].params;
  EXPECT_EQ(c.policies[0].name, "simple_review");
  EXPECT_FALSE(c.policies[0].description.empty());
  EXPECT_EQ(p.n_bands, 5);
  EXPECT_EQ(p.band_score_min[0], 750.0);
  EXPECT_EQ(p.band_score_min[4], 350.0);
  EXPECT_EQ(p.band_income_multiple[1], 2.0);
  EXPECT_EQ(p.band_floor[0], 500000);   // 5,000.00
  EXPECT_EQ(p.band_cap[0], 5000000);    // 50,000.00
  EXPECT_EQ(p.band_floor[4], 20000);    // 200.00
  EXPECT_EQ(p.line_rounding, 10000);    // 100.00
  EXPECT_EQ(p.review_every, 6);
  EXPECT_EQ(p.review_min_clean_months, 6);
  EXPECT_EQ(p.review_min_utilization, 0.5);
  EXPECT_EQ(p.review_min_score, 600.0);
  EXPECT_EQ(p.review_raise_pct, 0.20);
  EXPECT_EQ(p.review_max_raise, 1000000);  // 10,000.00
  EXPECT_EQ(p.max_limit, 10000000);        // 100,000.00
  EXPECT_EQ(p.freeze_bucket, 2);
  EXPECT_EQ(p.unfreeze_after_clean_months, 0);

  ASSERT_EQ(c.scenarios.size(), 1u);
  EXPECT_EQ(c.scenarios[0].name, "baseline");
  ASSERT_EQ(c.scenarios[0].months.size(), 36u);
  for (const ScenarioMonth& m : c.scenarios[0].months) {
    EXPECT_EQ(m.factor_shift, 0.0);
    EXPECT_EQ(m.miss_mult, 1.0);
    EXPECT_EQ(m.roll_mult, 1.0);
    EXPECT_EQ(m.spend_mult, 1.0);
  }
}

TEST_F(Config, DefaultsAreTheDocumentedOnes) {
  const PolicyParams p = default_policy();
  EXPECT_EQ(p.n_bands, 1);
  EXPECT_EQ(p.band_score_min[0], 350.0);
  EXPECT_EQ(p.band_income_multiple[0], 1.0);
  EXPECT_EQ(p.band_floor[0], 50000);
  EXPECT_EQ(p.band_cap[0], 5000000);
  EXPECT_EQ(p.line_rounding, 10000);
  EXPECT_EQ(p.review_every, 0);
  EXPECT_EQ(p.max_limit, 100000000);
  EXPECT_EQ(p.freeze_bucket, 0);
  const ScenarioMonth n = neutral_scenario_month();
  EXPECT_EQ(n.factor_shift, 0.0);
  EXPECT_EQ(n.miss_mult, 1.0);

  // Everything left out takes its default; a policy with no levers keeps lines where they start.
  const RunConfig c = load(RunFile{});
  expect_same(c.population, PopulationConfig{});
  expect_same(c.behaviour.params, default_behaviour());
  expect_same(c.policies[0].params, default_policy());
  EXPECT_EQ(c.behaviour.miss_probability, kDefaultMissProbability);
  EXPECT_EQ(c.seed, 1u);
  EXPECT_EQ(c.backend, "auto");
  EXPECT_EQ(c.population.source, "");
  ASSERT_EQ(c.scenarios[0].months.size(), 6u);
  EXPECT_EQ(c.scenarios[0].months[5].roll_mult, 1.0);
}

// ------------------------------------------------------------ round trip

void expect_round_trip(const RunConfig& a, const std::string& scratch) {
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

TEST_F(Config, EffectiveTomlRoundTripsQuickstart) {
  expect_round_trip(load_run_config(kQuickstart), write("effective.toml", ""));
}

TEST_F(Config, EffectiveTomlRoundTripsNonDefaultValues) {
  write("pol/tight.toml", R"(
[policy]
description = "a \"quoted\" \\ backslash,\nnewline\ttab, unicode é, control \u0001"
max_limit = 200000000
[policy.initial_line]
rounding = 0.01
bands = [
  { score_min = 350, income_multiple = 0.1, floor = 0, cap = 0.07 },
  { score_min = 700.5, income_multiple = 0.3333333333333333, floor = 10.01, cap = 123456789.99 },
]
[policy.review]
every_months = 3
min_months_on_book = 7
lookback_months = 11
raise_amount = 12.34
min_score = 600.5
[policy.trigger]
clean_months = 5
min_utilization = 0.71
min_score = 633.5
raise_pct = 0
raise_amount = 250.5
max_raise = 0
[policy.decrease]
score_below = 590
high_utilization = 0.93
high_utilization_months = 4
score_drop = 17.5
cut_to_pct = 0.45
cooldown_months = 5
[policy.freeze]
at_dpd = 61
unfreeze_after_clean_months = 4
[policy.temporary]
months = [64, 1, 600, 65]
raise_pct = 0.3
raise_amount = 10
[policy.frequency]
window_months = 4
max_draws = 17
block_increases = false
cut_to_pct = 0.61
[policy.pricing]
bands = [{ score_min = 350, apr = 0.29 }, { score_min = 720.5, apr = 0.0999 }]
)");
  RunFile rf;
  rf.refs = R"(policies = ["pol/tight.toml", { name = "plain" }]
[[scenarios]]
name = "stress.v2"
factor_shift = [-1, -2.5, -2.5]
miss_multiplier = [1.1, 1.7, 0.1]
roll_multiplier = 1e-05
spend_multiplier = [5e-324, 0]
[[scenarios]]
name = "calm"
)";
  rf.run = R"(name = "round \"trip\""
seed = 9223372036854775807
paths = 1000000
months = 7
backend = "cuda"
threads = 3
batch_size = 7
output = "out dir/x.h5"
report_months = [7, 1, 3]
)";
  rf.tables = R"(
[population]
customers = 1
score_mean = 350
score_sd = 0.1
income_score_corr = -1
transactor_logit_slope = -0.30000000000000004
existing_line_min = 0
existing_line_max = 0.5
existing_line_rounding = 0.03
opening_bucket_shares = [0.1, 0.2, 0.3, 0.4, 0, 0, 0]
segment_edges = [600]
segment_names = ["low", "high"]

[behaviour.delinquency]
miss_probability = 0.123456789
roll = [0, 1, 0.5, 0.5, 0.25, 0.7]
cure = [1, 0, 0.5, 0.5, 0.75, 0.3]
chargeoff_dpd = 90
rho = 0.999
[behaviour.loss]
lgd_mode = "beta"
lgd = 0.3
lgd_concentration = 7.3
[behaviour.payment]
min_payment_rate = 1
late_fee = 0.07
)";
  const RunConfig c = load(rf);
  EXPECT_EQ(c.report_months, (std::vector<std::int32_t>{1, 3, 7}));
  EXPECT_EQ(c.behaviour.params.lgd_mode, LgdMode::kBeta);
  EXPECT_EQ(c.behaviour.params.lgd_beta_a, 0.3 * 7.3);
  EXPECT_EQ(c.behaviour.params.lgd_beta_b, 0.7 * 7.3);
  EXPECT_EQ(c.behaviour.params.chargeoff_bucket, 3);
  EXPECT_EQ(c.behaviour.params.late_fee, 7);
  EXPECT_EQ(c.policies[0].name, "tight");  // from the file name
  EXPECT_EQ(c.policies[0].params.band_score_min[0], 700.5);  // sorted descending
  EXPECT_EQ(c.policies[0].params.band_cap[0], 12345678999);
  EXPECT_EQ(c.policies[0].params.line_rounding, 1);
  EXPECT_EQ(c.policies[0].params.freeze_bucket, 3);
  EXPECT_EQ(c.scenarios[0].spec.factor_shift, (std::vector<double>{-1, -2.5}));  // trailing repeat trimmed
  EXPECT_EQ(c.scenarios[0].months[6].factor_shift, -2.5);
  EXPECT_EQ(c.population.existing_line_rounding, 3);
  expect_round_trip(c, write("effective.toml", ""));
}

// ------------------------------------------------------------ resolution

TEST_F(Config, FreezeAtDpdMapsToTheFirstBucketAtOrPastIt) {
  const std::pair<int, int> cases[] = {{0, 0}, {1, 1}, {2, 2}, {30, 2}, {31, 2}, {60, 3}, {61, 3}, {121, 5}, {150, 6}};
  for (const auto& [dpd, bucket] : cases) {
    RunFile rf;
    rf.refs = "policies = [{ name = \"p\", freeze = { at_dpd = " + std::to_string(dpd) +
              " } }]\nscenarios = [{ name = \"s\" }]\n";
    EXPECT_EQ(load(rf).policies[0].params.freeze_bucket, bucket) << "at_dpd = " << dpd;
  }
}

TEST_F(Config, ChargeoffDpdMapsToBuckets) {
  for (int dpd = 30; dpd <= 180; dpd += 30) {
    RunFile rf;
    rf.tables = "[behaviour.delinquency]\nchargeoff_dpd = " + std::to_string(dpd) + "\n";
    EXPECT_EQ(load(rf).behaviour.params.chargeoff_bucket, dpd / 30);
  }
}

TEST_F(Config, OverridesSetValuesAndReResolveScenarios) {
  RunFile rf;
  rf.refs = "policies = [{ name = \"p\" }]\nscenarios = [{ name = \"s\", factor_shift = [-1, -2] }]\n";
  RunConfig c = load(rf);
  ASSERT_EQ(c.scenarios[0].months.size(), 6u);
  Overrides o;
  o.customers = 5;
  o.paths = 3;
  o.months = 5;
  o.seed = 42;
  o.threads = 2;
  o.batch_size = 99;
  o.output = "elsewhere.h5";
  o.backend = "cpu";
  apply_overrides(c, o);
  EXPECT_EQ(c.population.customers, 5);
  EXPECT_EQ(c.paths, 3);
  EXPECT_EQ(c.months, 5);
  EXPECT_EQ(c.seed, 42u);
  EXPECT_EQ(c.threads, 2);
  EXPECT_EQ(c.batch_size, 99);
  EXPECT_EQ(c.output, "elsewhere.h5");
  EXPECT_EQ(c.backend, "cpu");
  ASSERT_EQ(c.scenarios[0].months.size(), 5u);
  const double expected[] = {-1, -2, -2, -2, -2};
  for (int m = 0; m < 5; ++m) EXPECT_EQ(c.scenarios[0].months[m].factor_shift, expected[m]);

  o = Overrides{};
  o.months = 12;  // longer again: still from the raw spec
  apply_overrides(c, o);
  ASSERT_EQ(c.scenarios[0].months.size(), 12u);
  EXPECT_EQ(c.scenarios[0].months[0].factor_shift, -1.0);
  EXPECT_EQ(c.scenarios[0].months[11].factor_shift, -2.0);
  expect_round_trip(c, write("effective.toml", ""));
}

// ------------------------------------------------------------ errors: files and syntax

TEST_F(Config, SyntaxErrorNamesFileAndLine) {
  RunFile rf;
  rf.run = "name = \"t\"\npaths = = 3\n";
  const std::string path = write("run.toml", rf.text());
  const std::string msg = load_error(path);
  const std::string head = path + ":" + std::to_string(line_of(rf.text(), "paths = = 3")) + ": syntax error";
  EXPECT_EQ(msg.rfind(head, 0), 0u) << msg;
  EXPECT_NE(msg.find("paths = = 3"), std::string::npos) << msg;  // the excerpt shows the key
}

TEST_F(Config, SyntaxErrorInReferencedFile) {
  const std::string text = "[population]\ncustomers = [1, 2\nscore_sd = 3\n";
  const std::string pop = write("pop.toml", text);
  RunFile rf;
  rf.refs = "population = \"pop.toml\"\n" + rf.refs;
  const std::string msg = load_error(write("run.toml", rf.text()));
  EXPECT_EQ(msg.rfind(pop + ":", 0), 0u) << msg;
  EXPECT_NE(msg.find("syntax error"), std::string::npos) << msg;
  EXPECT_NE(msg.find("customers"), std::string::npos) << msg;
}

TEST_F(Config, MissingRunFile) {
  const std::string msg = load_error(dir_ + "/absent.toml");
  EXPECT_NE(msg.find("absent.toml"), std::string::npos) << msg;
  EXPECT_NE(msg.find("no such file"), std::string::npos) << msg;
}

TEST_F(Config, MissingReferencedFileNamesItAndTheReferrer) {
  RunFile rf;
  rf.refs = "behaviour = \"behaviour/none.toml\"\n" + rf.refs;
  expect_run_error(rf, "behaviour =", "behaviour", "cannot open \"" + dir_ + "/behaviour/none.toml\": no such file");
  rf = RunFile{};
  rf.refs = "policies = [{ name = \"p\" }, \"nope.toml\"]\nscenarios = [{ name = \"s\" }]\n";
  expect_run_error(rf, "nope.toml", "policies[1]", "nope.toml");
}

TEST_F(Config, ReferencedFileMustHoldItsKindTable) {
  const std::string text = "[scenaro]\nname = \"x\"\n";
  const std::string file = write("sc.toml", text);
  RunFile rf;
  rf.refs = "policies = [{ name = \"p\" }]\nscenarios = [\"sc.toml\"]\n";
  expect_error(load_error(write("run.toml", rf.text())), file, text, "[scenaro]", "scenaro",
               "unknown key (allowed here: scenario)");
  const std::string empty = write("sc.toml", "# nothing\n");
  const std::string msg = load_error(write("run.toml", rf.text()));
  EXPECT_EQ(msg.rfind(empty + ":1: scenario: missing", 0), 0u) << msg;
}

// ------------------------------------------------------------ errors: keys and types

TEST_F(Config, UnknownTopLevelKey) {
  RunFile rf;
  rf.tables = "[runn]\nname = \"x\"\n";
  expect_run_error(rf, "[runn]", "runn", "unknown key (allowed here: run, population, behaviour, policies, scenarios)");
}

TEST_F(Config, UnknownRunKey) {
  RunFile rf;
  rf.run += "path = 3\n";
  expect_run_error(rf, "path = 3", "run.path", "unknown key");
}

TEST_F(Config, ReferencesInsideRunAreRejectedWithAHint) {
  RunFile rf;
  rf.run += "population = \"population/synthetic.toml\"\n";
  expect_run_error(rf, "population =", "run.population", "population is a top-level key: move it above [run]");
}

TEST_F(Config, IntegerOverflowIsNotSaturated) {
  RunFile rf;
  rf.run = "seed = 99999999999999999999\n";
  expect_run_error(rf, "seed", "run.seed", "must fit in a 64-bit signed integer, got 99999999999999999999");
  rf.run = "seed = 9_223_372_036_854_775_807\n";
  EXPECT_EQ(load(rf).seed, 9223372036854775807u);
}

TEST_F(Config, UnknownKeyInBehaviourSubtable) {
  const std::string text = "[behaviour.delinquency]\nrho = 0.1\nrhoo = 0.2\n";
  const std::string file = write("behaviour/b.toml", text);
  RunFile rf;
  rf.refs = "behaviour = \"behaviour/b.toml\"\n" + rf.refs;
  expect_error(load_error(write("run.toml", rf.text())), file, text, "rhoo", "behaviour.delinquency.rhoo",
               "unknown key (allowed here: miss_probability");
  RunFile inline_rf;
  inline_rf.tables = "[behaviour.spendng]\nsigma = 1\n";
  expect_run_error(inline_rf, "[behaviour.spendng]", "behaviour.spendng", "allowed here: spending, payment");
}

TEST_F(Config, UnknownKeyInPolicyBandRow) {
  const std::string text = R"([policy]
[policy.initial_line]
bands = [
  { score_min = 600, income_multiple = 1, floor = 0, cap = 10 },
  { score_min = 350, income_multiple = 1, floor = 0, cap = 10, flor = 2 },
]
)";
  const std::string file = write("policies/p.toml", text);
  RunFile rf;
  rf.refs = "policies = [\"policies/p.toml\"]\nscenarios = [{ name = \"s\" }]\n";
  expect_error(load_error(write("run.toml", rf.text())), file, text, "flor", "policy.initial_line.bands[1].flor",
               "unknown key (allowed here: score_min, income_multiple, floor, cap)");
}

TEST_F(Config, WrongType) {
  RunFile rf;
  rf.tables = "[behaviour.spending]\nsigma = \"wide\"\n";
  expect_run_error(rf, "sigma", "behaviour.spending.sigma", "must be a number, got string \"wide\"");
  rf = RunFile{};
  rf.run = "months = 6.5\n";
  expect_run_error(rf, "months", "run.months", "must be an integer, got 6.5");
  rf = RunFile{};
  rf.tables = "[behaviour]\nspending = 3\n";
  expect_run_error(rf, "spending = 3", "behaviour.spending", "must be a table, got 3");
  rf = RunFile{};
  rf.refs = "population = 7\n" + rf.refs;
  expect_run_error(rf, "population = 7", "population", "must be a file name or a table, got 7");
}

TEST_F(Config, RequiredBandKey) {
  RunFile rf;
  rf.refs = "policies = [{ name = \"p\", initial_line = { bands = [{ score_min = 350, floor = 0, cap = 1 }] } }]\n"
            "scenarios = [{ name = \"s\" }]\n";
  expect_run_error(rf, "bands", "policies[0].initial_line.bands[0].income_multiple", "is required");
}

// ------------------------------------------------------------ errors: ranges

TEST_F(Config, ProbabilityAboveOne) {
  RunFile rf;
  rf.tables = "[behaviour.delinquency]\nmiss_probability = 1.5\n";
  expect_run_error(rf, "miss_probability", "behaviour.delinquency.miss_probability", "must be in (0, 1), got 1.5");
  rf.tables = "[behaviour.attrition]\nmonthly_rate = 1.01\n";
  expect_run_error(rf, "monthly_rate", "behaviour.attrition.monthly_rate", "must be in [0, 1], got 1.01");
}

TEST_F(Config, RhoMustBeInZeroOne) {
  RunFile rf;
  rf.tables = "[behaviour.delinquency]\nrho = 1\n";
  expect_run_error(rf, "rho", "behaviour.delinquency.rho", "must be in [0, 1), got 1");
  rf.tables = "[behaviour.delinquency]\nrho = -0.01\n";
  expect_run_error(rf, "rho", "behaviour.delinquency.rho", "must be in [0, 1), got -0.01");
  rf.tables = "[behaviour.delinquency]\nrho = nan\n";
  expect_run_error(rf, "rho", "behaviour.delinquency.rho", "must be a finite number");
}

TEST_F(Config, NegativeMoney) {
  RunFile rf;
  rf.refs = "policies = [{ name = \"p\", initial_line = { bands = [\n"
            "  { score_min = 350, income_multiple = 1, floor = -5, cap = 10 }] } }]\n"
            "scenarios = [{ name = \"s\" }]\n";
  expect_run_error(rf, "floor = -5", "policies[0].initial_line.bands[0].floor", "must be >= 0, got -5");
  rf = RunFile{};
  rf.refs = "policies = [{ name = \"p\", max_limit = -1 }]\nscenarios = [{ name = \"s\" }]\n";
  expect_run_error(rf, "max_limit", "policies[0].max_limit", "must be > 0, got -1");
  rf = RunFile{};
  rf.tables = "[population]\nexisting_line_min = -0.5\n";
  expect_run_error(rf, "existing_line_min", "population.existing_line_min", "must be >= 0, got -0.5");
}

TEST_F(Config, MoneyBelowOneCent) {
  RunFile rf;
  rf.refs = "policies = [{ name = \"p\", initial_line = { rounding = 0.001 } }]\nscenarios = [{ name = \"s\" }]\n";
  expect_run_error(rf, "rounding", "policies[0].initial_line.rounding", "must be at least one cent (0.01), got 0.001");
}

TEST_F(Config, FloorAboveCap) {
  RunFile rf;
  rf.refs = "policies = [{ name = \"p\", initial_line = { bands = [\n"
            "  { score_min = 350, income_multiple = 1, floor = 20, cap = 10 }] } }]\n"
            "scenarios = [{ name = \"s\" }]\n";
  expect_run_error(rf, "cap = 10", "policies[0].initial_line.bands[0].cap", "must be >= floor (20.00), got 10.00");
}

TEST_F(Config, MaxLimitBelowABandFloor) {
  RunFile rf;
  rf.refs = "policies = [{ name = \"p\", max_limit = 400 }]\nscenarios = [{ name = \"s\" }]\n";
  expect_run_error(rf, "max_limit", "policies[0].max_limit",
                   "must be >= every initial_line band floor (largest 500.00), got 400.00");
}

TEST_F(Config, RollPlusCureAboveOne) {
  RunFile rf;
  rf.tables = "[behaviour.delinquency]\nroll = [0.2, 0.5, 0.6, 0.7, 0.8, 0.9]\ncure = [0.6, 0.6, 0.1, 0.1, 0.1, 0.1]\n";
  expect_run_error(rf, "cure", "behaviour.delinquency.cure[1]", "roll[1] + cure[1] must be <= 1, got 0.5 + 0.6");
}

TEST_F(Config, WrongArrayLength) {
  RunFile rf;
  rf.tables = "[behaviour.delinquency]\nroll = [0.2, 0.5, 0.6, 0.7, 0.8]\n";
  expect_run_error(rf, "roll", "behaviour.delinquency.roll", "must have exactly 6 entries, got 5");
  rf.tables = "[population]\nopening_bucket_shares = [0.5, 0.5]\n";
  expect_run_error(rf, "opening_bucket_shares", "population.opening_bucket_shares", "must have exactly 7 entries, got 2");
  rf.tables = "[behaviour.delinquency]\ncure = 0.5\n";
  expect_run_error(rf, "cure", "behaviour.delinquency.cure", "must be an array, got 0.5");
}

TEST_F(Config, ChargeoffDpdNotAMultipleOf30) {
  RunFile rf;
  rf.tables = "[behaviour.delinquency]\nchargeoff_dpd = 100\n";
  expect_run_error(rf, "chargeoff_dpd", "behaviour.delinquency.chargeoff_dpd",
                   "must be one of 30, 60, 90, 120, 150, 180, got 100");
  rf.tables = "[behaviour.delinquency]\nchargeoff_dpd = 210\n";
  expect_run_error(rf, "chargeoff_dpd", "behaviour.delinquency.chargeoff_dpd", "must be <= 180, got 210");
}

TEST_F(Config, BandsMustCoverEveryScore) {
  RunFile rf;
  rf.refs = "policies = [{ name = \"p\", initial_line = { bands = [\n"
            "  { score_min = 400, income_multiple = 1, floor = 0, cap = 10 }] } }]\n"
            "scenarios = [{ name = \"s\" }]\n";
  expect_run_error(rf, "bands", "policies[0].initial_line.bands",
                   "the lowest score_min must be <= 350 so that every score is covered, got 400");
}

TEST_F(Config, DuplicateBandScoreMin) {
  RunFile rf;
  rf.refs = "policies = [{ name = \"p\", initial_line = { bands = [\n"
            "  { score_min = 350, income_multiple = 1, floor = 0, cap = 10 },\n"
            "  { score_min = 350, income_multiple = 2, floor = 0, cap = 10 }] } }]\n"
            "scenarios = [{ name = \"s\" }]\n";
  expect_run_error(rf, "income_multiple = 2", "policies[0].initial_line.bands[1]",
                   "score_min 350 appears twice (rows 0 and 1)");
}

TEST_F(Config, LgdConcentrationOnlyInBetaMode) {
  RunFile rf;
  rf.tables = "[behaviour.loss]\nlgd = 0.8\nlgd_concentration = 10\n";
  expect_run_error(rf, "lgd_concentration", "behaviour.loss.lgd_concentration",
                   "only allowed when lgd_mode = \"beta\" (lgd_mode is \"fixed\"), got 10");
  rf.tables = "[behaviour.loss]\nlgd_mode = \"beta\"\nlgd = 1\n";
  expect_run_error(rf, "lgd = 1", "behaviour.loss.lgd", "must be in (0, 1) when lgd_mode = \"beta\", got 1");
  rf.tables = "[behaviour.loss]\nlgd_mode = \"Beta\"\n";
  expect_run_error(rf, "lgd_mode", "behaviour.loss.lgd_mode", "must be one of fixed, beta, got \"Beta\"");
  rf.tables = "[behaviour.loss]\nlgd_mode = \"beta\"\nlgd = 0.25\n";
  const BehaviourConfig b = load(rf).behaviour;  // beta mode without a concentration: the default
  EXPECT_EQ(b.lgd_concentration, kDefaultLgdConcentration);
  EXPECT_EQ(b.params.lgd_beta_a, 0.25 * kDefaultLgdConcentration);
}

TEST_F(Config, UnfreezeWithoutFreeze) {
  RunFile rf;
  rf.refs = "policies = [{ name = \"p\", freeze = { unfreeze_after_clean_months = 3 } }]\n"
            "scenarios = [{ name = \"s\" }]\n";
  expect_run_error(rf, "unfreeze", "policies[0].freeze.unfreeze_after_clean_months",
                   "must be 0 when freezing is off (at_dpd = 0), got 3");
}

TEST_F(Config, SharesMustSumToOne) {
  RunFile rf;
  rf.tables = "[population]\nopening_bucket_shares = [0.9, 0.05, 0.01, 0.01, 0.01, 0.01, 0.001]\n";
  expect_run_error(rf, "opening_bucket_shares", "population.opening_bucket_shares", "must sum to 1, got 0.991");
}

TEST_F(Config, SegmentsMustBeConsistent) {
  RunFile rf;
  rf.tables = "[population]\nsegment_edges = [600, 700]\n";
  expect_run_error(rf, "[population]", "population.segment_names",
                   "must have one name more than segment_edges has edges (3), got 6");
  rf.tables = "[population]\nsegment_edges = [700, 600]\nsegment_names = [\"a\", \"b\", \"c\"]\n";
  expect_run_error(rf, "segment_edges", "population.segment_edges[1]", "must be strictly ascending, got 600 after 700");
  rf.tables = "[population]\nsegment_edges = [350]\nsegment_names = [\"a\", \"b\"]\n";
  expect_run_error(rf, "segment_edges", "population.segment_edges[0]", "must be in (350, 950], got 350");
  rf.tables = "[population]\nsegment_edges = [600]\nsegment_names = [\"a\", \"a\"]\n";
  expect_run_error(rf, "segment_names", "population.segment_names[1]", "names must be non-empty and unique");
}

TEST_F(Config, RegionsAndFactorCorrelationAreValidated) {
  const std::string regions3 = "[population]\nregions = [\"n\", \"s\", \"w\"]\nregion_shares = [0.5, 0.3, 0.2]\n";
  RunFile rf;
  rf.tables = regions3 + "[behaviour.factors]\ncorrelation = [[1, -0.6, -0.6], [-0.6, 1, -0.6], [-0.6, -0.6, 1]]\n";
  expect_run_error(rf, "correlation", "behaviour.factors.correlation",
                   "must be positive semi-definite, but its smallest eigenvalue is -0.2");
  rf.tables = regions3 + "[behaviour.factors]\ncorrelation = -0.6\n";
  expect_run_error(rf, "correlation", "behaviour.factors.correlation",
                   "(a common correlation must be >= -1/(regions - 1))");
  rf.tables = regions3 + "[behaviour.factors]\ncorrelation = [[1, 0.5], [0.5, 1]]\n";
  expect_run_error(rf, "correlation", "behaviour.factors.correlation",
                   "must be 3 x 3 (one row per region of the population), got 2 rows");
  rf.tables = regions3 + "[behaviour.factors]\ncorrelation = [[1, 0.5, 0.1], [0.4, 1, 0.1], [0.1, 0.1, 1]]\n";
  expect_run_error(rf, "correlation", "behaviour.factors.correlation[1]",
                   "must be symmetric, got [1][0] = 0.4 but [0][1] = 0.5");
  rf.tables = regions3 + "[behaviour.factors]\ncorrelation = [[1, 0.5, 0.1], [0.5, 0.9, 0.1], [0.1, 0.1, 1]]\n";
  expect_run_error(rf, "correlation", "behaviour.factors.correlation[1]", "the diagonal must be 1, got 0.9 at [1][1]");
  rf.tables = regions3 + "[behaviour.factors]\ncorrelation = [[1, 1.5, 0], [1.5, 1, 0], [0, 0, 1]]\n";
  expect_run_error(rf, "correlation", "behaviour.factors.correlation[0][1]", "must be in [-1, 1], got 1.5");
  rf.tables = regions3 + "[behaviour.factors]\ncorrelation = []\n";
  expect_run_error(rf, "correlation", "behaviour.factors.correlation",
                   "must be a number or an array of rows (one per region), got an empty array");
  rf.tables = "[behaviour.factors]\nar1 = 1\n";
  expect_run_error(rf, "ar1", "behaviour.factors.ar1", "must be in (-1, 1), got 1");
  rf.tables = "[population]\nregions = [\"n\", \"s\"]\nregion_shares = [0.5, 0.4]\n";
  expect_run_error(rf, "region_shares", "population.region_shares", "must sum to 1, got 0.9");
  rf.tables = "[population]\nregions = [\"n\", \"s\"]\n";
  expect_run_error(rf, "[population]", "population.region_shares", "must have one share per region (2), got 1");
  rf.tables = "[population]\nregions = [\"n\", \"n/e\"]\nregion_shares = [0.5, 0.5]\n";
  expect_run_error(rf, "regions", "population.regions[1]", "names must be non-empty, unique and free of '/'");
  rf.tables = "[population]\nregions = [\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\",\"k\"]\n"
              "region_shares = [0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.05,0.05]\n";
  expect_run_error(rf, "regions", "population.regions",
                   "score bands x regions must be at most 64 reporting segments, got 6 x 11");
  // A valid matrix loads, and one common factor is the default.
  rf.tables = regions3 + "[behaviour.factors]\nar1 = 0.5\ncorrelation = [[1, 0.5, 0.3], [0.5, 1, 0.4], [0.3, 0.4, 1]]\n";
  const RunConfig cfg = load(rf);
  EXPECT_EQ(cfg.behaviour.factor_ar1, 0.5);
  EXPECT_EQ(factor_correlation(cfg.behaviour, 3)[5], 0.4);
  rf.tables = regions3;
  EXPECT_EQ(factor_correlation(load(rf).behaviour, 3), std::vector<double>(9, 1.0));
}

TEST_F(Config, ScenarioShocksLgdAndUnemploymentAreValidated) {
  RunFile rf;
  auto scen = [&](const std::string& body) {
    rf.refs = "policies = [{ name = \"p\" }]\nscenarios = [\"s.toml\"]\n";
    return write("s.toml", "[scenario]\n" + body);
  };
  auto expect_scenario_error = [&](const std::string& body, const std::string& needle, const std::string& key,
                                   const std::string& reason) {
    const std::string file = scen(body);
    SCOPED_TRACE(body);
    expect_error(load_error(write("run.toml", rf.text())), file, "[scenario]\n" + body, needle, key, reason);
  };
  expect_scenario_error("income_shock_probability = 1.5\n", "income_shock", "scenario.income_shock_probability",
                        "must be in [0, 1], got 1.5");
  expect_scenario_error("income_shock_months = [3, 2.5]\n", "income_shock", "scenario.income_shock_months[1]",
                        "must be whole months, got 2.5");
  expect_scenario_error("income_shock_months = 0\n", "income_shock", "scenario.income_shock_months",
                        "must be in [1, 120], got 0");
  expect_scenario_error("lgd_multiplier = -1\n", "lgd", "scenario.lgd_multiplier", "must be >= 0, got -1");
  expect_scenario_error("unemployment_rate = [4, 8]\nfactor_shift = -1\n[scenario.unemployment]\nbase_rate = 4\n"
                        "factor_per_point = 0.2\n",
                        "factor_shift", "scenario.factor_shift", "is derived from unemployment_rate here");
  expect_scenario_error("unemployment_rate = [4, 8]\n", "[scenario]", "scenario.unemployment.base_rate",
                        "is required here");
  expect_scenario_error("factor_shift = -1\n[scenario.unemployment]\nbase_rate = 4\n", "[scenario.unemployment]",
                        "scenario.unemployment", "is only read with unemployment_rate");
  expect_scenario_error("unemployment_rate = [4, 60]\n[scenario.unemployment]\nbase_rate = 4\nfactor_per_point = 0.2\n",
                        "factor_per_point", "scenario.unemployment.factor_per_point",
                        "gives a factor shift of 11.2 sd at some month of unemployment_rate; at most 10 is allowed");
  // The mapping, month by month: shift -0.3 x (U - 4), shock probability (U - 4)^+ / 100 / 6, last value held.
  scen("unemployment_rate = [4, 6, 10, 3]\nincome_shock_size = 0.5\n[scenario.unemployment]\nbase_rate = 4\n"
       "factor_per_point = 0.3\n");
  const RunConfig cfg = load(rf);
  const auto& m = cfg.scenarios[0].months;
  ASSERT_EQ(m.size(), 6u);
  const double u[] = {4, 6, 10, 3, 3, 3};
  for (int t = 0; t < 6; ++t) {
    EXPECT_DOUBLE_EQ(m[t].factor_shift, -0.3 * (u[t] - 4)) << t;
    EXPECT_DOUBLE_EQ(m[t].shock_prob, std::max(0.0, u[t] - 4) / 100 / 6) << t;
    EXPECT_EQ(m[t].shock_months, 6);
    EXPECT_EQ(m[t].shock_size, 0.5);
  }
  expect_round_trip(cfg, write("effective.toml", ""));
}

TEST_F(Config, ImportanceShiftRangeInFileAndOption) {
  RunFile rf;
  rf.run += "importance_shift = 9\n";
  expect_run_error(rf, "importance_shift", "run.importance_shift", "must be in [0, 8], got 9");
  RunFile ok;
  RunConfig cfg = load(ok);
  Overrides o;
  o.importance_shift = -1;
  try {
    apply_overrides(cfg, o);
    ADD_FAILURE() << "accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("--importance-shift: must be in [0, 8], got -1"), std::string::npos) << e.what();
  }
  o.importance_shift = 3.09;
  apply_overrides(cfg, o);
  EXPECT_EQ(cfg.importance_shift, 3.09);
}

TEST_F(Config, EffectiveTomlRoundTripsRegionsFactorsAndShocks) {
  RunFile rf;
  rf.run += "importance_shift = 2.5\n";
  rf.refs = "policies = [{ name = \"p\" }]\nscenarios = [{ name = \"s\", income_shock_probability = [0, 0.01], "
            "income_shock_size = 0.3, income_shock_months = [2, 5], lgd_multiplier = 1.1 }]\n";
  rf.tables = "[population]\nregions = [\"n\", \"s\"]\nregion_shares = [0.25, 0.75]\n"
              "[behaviour.factors]\nar1 = 0.3\ncorrelation = [[1, 0.2], [0.2, 1]]\n";
  expect_round_trip(load(rf), write("effective.toml", ""));
}

TEST_F(Config, ReportMonthsWithinTheHorizon) {
  RunFile rf;
  rf.run = "months = 36\nreport_months = [12, 40]\n";
  expect_run_error(rf, "report_months", "run.report_months[1]", "must be <= 36, got 40");
  rf.run = "months = 36\nreport_months = [0]\n";
  expect_run_error(rf, "report_months", "run.report_months[0]", "must be >= 1, got 0");
  rf.run = "months = 36\nreport_months = [12, 12]\n";
  expect_run_error(rf, "report_months", "run.report_months[1]", "month 12 is listed twice");
}

TEST_F(Config, RunRanges) {
  RunFile rf;
  rf.run = "paths = 0\n";
  expect_run_error(rf, "paths", "run.paths", "must be >= 1, got 0");
  rf.run = "months = 601\n";
  expect_run_error(rf, "months", "run.months", "must be <= 600, got 601");
  rf.run = "backend = \"gpu\"\n";
  expect_run_error(rf, "backend", "run.backend", "must be one of auto, cpu, cuda, got \"gpu\"");
  rf.run = "seed = -1\n";
  expect_run_error(rf, "seed", "run.seed", "must be >= 0, got -1");
}

TEST_F(Config, ScenarioSeriesValues) {
  RunFile rf;
  rf.refs = "policies = [{ name = \"p\" }]\nscenarios = [{ name = \"s\", factor_shift = [0, -11] }]\n";
  expect_run_error(rf, "factor_shift", "scenarios[0].factor_shift[1]", "must be in [-10, 10], got -11");
  rf.refs = "policies = [{ name = \"p\" }]\nscenarios = [{ name = \"s\", miss_multiplier = [] }]\n";
  expect_run_error(rf, "miss_multiplier", "scenarios[0].miss_multiplier", "must have at least 1 entries, got 0");
  rf.refs = "policies = [{ name = \"p\" }]\nscenarios = [{ name = \"s\", spend_multiplier = -0.5 }]\n";
  expect_run_error(rf, "spend_multiplier", "scenarios[0].spend_multiplier", "must be >= 0, got -0.5");
}

// ------------------------------------------------------------ errors: names and lists

TEST_F(Config, DuplicatePolicyNames) {
  const std::string text = "[policy]\nname = \"p\"\n";
  const std::string file = write("policies/other.toml", text);
  RunFile rf;
  rf.refs = "policies = [{ name = \"p\" }, \"policies/other.toml\"]\nscenarios = [{ name = \"s\" }]\n";
  const std::string msg = load_error(write("run.toml", rf.text()));
  expect_error(msg, file, text, "name", "policy.name", "policy name \"p\" is already used (at ");
  EXPECT_NE(msg.find(dir_ + "/run.toml:1)"), std::string::npos) << msg;
}

TEST_F(Config, DuplicateScenarioNamesFromFileStems) {
  write("a/base.toml", "[scenario]\n");
  write("b/base.toml", "[scenario]\n");
  RunFile rf;
  rf.refs = "policies = [{ name = \"p\" }]\nscenarios = [\n  \"a/base.toml\",\n  \"b/base.toml\",\n]\n";
  expect_run_error(rf, "b/base.toml", "scenarios[1]", "scenario name \"base\" is already used");
}

TEST_F(Config, BadNames) {
  RunFile rf;
  rf.refs = "policies = [{ name = \"a b\" }]\nscenarios = [{ name = \"s\" }]\n";
  expect_run_error(rf, "a b", "policies[0].name", "name must match [A-Za-z0-9_.-]+");
  rf.refs = "policies = [{ name = \"p\" }]\nscenarios = [{ name = \"..\" }]\n";
  expect_run_error(rf, "..", "scenarios[0].name", "not be only dots");
  write("bad name.toml", "[scenario]\n");
  rf.refs = "policies = [{ name = \"p\" }]\nscenarios = [\"bad name.toml\"]\n";
  expect_run_error(rf, "bad name", "scenarios[0]", "taken from the file name: name must match");
  rf.refs = "policies = [{ description = \"x\" }]\nscenarios = [{ name = \"s\" }]\n";
  expect_run_error(rf, "policies", "policies[0]", "an inline policy needs a name");
}

TEST_F(Config, PoliciesAndScenariosRequired) {
  RunFile rf;
  rf.refs = "scenarios = [{ name = \"s\" }]\n";
  const std::string path = write("run.toml", rf.text());
  const std::string msg = load_error(path);
  EXPECT_EQ(msg.rfind(path + ":1: policies: missing: at least one policy is required", 0), 0u) << msg;
  rf.refs = "policies = [{ name = \"p\" }]\nscenarios = []\n";
  expect_run_error(rf, "scenarios", "scenarios", "must be a non-empty array of file names or tables, got an array");
}

// ------------------------------------------------------------ errors: overrides

std::string override_error(RunConfig cfg, const Overrides& o) {
  try {
    apply_overrides(cfg, o);
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "override accepted";
  return "";
}

TEST_F(Config, ShorterHorizonDropsLaterReportMonths) {
  RunConfig c = load_run_config(kQuickstart);  // report_months = [12, 24]
  Overrides o;
  o.months = 20;
  apply_overrides(c, o);
  EXPECT_EQ(c.months, 20);
  EXPECT_EQ(c.report_months, (std::vector<std::int32_t>{12}));
}

TEST_F(Config, OverrideErrorsNameTheOption) {
  const RunConfig c = load_run_config(kQuickstart);
  Overrides o;
  o.paths = 0;
  EXPECT_EQ(override_error(c, o), "--paths: must be >= 1, got 0");
  o = Overrides{};
  o.months = 601;
  EXPECT_EQ(override_error(c, o), "--months: must be <= 600, got 601");
  o = Overrides{};
  o.backend = "gpu";
  EXPECT_EQ(override_error(c, o), "--backend: must be one of auto, cpu, cuda, got \"gpu\"");
  o = Overrides{};
  o.customers = 0;
  EXPECT_EQ(override_error(c, o), "--customers: must be >= 1, got 0");
  o = Overrides{};
  o.batch_size = 0;
  EXPECT_EQ(override_error(c, o), "--batch-size: must be >= 1, got 0");
  o = Overrides{};
  o.threads = -1;
  EXPECT_EQ(override_error(c, o), "--threads: must be >= 0, got -1");
  o = Overrides{};
  o.seed = 1ull << 63;
  EXPECT_EQ(override_error(c, o), "--seed: must be <= 9223372036854775807, got 9223372036854775808");
  o = Overrides{};
  o.output = "";
  EXPECT_EQ(override_error(c, o), "--out: must not be empty");
}

TEST_F(Config, FailedOverrideChangesNothing) {
  RunConfig c = load_run_config(kQuickstart);
  Overrides o;
  o.paths = 7;
  o.backend = "gpu";
  EXPECT_THROW(apply_overrides(c, o), ConfigError);
  EXPECT_EQ(c.paths, 32);
}


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

// ------------------------------------------------------------ sweeps

TEST_F(Config, ShippedSweepsExpandTheirGrids) {
  const SweepConfig sc = load_sweep_config(LIMITSIM_SOURCE_DIR "/configs/sweep_lender_rules.toml");
  ASSERT_EQ(sc.run.policies.size(), 1u + 4 * 2 * 3);
  EXPECT_EQ(sc.base_policy, "lender_rules");
  EXPECT_EQ(sc.run.policies[0].name, "lender_rules");
  ASSERT_EQ(sc.parameters.size(), 3u);
  EXPECT_EQ(sc.parameters[1].key, "review.every_months");
  EXPECT_EQ(sc.parameters[1].values, (std::vector<std::string>{"3", "6"}));
  EXPECT_NE(sc.csv.find("sweep_lender_rules.csv"), std::string::npos);
  // The base policy's own values of the swept keys.
  EXPECT_EQ(sc.parameters[0].base_value, "0.2");
  EXPECT_EQ(sc.parameters[1].base_number, 3.0);
  EXPECT_EQ(sc.parameters[2].base_value, "30");
  // The last parameter varies fastest: variant 5 (index 4) = raise 0.1, every 6, at_dpd 30.
  EXPECT_EQ(sc.grid[4], (std::vector<std::int32_t>{0, 1, 1}));
  const PolicyConfig& v5 = sc.run.policies[5];
  EXPECT_EQ(v5.name, "lender_rules.v05");
  EXPECT_EQ(v5.description, "sweep of lender_rules: review.raise_pct = 0.1, review.every_months = 6, freeze.at_dpd = 30");
  EXPECT_EQ(v5.params.review_raise_pct, 0.1);
  EXPECT_EQ(v5.params.review_every, 6);
  EXPECT_EQ(v5.params.freeze_bucket, 2);
  // Everything not swept is the base policy's.
  EXPECT_EQ(v5.params.trigger_clean_months, sc.run.policies[0].params.trigger_clean_months);
  EXPECT_EQ(v5.params.decrease_cut_to_pct, sc.run.policies[0].params.decrease_cut_to_pct);
  EXPECT_EQ(load_sweep_config(LIMITSIM_SOURCE_DIR "/configs/sweep_100.toml").run.policies.size(), 101u);
}

TEST_F(Config, SweepErrors) {
  const std::string head = "policies = [{ name = \"p\" }]\nscenarios = [{ name = \"s\" }]\n[run]\nmonths = 6\n";
  auto sweep_error = [&](const std::string& body) {
    const std::string path = write("sweep.toml", head + body);
    try {
      load_sweep_config(path);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(sweep_error("").find("sweep: missing: a sweep file needs a [sweep] table"), std::string::npos);
  EXPECT_NE(sweep_error("[sweep]\nparameters = [{ key = \"reveiw.raise_pct\", values = [0.1] }]\n")
                .find("sweep.parameters[0].key: must name a number or boolean key of [policy]"),
            std::string::npos);
  EXPECT_NE(sweep_error("[sweep]\nparameters = [{ key = \"review.raise_pct\", values = [\"a\"] }]\n")
                .find("sweep.parameters[0].values[0]: must be a number or a boolean, got string \"a\""),
            std::string::npos);
  EXPECT_NE(sweep_error("[sweep]\nparameters = [{ key = \"review.raise_pct\", values = [] }]\n")
                .find("must be an array of 1 to 1000 numbers or booleans"),
            std::string::npos);
  EXPECT_NE(sweep_error("[sweep]\nparameters = [{ key = \"review.raise_pct\", values = [0.1] },"
                        " { key = \"review.raise_pct\", values = [0.2] }]\n")
                .find("sweep.parameters[1].key: is swept twice"),
            std::string::npos);
  EXPECT_NE(sweep_error("[sweep]\nparameters = [{ key = \"review.raise_pcx\", values = [0.1] }]\n")
                .find("policy.review.raise_pcx: unknown key"),
            std::string::npos);
  EXPECT_NE(sweep_error("[sweep]\nparameters = [{ key = \"temporary.months\", values = [1] }]\n")
                .find("(not the arrays initial_line.bands, temporary.months, pricing.bands)"),
            std::string::npos);
  // A variant that fails a policy rule names the variant.
  const std::string bad = sweep_error(
      "[sweep]\nparameters = [{ key = \"review.every_months\", values = [3] },"
      " { key = \"review.raise_pct\", values = [0.2, 0] }]\n");
  EXPECT_NE(bad.find("policy.review.raise_pct: a review every 3 months needs raise_pct > 0"), std::string::npos) << bad;
  EXPECT_NE(bad.find("(in sweep variant 2 of 2: review.every_months = 3, review.raise_pct = 0)"), std::string::npos)
      << bad;
  // A sweep is compared with its base policy.
  const std::string other = write("other.toml", "policies = [{ name = \"p\" }]\nscenarios = [{ name = \"s\" }]\n"
                                                "[run]\nbaseline = \"p.v1\"\n[sweep]\n"
                                                "parameters = [{ key = \"max_limit\", values = [1000] }]\n");
  try {
    load_sweep_config(other);
    ADD_FAILURE() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("run.baseline: a sweep is compared with its base policy \"p\""),
              std::string::npos) << e.what();
  }
  // A run file with [sweep] is refused by `run`, and a sweep needs exactly one policy.
  const std::string path = write("sweep2.toml", head + "[sweep]\nparameters = []\n");
  EXPECT_NE(load_error(path).find("read only by `limitsim sweep`"), std::string::npos);
  const std::string two = write("two.toml", "policies = [{ name = \"p\" }, { name = \"q\" }]\n"
                                            "scenarios = [{ name = \"s\" }]\n[run]\n[sweep]\n"
                                            "parameters = [{ key = \"max_limit\", values = [1000] }]\n");
  try {
    load_sweep_config(two);
    ADD_FAILURE() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("a sweep varies one base policy: list exactly one, got 2"), std::string::npos);
  }
}

}  // namespace
}  // namespace limitsim

namespace limitsim {
namespace {

// A file population's regions are its mapping's (north, south in the loader
// fixture), so the behaviour's factors are checked against them when the
// file is read, and again when --population/--mapping change them.
TEST_F(Config, FilePopulationTakesItsMappingsRegionsForTheFactorChecks) {
  const std::string data = std::string(LIMITSIM_SOURCE_DIR) + "/tests/data/loader/good.csv";
  const std::string mapping = std::string(LIMITSIM_SOURCE_DIR) + "/tests/data/loader/basic.toml";
  RunFile rf;
  rf.refs = "population = { kind = \"file\", file = \"" + data + "\", mapping = \"" + mapping + "\" }\n" +
            "behaviour = \"behaviour.toml\"\n" + rf.refs;
  write("behaviour.toml", "[behaviour.factors]\ncorrelation = [[1.0, 0.5], [0.5, 1.0]]\n");
  const RunConfig cfg = load(rf);
  EXPECT_EQ(cfg.population.region_names, (std::vector<std::string>{"north", "south"}));
  EXPECT_EQ(cfg.behaviour.regions, 2);

  const std::string one_text = "[behaviour.factors]\ncorrelation = [[1.0]]\n";
  const std::string one = write("behaviour.toml", one_text);
  try {
    load(rf);
    ADD_FAILURE() << "a 1 x 1 matrix for two regions loaded";
  } catch (const ConfigError& e) {
    expect_error(e.what(), one, one_text, "correlation", "behaviour.factors.correlation", "must be 2 x 2");
  }

  // A behaviour calibrated on another score scale does not fit this population's (680, 80).
  write("behaviour.toml", "[behaviour.calibration]\nsource = \"book.csv\"\nscore_mean = 600.0\nscore_sd = 80.0\n");
  try {
    load(rf);
    ADD_FAILURE() << "a behaviour calibrated on another score scale was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("population.score_mean, score_sd: 680, 80 differ from the 600, 80"),
              std::string::npos) << e.what();
  }
  write("behaviour.toml", "[behaviour.calibration]\nsource = \"book.csv\"\nscore_mean = 680.0\nscore_sd = 80.0\n");
  EXPECT_EQ(load(rf).behaviour.calibration.score_mean, 680.0);

  // The quickstart's synthetic population, turned into this file population on the command line:
  // a common correlation of -0.9 is fine for one region, and still fine for two (>= -1).
  RunConfig q = load_run_config(kQuickstart);
  q.behaviour.factor_correlation = -0.9;
  Overrides o;
  o.population_file = data;
  o.mapping = mapping;
  apply_overrides(q, o);
  EXPECT_EQ(q.population.region_names.size(), 2u);
  EXPECT_EQ(q.behaviour.regions, 2);
  // A 3 x 3 matrix cannot fit the mapping's two regions.
  RunConfig m3 = load_run_config(kQuickstart);
  m3.behaviour.factor_correlation_matrix = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
  try {
    apply_overrides(m3, o);
    ADD_FAILURE() << "a 3 x 3 matrix for two regions was accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("--mapping: the mapping", 0), 0u) << e.what();
    EXPECT_NE(std::string(e.what()).find("has 2 regions, but behaviour.factors.correlation is a 3 x 3 matrix"),
              std::string::npos) << e.what();
  }
}

// `limitsim calibrate --base`: a behaviour file alone, with the same checks.
TEST_F(Config, BehaviourFileAloneLoadsAndNamesItsErrors) {
  const std::string good = write("base.toml", "[behaviour.payment]\napr = 0.2\n\n[behaviour.calibration]\n"
                                              "source = \"book.csv\"\nmonths = [\"2005-04\"]\ncustomers = 7\n");
  const BehaviourConfig b = load_behaviour_config(good);
  EXPECT_EQ(b.params.apr, 0.2);
  EXPECT_EQ(b.params.min_payment_rate, default_behaviour().min_payment_rate);
  EXPECT_EQ(b.calibration.source, "book.csv");
  EXPECT_EQ(b.calibration.months, std::vector<std::string>{"2005-04"});
  EXPECT_EQ(b.calibration.customers, 7);
  EXPECT_EQ(b.source, good);

  const std::string typo_text = "[behaviour.payment]\naprr = 0.2\n";
  const std::string typo = write("typo.toml", typo_text);
  try {
    load_behaviour_config(typo);
    ADD_FAILURE() << "a misspelt key loaded";
  } catch (const ConfigError& e) {
    expect_error(e.what(), typo, typo_text, "aprr", "behaviour.payment.aprr", "unknown key");
  }
  const std::string extra_text = "[behaviour.payment]\napr = 0.2\n[run]\npaths = 3\n";
  const std::string extra = write("extra.toml", extra_text);
  try {
    load_behaviour_config(extra);
    ADD_FAILURE() << "a [run] table in a behaviour file loaded";
  } catch (const ConfigError& e) {
    expect_error(e.what(), extra, extra_text, "[run]", "run", "unknown key");
  }
  const std::string nosource_text = "[behaviour.calibration]\nmonths = []\n";
  const std::string nosource = write("nosource.toml", nosource_text);
  try {
    load_behaviour_config(nosource);
    ADD_FAILURE() << "a calibration table without its source loaded";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("behaviour.calibration.source: is required"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace limitsim
