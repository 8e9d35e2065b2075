// [pnl] in the run file (src/config/run_file.cpp): defaults, values, errors naming
// file, line and key, and the effective configuration (docs/config.md, "[pnl]").
#include <gtest/gtest.h>

#include "tests/config/config_fixture.hpp"

namespace limitsim {
namespace {

using namespace config_test;

TEST_F(Config, WithoutPnlTableTheDocumentedDefaultsApply) {
  const RunConfig c = load(RunFile{});
  EXPECT_EQ(c.pnl.interchange_rate, 0.02);
  EXPECT_EQ(c.pnl.annual_fee, 0);
  EXPECT_EQ(c.pnl.operating_cost, 6000);
  EXPECT_EQ(c.pnl.acquisition_cost, 20000);
  EXPECT_EQ(c.pnl.collection_cost, 2000);
}

TEST_F(Config, PnlValuesAreReadWithMoneyInCents) {
  RunFile rf;
  rf.tables = "[pnl]\ninterchange_rate = 0.0045\nannual_fee = 95\noperating_cost = 12.5\n"
              "acquisition_cost = 0.01\ncollection_cost = 0\n";
  const RunConfig c = load(rf);
  EXPECT_EQ(c.pnl.interchange_rate, 0.0045);
  EXPECT_EQ(c.pnl.annual_fee, 9500);
  EXPECT_EQ(c.pnl.operating_cost, 1250);
  EXPECT_EQ(c.pnl.acquisition_cost, 1);
  EXPECT_EQ(c.pnl.collection_cost, 0);
  // A key left out keeps its default.
  rf.tables = "[pnl]\nannual_fee = 10\n";
  const RunConfig d = load(rf);
  EXPECT_EQ(d.pnl.annual_fee, 1000);
  EXPECT_EQ(d.pnl.interchange_rate, 0.02);
}

TEST_F(Config, BadOrUnknownPnlKeysNameFileLineAndKey) {
  struct Case {
    const char* body;
    const char* needle;
    const char* key;
    const char* reason;
  };
  const Case cases[] = {
      {"interchange = 0.02\n", "interchange =", "pnl.interchange",
       "unknown key (allowed here: interchange_rate, annual_fee, operating_cost, acquisition_cost, "
       "collection_cost)"},
      {"interchange_rate = 0.2\n", "interchange_rate", "pnl.interchange_rate", "must be in [0, 0.1], got 0.2"},
      {"interchange_rate = -0.01\n", "interchange_rate", "pnl.interchange_rate", "must be in [0, 0.1]"},
      {"interchange_rate = \"2%\"\n", "interchange_rate", "pnl.interchange_rate", "must be a number"},
      {"annual_fee = -5\n", "annual_fee", "pnl.annual_fee", "must be in [0, 1e+05]"},
      {"operating_cost = 200000\n", "operating_cost", "pnl.operating_cost", "must be in [0, 1e+05]"},
      {"acquisition_cost = nan\n", "acquisition_cost", "pnl.acquisition_cost", "must be"},
      {"collection_cost = inf\n", "collection_cost", "pnl.collection_cost", "must be"},
      {"cost_of_funds = 0.03\n", "cost_of_funds", "pnl.cost_of_funds", "unknown key"},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.body);
    RunFile rf;
    rf.tables = std::string("[pnl]\n") + k.body;
    expect_run_error(rf, k.needle, k.key, k.reason);
  }
  RunFile rf;
  rf.refs = "pnl = 3\n" + rf.refs;
  expect_run_error(rf, "pnl = 3", "pnl", "must be a table");
}

TEST_F(Config, EffectiveConfigCarriesThePnlAndReadsBackTheSame) {
  RunFile rf;
  rf.tables = "[pnl]\ninterchange_rate = 0.0045\nannual_fee = 0\noperating_cost = 10\nacquisition_cost = 20\n"
              "collection_cost = 5\n";
  const RunConfig c = load(rf);
  const std::string text = effective_toml(c);
  EXPECT_NE(text.find("\n[pnl]\n"), std::string::npos) << text;
  EXPECT_NE(text.find("interchange_rate = 0.0045"), std::string::npos) << text;
  EXPECT_NE(text.find("collection_cost = 5"), std::string::npos) << text;
  const RunConfig back = load_run_config(write("effective.toml", text));
  expect_same(c, back);
}

}  // namespace
}  // namespace limitsim
