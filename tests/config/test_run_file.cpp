// The run file as a whole (src/config/run_file.cpp): the shipped configs, the effective_toml round trip,
// resolved values, a file population's regions and a behaviour file read on its own.
#include <gtest/gtest.h>

#include "tests/config/config_fixture.hpp"

namespace limitsim {
namespace {

using namespace config_test;

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
  EXPECT_NE(c.population.source.find("population/card_prime.toml"), std::string::npos);
  EXPECT_EQ(c.population.score_mean, 715.0);

  // The default behaviour is the card_prime profile: the shipped file spells out the built-in defaults.
  const BehaviourParams& b = c.behaviour.params;
  EXPECT_NE(c.behaviour.source.find("behaviour/card_prime.toml"), std::string::npos);
  EXPECT_EQ(b.miss_intercept, logit(0.008459));
  EXPECT_EQ(b.chargeoff_bucket, 6);
  EXPECT_EQ(b.min_payment_floor, 2500);  // 25.00
  EXPECT_EQ(b.late_fee, 3000);           // 30.00
  EXPECT_EQ(b.rho, 0.04);
  EXPECT_EQ(b.rho_horizon_months, 12);
  EXPECT_EQ(b.decline_bucket, 1);
  EXPECT_EQ(b.n_mpb_bands, 4);
  EXPECT_EQ(b.mpb[3], 0.59);
  EXPECT_EQ(b.reversal_months, 6);
  EXPECT_EQ(b.recovery_months, 12);
  EXPECT_EQ(b.roll[0], 0.0);
  EXPECT_EQ(b.roll[1], 0.25);
  EXPECT_EQ(b.cure[6], 0.0167);
  EXPECT_EQ(b.partial_cure[3], 0.154);
  EXPECT_EQ(b.lgd_mode, LgdMode::kFixed);
  EXPECT_EQ(b.lgd_beta_a, 0.0);
  expect_same(b, default_behaviour());
  EXPECT_EQ(c.behaviour.miss_probability, kDefaultMissProbability);
  EXPECT_EQ(c.behaviour.recovery_curve, default_recovery_curve());

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

// The shipped synthetic population and legacy behaviour spell out the built-in population defaults and the
// built-in behaviour of before issue 14 (the legacy file switches every later lever off).
TEST_F(Config, SyntheticPopulationSpellsOutTheDefaults) {
  RunFile rf;
  rf.refs = "population = \"" LIMITSIM_SOURCE_DIR "/configs/population/synthetic.toml\"\nbehaviour = \"" LIMITSIM_SOURCE_DIR
            "/configs/behaviour/legacy.toml\"\n" + rf.refs;
  const RunConfig c = load(rf);
  expect_same(c.population, PopulationConfig{});
  const BehaviourParams& b = c.behaviour.params;
  EXPECT_EQ(b.miss_intercept, logit(0.02));
  EXPECT_EQ(b.roll[1], 0.20);
  EXPECT_EQ(b.spend_limit_elasticity, 0.1);
  EXPECT_EQ(b.n_mpb_bands + b.decline_bucket + b.reversal_months, 0);
  EXPECT_EQ(b.rho_horizon_months, 1);
  EXPECT_EQ(b.recovery_months, 1);
  EXPECT_EQ(b.recovery_cum[0], 1.0);
  for (int k = 0; k < kMaxBuckets; ++k) EXPECT_EQ(b.partial_cure[k] + b.partial_cure_two[k], 0.0);
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
partial_cure = [0, 0, 0, 0, 0, 0]
partial_cure_two = [0, 0, 0, 0, 0, 0]
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
