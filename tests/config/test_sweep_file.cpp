// Sweep files (src/config/sweep_file.cpp): the shipped sweeps expand their grids, and every sweep error.
#include <gtest/gtest.h>

#include "tests/config/config_fixture.hpp"

namespace limitsim {
namespace {

using namespace config_test;

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
