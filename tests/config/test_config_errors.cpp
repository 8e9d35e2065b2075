// Every validation error of a run file and the files it names: each must name the file, the line and the
// key (src/config/fields.hpp and the *_file.cpp key lists): files and syntax, keys and types, ranges, names.
#include <gtest/gtest.h>

#include "tests/config/config_fixture.hpp"

namespace limitsim {
namespace {

using namespace config_test;

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
               "unknown key; did you mean 'scenario'? (allowed here: scenario)");
  const std::string empty = write("sc.toml", "# nothing\n");
  const std::string msg = load_error(write("run.toml", rf.text()));
  EXPECT_EQ(msg.rfind(empty + ":1: scenario: missing", 0), 0u) << msg;
}

// ------------------------------------------------------------ errors: keys and types

TEST_F(Config, UnknownTopLevelKey) {
  RunFile rf;
  rf.tables = "[runn]\nname = \"x\"\n";
  expect_run_error(rf, "[runn]", "runn", "unknown key; did you mean 'run'? (allowed here: run, pnl, population, behaviour, policies, scenarios, acquisition)");
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
               "unknown key; did you mean 'rho'? (allowed here: miss_probability");
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
               "unknown key; did you mean 'floor'? (allowed here: score_min, income_multiple, floor, cap)");
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

TEST_F(Config, TailLevelsInFileAndOption) {
  RunFile none;
  const RunConfig plain = load(none);
  EXPECT_TRUE(plain.tail_levels.empty());
  // Left out of the effective configuration when not given (existing files stay byte for byte the same).
  EXPECT_EQ(effective_toml(plain).find("tail_levels"), std::string::npos);
  RunFile rf;
  rf.run += "tail_levels = [0.95, 0.975, 0.995, 0.9995]\n";
  const RunConfig cfg = load(rf);
  EXPECT_EQ(cfg.tail_levels, (std::vector<double>{0.95, 0.975, 0.995, 0.9995}));
  EXPECT_NE(effective_toml(cfg).find("tail_levels = [0.95, 0.975, 0.995, 0.9995]"), std::string::npos);
  expect_round_trip(cfg, write("effective.toml", ""));
  RunFile bad;
  bad.run += "tail_levels = [0.99, 0.95]\n";
  expect_run_error(bad, "tail_levels", "run.tail_levels[1]", "levels must be in increasing order");
  bad.run = "tail_levels = [0.95, 0.95]\n";
  expect_run_error(bad, "tail_levels", "run.tail_levels[1]", "is listed twice");
  bad.run = "tail_levels = [0.95, 1.0]\n";
  expect_run_error(bad, "tail_levels", "run.tail_levels[1]", "must be in (0, 1), got 1");
  bad.run = "tail_levels = []\n";
  expect_run_error(bad, "tail_levels", "run.tail_levels", "");
  bad.run = "tail_levels = [0.1234567891]\n";
  expect_run_error(bad, "tail_levels", "run.tail_levels[0]", "must have at most 9 decimals");

  RunConfig c = load(none);
  Overrides o;
  o.tail_levels = "0.975,0.995";
  apply_overrides(c, o);
  EXPECT_EQ(c.tail_levels, (std::vector<double>{0.975, 0.995}));
  for (const auto& [text, why] : std::vector<std::pair<std::string, std::string>>{
           {"0.99,0.95", "--tail-levels: 0.95: levels must be in increasing order"},
           {"0.95,x", "--tail-levels: expected comma-separated numbers"},
           {"0.95,,0.99", "--tail-levels: expected comma-separated numbers"},
           {"95", "--tail-levels: 95: must be in (0, 1)"}}) {
    RunConfig d = load(none);
    Overrides bad_o;
    bad_o.tail_levels = text;
    try {
      apply_overrides(d, bad_o);
      ADD_FAILURE() << text << " accepted";
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(why), std::string::npos) << e.what();
    }
    EXPECT_TRUE(d.tail_levels.empty()) << text;
  }
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

// ------------------------------------------------------------ the living book

TEST_F(Config, AcquisitionNeedsExactlyOneVolume) {
  RunFile rf;
  rf.tables = "[acquisition]\nmonthly_share = 0.02\nmonthly_applicants = 100\n";
  expect_run_error(rf, "monthly_applicants = 100", "acquisition.monthly_applicants",
                   "give exactly one of monthly_applicants, monthly_share and constant_book = true, got 2");
  rf.tables = "[acquisition]\nfirst_month = 3\n";
  expect_run_error(rf, "[acquisition]", "acquisition.monthly_applicants", "give exactly one of");
}

TEST_F(Config, AcquisitionKeysAreChecked) {
  RunFile rf;
  rf.tables = "[acquisition]\nmonthly_applicants = 100\nfirst_month = 7\n";  // the run has 6 months
  expect_run_error(rf, "first_month = 7", "acquisition.first_month", "must be <= 6");
  rf.tables = "[acquisition]\nmonthly_applicants = [100, 12.5]\n";
  expect_run_error(rf, "monthly_applicants", "acquisition.monthly_applicants[1]", "must be whole applicants, got 12.5");
  rf.tables = "[acquisition]\nmonthly_applicants = 100\nvolume = 3\n";
  expect_run_error(rf, "volume = 3", "acquisition.volume", "unknown key");
  rf.tables = "[acquisition]\nmonthly_share = 0.02\ndti_median = 0\n";
  expect_run_error(rf, "dti_median = 0", "acquisition.dti_median", "must be in (0, 10]");
}

TEST_F(Config, AcquisitionReadsAndWritesBack) {
  RunFile rf;
  rf.refs = "policies = [{ name = \"p\", approval = { min_score = 600, max_dti = 0.4, share = 0.5 } }]\n"
            "scenarios = [{ name = \"s\", applicant_multiplier = [1.0, 0.5] }]\n";
  rf.tables = "[acquisition]\nmonthly_applicants = [100, 50]\nfirst_month = 2\ndti_median = 0.25\n";
  const RunConfig c = load_run_config(write("run.toml", rf.text()));
  EXPECT_TRUE(c.acquisition.enabled);
  EXPECT_EQ(c.acquisition.monthly_applicants, (std::vector<double>{100, 50}));
  EXPECT_EQ(c.acquisition.first_month, 2);
  EXPECT_EQ(c.policies[0].params.approve_min_score, 600.0);
  EXPECT_EQ(c.policies[0].params.approve_max_dti, 0.4);
  EXPECT_EQ(c.policies[0].params.approve_share, 0.5);
  EXPECT_EQ(c.scenarios[0].months[0].applicant_mult, 1.0);
  EXPECT_EQ(c.scenarios[0].months[5].applicant_mult, 0.5);
  // The effective configuration reads back to the same run.
  const RunConfig back = load_run_config(write("effective.toml", effective_toml(c)));
  EXPECT_EQ(back.acquisition.monthly_applicants, c.acquisition.monthly_applicants);
  EXPECT_EQ(back.acquisition.first_month, 2);
  EXPECT_EQ(back.acquisition.dti_median, 0.25);
  EXPECT_EQ(back.policies[0].params.approve_share, 0.5);
  EXPECT_EQ(back.scenarios[0].months[5].applicant_mult, 0.5);
  const std::string a = effective_toml(back), b = effective_toml(c);
  EXPECT_EQ(a.substr(a.find('\n')), b.substr(b.find('\n')));  // the same but for the file it was read from
}

TEST_F(Config, AcquisitionNeedsASyntheticPopulation) {
  const std::string msg = load_error(write("run.toml", std::string("population = \"") + LIMITSIM_SOURCE_DIR +
                                                           "/configs/population/uci.toml\"\npolicies = [{ name = \"p\" }]\n"
                                                           "scenarios = [{ name = \"s\" }]\n[run]\nname = \"t\"\n"
                                                           "[acquisition]\nmonthly_share = 0.1\n"));
  EXPECT_NE(msg.find("acquisition: applicants are drawn like a synthetic population"), std::string::npos) << msg;
}

TEST_F(Config, BehaviourBaseIsReadFirstThenOverlaid) {
  write("behaviour/base.toml", "[behaviour.delinquency]\nrho = 0.1\nmiss_probability = 0.01\n"
                               "[behaviour.attrition]\nmonthly_rate = 0.02\n");
  write("behaviour/over.toml", "[behaviour]\nbase = \"base.toml\"\n[behaviour.delinquency]\nrho = 0.2\n"
                               "[behaviour.attrition]\nrunoff = true\n[behaviour.seasoning]\nmiss_multiplier = [0.5, 1.5]\n");
  RunFile rf;
  rf.refs = "behaviour = \"behaviour/over.toml\"\n" + rf.refs;
  const RunConfig c = load_run_config(write("run.toml", rf.text()));
  const BehaviourParams& p = c.behaviour.params;
  EXPECT_EQ(p.rho, 0.2);                          // replaced
  EXPECT_EQ(c.behaviour.miss_probability, 0.01);  // the base's
  EXPECT_EQ(p.attrition_rate, 0.02);              // the base's
  EXPECT_EQ(p.attrition_runoff, 1);
  EXPECT_EQ(p.n_seasoning, 2);
  EXPECT_EQ(p.seasoning[1], 1.5);
  // A base that names itself is refused after four levels.
  write("behaviour/loop.toml", "[behaviour]\nbase = \"loop.toml\"\n");
  RunFile lf;
  lf.refs = "behaviour = \"behaviour/loop.toml\"\n" + lf.refs;
  const std::string msg = load_error(write("run2.toml", lf.text()));
  EXPECT_NE(msg.find("behaviour.base: bases nest more than 4 deep"), std::string::npos) << msg;
  // A missing base names the key.
  write("behaviour/gone.toml", "[behaviour]\nbase = \"nope.toml\"\n");
  RunFile gf;
  gf.refs = "behaviour = \"behaviour/gone.toml\"\n" + gf.refs;
  const std::string gone = load_error(write("run3.toml", gf.text()));
  EXPECT_NE(gone.find("behaviour.base: cannot open"), std::string::npos) << gone;
}

}  // namespace
}  // namespace limitsim
