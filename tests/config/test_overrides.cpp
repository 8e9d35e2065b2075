// Command-line overrides of a run file (src/config/overrides.cpp): each error names its option, and a failed
// override changes nothing.
#include <gtest/gtest.h>

#include "tests/config/config_fixture.hpp"

namespace limitsim {
namespace {

using namespace config_test;

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

// The living book's checks across keys hold after the overrides too.
TEST_F(Config, OverridesKeepTheAcquisitionChecks) {
  RunConfig c = load_run_config(kQuickstart);
  c.acquisition.enabled = true;
  c.acquisition.constant_book = true;
  c.acquisition.first_month = 12;
  Overrides o;
  o.months = 6;
  EXPECT_EQ(override_error(c, o).rfind("--months: the run file's [acquisition] first_month (12) lies past the last "
                                       "month (6)", 0),
            0u);
  Overrides real;
  real.population_file = LIMITSIM_SOURCE_DIR "/data/uci-credit-card/uci_credit_card.csv";
  real.mapping = LIMITSIM_SOURCE_DIR "/configs/population/uci_credit_card.toml";
  EXPECT_NE(override_error(c, real).find("--population: the run file has [acquisition]"), std::string::npos);
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

}  // namespace
}  // namespace limitsim
