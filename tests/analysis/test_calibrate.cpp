// A round trip of limitsim calibrate: a panel simulated by the model itself with known behaviour parameters is
// calibrated back (src/analysis/calibrate.cpp), and the behaviour file it writes (calibrate_report.cpp) loads into
// the same doubles.
#include <gtest/gtest.h>

#include "tests/analysis/calibrate_fixture.hpp"

namespace limitsim {
namespace {

using namespace calibrate_test;

// ------------------------------------------------------------ 4. round trip

constexpr int kSimMonths = 12;
constexpr std::int64_t kSimCustomers = 200000;

// The behaviour the simulated panel is generated with. It differs from the
// defaults in every estimated key, so a calibration that fell back on the
// base values would fail the checks.
BehaviourConfig true_behaviour() {
  BehaviourConfig b = default_config();
  b.miss_probability = 0.03;
  b.params.miss_intercept = logit(b.miss_probability);
  b.params.miss_beta_risk = 0.7;
  b.params.miss_beta_util = 1.1;
  const double roll[kMaxBuckets] = {0.0, 0.30, 0.50, 0.60, 0.70, 0.75, 0.80};
  const double cure[kMaxBuckets] = {0.0, 0.50, 0.30, 0.15, 0.10, 0.06, 0.04};
  const double back_one[kMaxBuckets] = {0.0, 0.0, 0.10, 0.12, 0.10, 0.08, 0.06};
  const double back_two[kMaxBuckets] = {0.0, 0.0, 0.0, 0.05, 0.06, 0.05, 0.04};
  for (int k = 0; k < kMaxBuckets; ++k) {
    b.params.roll[k] = roll[k];
    b.params.cure[k] = cure[k];
    b.params.partial_cure[k] = back_one[k];
    b.params.partial_cure_two[k] = back_two[k];
  }
  b.params.roll_beta_risk = 0.45;
  b.params.roll_beta_util = 0.7;
  b.params.spend_sigma = 0.6;
  b.params.rho = 0.0;               // independent events: the pooled fit is the model's own likelihood
  b.params.apr = 0.0;               // no interest and ...
  b.params.late_fee = 0;            // ... no fees: the statement grows by exactly the spend
  b.params.min_payment_floor = 0;   // a revolver never pays a small statement in full by the floor rule
  b.params.min_payment_rate = 0.10; // few revolvers at their line: a capped month's spend can be tiny
  b.params.decline_bucket = 0;      // delinquent accounts spend too, as when this check was set up: the line
                                    // caps some months, which pulls sigma down a little, as many as before
  return b;
}

struct RoundTrip {
  PopulationConfig pc;
  BehaviourConfig truth, base;
  Population pop;
  Panel panel;
  Calibration cal;
  std::int64_t typed = 0, typed_paying_transactors = 0;  // ground truth for the transactor share
};

// Panel month 0 is the opening state; panel month t >= 1 is the end of
// simulated month t - 1. So panel month t's state (bucket, statement, line) is
// exactly the state at the start of simulated month t, whose delinquency event
// gives panel month t + 1's bucket: calibrate()'s t -> t+1 transitions are the
// model's monthly events, with the covariates the model used.
void to_panel(RoundTrip& rt) {
  const Population& pop = rt.pop;
  const std::int64_t n = pop.size();
  const int cb = rt.truth.params.chargeoff_bucket;
  Panel& p = rt.panel;
  p.source = "simulated by tests/analysis/test_calibrate.cpp";
  p.sha256 = "";
  p.months = kSimMonths + 1;
  for (int t = 0; t <= kSimMonths; ++t) {
    char name[16];
    std::snprintf(name, sizeof name, "%d-%02d", 2030 + t / 12, t % 12 + 1);
    p.month_names.push_back(name);
  }
  p.id = pop.id;
  p.limit = pop.limit;
  p.score = pop.score;
  p.income = pop.income;
  p.months_on_book = pop.months_on_book;
  p.region = pop.region;
  p.region_names = {"all"};
  const std::size_t cells = static_cast<std::size_t>(n) * static_cast<std::size_t>(p.months);
  p.bucket.assign(cells, -1);
  p.type.assign(cells, UsageType::kNone);
  p.balance.assign(cells, 0);
  p.payment.assign(cells, 0);
  for (std::int64_t i = 0; i < n; ++i) {
    p.bucket[p.at(i, 0)] = static_cast<std::int8_t>(std::min<int>(pop.bucket[static_cast<std::size_t>(i)], cb));
    p.balance[p.at(i, 0)] = pop.balance[static_cast<std::size_t>(i)];
  }

  ModelView mv{};
  mv.behaviour = rt.truth.params;
  mv.policy = default_policy();  // every lever off: lines never move, nothing freezes
  const std::vector<ScenarioMonth> scenario(kSimMonths, neutral_scenario_month());
  const std::vector<double> factor(kSimMonths, 0.0);  // [1 path][months][1 factor]
  mv.scenario = scenario.data();
  mv.factor = factor.data();
  mv.lgd_quantiles = nullptr;
  mv.seed = 424242;
  mv.months = kSimMonths;
  mv.paths_total = 1;
  mv.factors = 1;
  trace_customers(mv, pop.view(), 1, 0, [&](std::int64_t i, int, const MonthOutcome* o) {
    for (int m = 0; m < kSimMonths; ++m) {
      const std::size_t at = p.at(i, m + 1);
      const std::int64_t due = std::max<std::int64_t>(0, p.balance[p.at(i, m)]);
      const MonthOutcome& x = o[m];
      if (!x.was_open) continue;  // closed: no observation
      if (x.charged_off) {
        p.bucket[at] = static_cast<std::int8_t>(cb + 1);  // a roll past the last bucket
        continue;
      }
      if (x.attrited) {  // did not miss, paid off and closed
        p.bucket[at] = 0;
        p.payment[at] = x.payment;
        continue;
      }
      p.bucket[at] = static_cast<std::int8_t>(x.bucket);
      p.balance[at] = x.balance;
      p.payment[at] = x.payment;
      UsageType type = UsageType::kNone;
      if (x.bucket == 0 && due > 0 && x.payment >= due) type = UsageType::kTransactor;
      else if (x.bucket == 0 && due > 0 && x.payment > 0) type = UsageType::kRevolver;
      else if (x.bucket == 0 && due == 0 && x.spend == 0) type = UsageType::kInactive;
      p.type[at] = type;
    }
  });
  p.status_code.assign(p.bucket.begin(), p.bucket.end());
  for (std::int64_t i = 0; i < n; ++i)
    for (int t = 0; t <= kSimMonths; ++t) {
      const UsageType u = p.type[p.at(i, t)];
      if (u == UsageType::kNone) continue;
      ++rt.typed;
      if (u != UsageType::kInactive && pop.transactor[static_cast<std::size_t>(i)]) ++rt.typed_paying_transactors;
    }
}

const RoundTrip& round_trip() {
  static const RoundTrip rt = [] {
    RoundTrip r;
    r.pc.customers = kSimCustomers;
    r.pc.new_account_share = 0.0;  // every account existing: months on book > 0, line and balance given
    r.truth = true_behaviour();
    r.base = default_config();
    r.pop = generate_population(r.pc, 99, 1, kSimCustomers, 0);
    // The score proxy the calibration uses must be the model's risk.
    for (std::size_t i = 0; i < r.pop.risk.size(); ++i)
      r.pop.risk[i] = static_cast<float>(-(static_cast<double>(r.pop.score[i]) - r.pc.score_mean) / r.pc.score_sd);
    to_panel(r);
    r.cal = calibrate(r.panel, 0, kSimMonths, r.base, r.pc);
    return r;
  }();
  return rt;
}

TEST(CalibRoundTrip, PanelHoldsOnlyMovesTheModelMakes) {
  const Calibration& c = round_trip().cal;
  EXPECT_EQ(c.customers, kSimCustomers);
  EXPECT_GT(c.transitions, kSimCustomers * kSimMonths * 9 / 10);
  for (int to = 2; to < kMaxBuckets; ++to) EXPECT_EQ(c.counts[0][static_cast<std::size_t>(to)], 0) << to;
  for (int b = 1; b < kMaxBuckets; ++b)
    for (int to = 1; to < kMaxBuckets; ++to)
      if (to != b && to != b + 1 && to != b - 1 && to != b - 2) {  // stay, roll, back one or two
        EXPECT_EQ(c.counts[static_cast<std::size_t>(b)][static_cast<std::size_t>(to)], 0) << b << " -> " << to;
      }
  EXPECT_GT(c.to_chargeoff[6], 0);
  EXPECT_EQ(c.to_chargeoff[5], 0);
  EXPECT_TRUE(c.notes.empty()) << ::testing::PrintToString(c.notes);
}

TEST(CalibRoundTrip, RecoversTheMissRegression) {
  const RoundTrip& rt = round_trip();
  const Calibration& c = rt.cal;
  ASSERT_TRUE(c.miss_fitted);
  const BehaviourParams& t = rt.truth.params;
  EXPECT_NEAR(c.miss_intercept.value, t.miss_intercept, 3 * c.miss_intercept.se);
  EXPECT_NEAR(c.miss_beta_risk.value, t.miss_beta_risk, 3 * c.miss_beta_risk.se);
  EXPECT_NEAR(c.miss_beta_util.value, t.miss_beta_util, 3 * c.miss_beta_util.se);
  // Tight enough to mean something.
  EXPECT_LT(c.miss_intercept.se, 0.02);
  EXPECT_LT(c.miss_beta_util.se, 0.05);
  // Written back the way src/config/ reads it.
  EXPECT_DOUBLE_EQ(c.behaviour.miss_probability, logistic(c.miss_intercept.value));
  EXPECT_EQ(c.behaviour.params.miss_intercept, logit(c.behaviour.miss_probability));
  EXPECT_EQ(c.behaviour.params.miss_beta_risk, c.miss_beta_risk.value);
  EXPECT_EQ(c.behaviour.params.miss_beta_util, c.miss_beta_util.value);
  for (const char* k : {"delinquency.miss_probability", "delinquency.miss_beta_risk", "delinquency.miss_beta_util"})
    EXPECT_TRUE(has_key(c, k)) << k;
}

TEST(CalibRoundTrip, RecoversRollAndCureRates) {
  const RoundTrip& rt = round_trip();
  const Calibration& c = rt.cal;
  const BehaviourParams& t = rt.truth.params;
  ASSERT_TRUE(c.roll_fitted);
  EXPECT_NEAR(c.roll_beta_risk.value, t.roll_beta_risk, 3 * c.roll_beta_risk.se);
  EXPECT_NEAR(c.roll_beta_util.value, t.roll_beta_util, 3 * c.roll_beta_util.se);
  int checked = 0;
  for (int b = 1; b < kMaxBuckets; ++b) {
    const std::size_t u = static_cast<std::size_t>(b);
    ASSERT_GE(c.roll[u].trials, kCalibrationMinTrials) << b;
    EXPECT_EQ(c.behaviour.params.roll[u], logistic(c.roll_intercept[u].value)) << b;
    EXPECT_TRUE(has_key(c, "delinquency.roll[" + std::to_string(b - 1) + "]"));
    if (c.roll[u].trials < 2000) continue;  // well-populated buckets only
    ++checked;
    EXPECT_NEAR(c.roll_intercept[u].value, logit(t.roll[u]), 3 * c.roll_intercept[u].se) << "bucket " << b;
    // The model cures with cure[b] / (1 - roll[b]) among the months that do not roll.
    const Rate& s = c.cure_share[u];
    const double share = t.cure[u] / (1.0 - t.roll[u]);
    EXPECT_NEAR(s.p, share, 3 * (s.hi - s.lo) / (2 * kZ)) << "bucket " << b;
    // cure[b] = share x (1 - roll[b]): delta-method standard error.
    const double r = c.behaviour.params.roll[u];
    const double se_r = r * (1 - r) * c.roll_intercept[u].se, se_s = (s.hi - s.lo) / (2 * kZ);
    const double se_cure = std::sqrt(std::pow((1 - r) * se_s, 2) + std::pow(s.p * se_r, 2));
    EXPECT_NEAR(c.behaviour.params.cure[u], t.cure[u], 3 * se_cure) << "bucket " << b;
    EXPECT_LE(c.behaviour.params.roll[u] + c.behaviour.params.cure[u], 1.0);
  }
  EXPECT_GE(checked, 4);
}

// Partial cures: the model moves a delinquent account back one bucket with partial_cure[b] / (1 - roll[b])
// and back two with partial_cure_two[b] / (1 - roll[b]) among the months that do not roll; calibrate
// estimates those shares and writes them back times 1 - roll.
TEST(CalibRoundTrip, RecoversPartialCures) {
  const RoundTrip& rt = round_trip();
  const Calibration& c = rt.cal;
  const BehaviourParams& t = rt.truth.params;
  int checked = 0;
  for (int b = 2; b < kMaxBuckets; ++b) {
    const std::size_t u = static_cast<std::size_t>(b);
    if (c.roll[u].trials < 2000) continue;
    ++checked;
    const Rate& one = c.back_one_share[u];
    const Rate& two = c.back_two_share[u];
    EXPECT_NEAR(one.p, t.partial_cure[u] / (1.0 - t.roll[u]), 3 * (one.hi - one.lo) / (2 * kZ)) << "bucket " << b;
    EXPECT_NEAR(two.p, t.partial_cure_two[u] / (1.0 - t.roll[u]), 3 * (two.hi - two.lo) / (2 * kZ) + 1e-12)
        << "bucket " << b;
    const double r = c.behaviour.params.roll[u];
    EXPECT_DOUBLE_EQ(c.behaviour.params.partial_cure[u], one.p * (1.0 - r));
    if (b >= 3) EXPECT_DOUBLE_EQ(c.behaviour.params.partial_cure_two[u], two.p * (1.0 - r));
    EXPECT_TRUE(has_key(c, "delinquency.partial_cure[" + std::to_string(b - 1) + "]"));
    EXPECT_LE(r + c.behaviour.params.cure[u] + c.behaviour.params.partial_cure[u] +
                  c.behaviour.params.partial_cure_two[u],
              1.0 + 1e-12);
  }
  EXPECT_GE(checked, 3);
  EXPECT_EQ(c.behaviour.params.partial_cure[1], 0.0);  // back one from 1-30 would be a cure
  EXPECT_EQ(c.behaviour.params.partial_cure_two[2], 0.0);
}

TEST(CalibRoundTrip, RecoversTransactorShareAndSpendSigma) {
  const RoundTrip& rt = round_trip();
  const Calibration& c = rt.cal;
  // Ground truth from the customers' own attribute: the typed months that
  // belong to transactors (and paid a statement).
  ASSERT_EQ(c.transactor_share.trials, rt.typed);
  const double truth = static_cast<double>(rt.typed_paying_transactors) / static_cast<double>(rt.typed);
  EXPECT_GE(truth, c.transactor_share.lo);
  EXPECT_LE(truth, c.transactor_share.hi);
  EXPECT_NEAR(c.transactor_share.p + c.revolver_share.p + c.inactive_share.p, 1.0, 1e-12);
  // spend_sigma: with no interest or fees the statement grows by the spend.
  // The line caps a few months' spend, which pulls the estimate down a little.
  ASSERT_TRUE(has_key(c, "spending.sigma"));
  EXPECT_NEAR(c.spend_sigma.value, rt.truth.params.spend_sigma, 0.01);
  EXPECT_EQ(c.behaviour.params.spend_sigma, c.spend_sigma.value);
  // Utilization and payment ratios are observed for most customer-months.
  EXPECT_GT(c.utilization.n, kSimCustomers * kSimMonths);
  EXPECT_GT(c.payment_ratio.n, kSimCustomers * kSimMonths / 2);
  EXPECT_LE(c.payment_ratio.q[8], 1.0);  // nobody pays more than the statement here
}

// ------------------------------------------------------------ the behaviour file

class CalibToml : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "limitsim_test_calibrate_XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  // A run file that names `behaviour_text` as its behaviour file.
  std::string run_file(const std::string& behaviour_text) {
    std::ofstream(dir_ / "behaviour.toml") << behaviour_text;
    std::ofstream(dir_ / "run.toml") << "behaviour = \"behaviour.toml\"\n"
                                        "[run]\nname = \"calibrated\"\nmonths = 12\n"
                                        "[[policies]]\nname = \"static\"\n"
                                        "[[scenarios]]\nname = \"baseline\"\n";
    return (dir_ / "run.toml").string();
  }
  fs::path dir_;
};

// The file without its [behaviour.calibration] table (until src/config/ reads
// that table): every other line, comments included, is kept.
std::string without_provenance(const std::string& text) {
  std::istringstream in(text);
  std::ostringstream out;
  std::string line;
  bool skip = false;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] == '[') skip = line == "[behaviour.calibration]";
    if (!skip || line.empty() || line[0] == '#') out << line << "\n";
  }
  return out.str();
}

#define SAME(field) EXPECT_EQ(a.field, b.field) << #field
void expect_same(const BehaviourParams& a, const BehaviourParams& b) {
  SAME(spend_sigma); SAME(spend_limit_elasticity); SAME(draws_extra_mean); SAME(draws_beta_risk);
  SAME(draws_beta_util); SAME(min_payment_rate); SAME(min_payment_floor); SAME(apr); SAME(late_fee);
  SAME(miss_intercept); SAME(miss_beta_risk); SAME(miss_beta_util); SAME(util_ref);
  for (int i = 0; i < kMaxBuckets; ++i) {
    SAME(roll[i]);
    SAME(cure[i]);
  }
  SAME(roll_beta_risk); SAME(roll_beta_util); SAME(chargeoff_bucket); SAME(rho); SAME(income_shock_beta);
  SAME(lgd_mode); SAME(lgd); SAME(lgd_beta_a); SAME(lgd_beta_b); SAME(attrition_rate);
  SAME(score_bucket_penalty); SAME(score_recent_penalty); SAME(score_recent_months); SAME(score_util_penalty);
}
#undef SAME

TEST_F(CalibToml, BehaviourTablesLoadBackIntoTheSameDoubles) {
  const Calibration& c = round_trip().cal;
  const std::string text = calibration_toml(c);
  const RunConfig cfg = load_run_config(run_file(without_provenance(text)));
  expect_same(cfg.behaviour.params, c.behaviour.params);
  EXPECT_EQ(cfg.behaviour.miss_probability, c.behaviour.miss_probability);
  EXPECT_EQ(cfg.behaviour.factor_ar1, c.behaviour.factor_ar1);
  EXPECT_EQ(cfg.behaviour.factor_correlation, c.behaviour.factor_correlation);
  // The estimated values really are the estimates, not the defaults.
  EXPECT_EQ(cfg.behaviour.params.miss_beta_util, c.miss_beta_util.value);
  EXPECT_NE(cfg.behaviour.params.miss_beta_util, default_behaviour().miss_beta_util);
}

TEST_F(CalibToml, SaysWhichKeysAreEstimatedAndCarriesTheEstimates) {
  const Calibration& c = round_trip().cal;
  const std::string text = calibration_toml(c);
  auto line_of = [&](const std::string& key) {
    const std::size_t at = text.find("\n" + key + " = ");
    return at == std::string::npos ? std::string() : text.substr(at + 1, text.find('\n', at + 1) - at - 1);
  };
  EXPECT_NE(line_of("miss_beta_util").find("# estimated"), std::string::npos) << text;
  EXPECT_NE(line_of("sigma").find("# estimated"), std::string::npos);
  EXPECT_NE(line_of("roll").find("# estimated"), std::string::npos);
  EXPECT_NE(line_of("lgd").find("# default (not estimated)"), std::string::npos);
  EXPECT_NE(line_of("min_payment_rate").find("# default (not estimated"), std::string::npos);
  EXPECT_NE(line_of("rho").find("# default (not estimated)"), std::string::npos);
  for (const char* table : {"spending", "payment", "delinquency", "loss", "attrition", "score", "factors"})
    EXPECT_NE(text.find(std::string("\n[behaviour.") + table + "]\n"), std::string::npos) << table;
  // The estimates ride along as comments: the transition counts and the coefficients.
  EXPECT_NE(text.find("# Bucket transitions"), std::string::npos);
  EXPECT_NE(text.find("# Miss regression"), std::string::npos);
  EXPECT_NE(text.find(std::to_string(c.counts[0][1])), std::string::npos);
}

TEST_F(CalibToml, ProvenanceTableHasTheAgreedKeysAndTypes) {
  Calibration c = round_trip().cal;
  c.mapping_file = "configs/population/uci_credit_card.toml";
  c.data_sha256 = "f7b7d22d1f8dd27dadb25d4b78d8a4ae7c441ab6cc12d1ea58c0efc54d4d1788";
  c.created = "2025-11-23T16:50:00Z";
  std::istringstream in(calibration_toml(c));
  const toml::value doc = toml::parse(in, "calibrated.toml");
  const toml::value& t = doc.at("behaviour").at("calibration");
  std::set<std::string> keys;
  for (const auto& kv : t.as_table()) keys.insert(kv.first);
  EXPECT_EQ(keys, (std::set<std::string>{"source", "sha256", "mapping", "months", "customers", "transitions",
                                         "created", "limitsim_version", "score_mean", "score_sd"}));
  EXPECT_EQ(t.at("score_mean").as_floating(), c.score_mean);  // the risk proxy's scale
  EXPECT_EQ(t.at("score_sd").as_floating(), c.score_sd);
  EXPECT_EQ(t.at("source").as_string().str, c.data_file);
  EXPECT_EQ(t.at("sha256").as_string().str, c.data_sha256);
  EXPECT_EQ(t.at("mapping").as_string().str, c.mapping_file);
  ASSERT_EQ(t.at("months").as_array().size(), static_cast<std::size_t>(kSimMonths + 1));
  EXPECT_EQ(t.at("months").as_array().front().as_string().str, "2030-01");
  EXPECT_EQ(t.at("months").as_array().back().as_string().str, "2031-01");
  EXPECT_EQ(t.at("customers").as_integer(), c.customers);
  EXPECT_EQ(t.at("transitions").as_integer(), c.transitions);
  EXPECT_EQ(t.at("created").as_string().str, "2025-11-23T16:50:00Z");
  EXPECT_EQ(t.at("limitsim_version").as_string().str, c.limitsim_version);
  EXPECT_FALSE(c.limitsim_version.empty());
  // Without a creation time the key is left out.
  c.created.clear();
  std::istringstream again(calibration_toml(c));
  EXPECT_FALSE(toml::parse(again, "calibrated.toml").at("behaviour").at("calibration").contains("created"));
}

// FOR THE LEAD: enable (drop DISABLED_) once src/config/ accepts the
// [behaviour.calibration] table (keys: source, sha256, mapping, months,
// customers, transitions, created, limitsim_version). Until then
// load_run_config rejects the table as an unknown key; the test above checks
// its content with toml11 and BehaviourTablesLoadBackIntoTheSameDoubles checks
// the behaviour tables through load_run_config.
TEST_F(CalibToml, WholeFileLoadsThroughLoadRunConfig) {
  const Calibration& c = round_trip().cal;
  const RunConfig cfg = load_run_config(run_file(calibration_toml(c)));
  expect_same(cfg.behaviour.params, c.behaviour.params);
  EXPECT_EQ(cfg.behaviour.miss_probability, c.behaviour.miss_probability);
  // The provenance is read, and kept in the effective configuration of a run that uses it.
  const CalibrationInfo& info = cfg.behaviour.calibration;
  EXPECT_EQ(info.source, c.data_file);
  EXPECT_EQ(info.sha256, c.data_sha256);
  EXPECT_EQ(info.months, c.months);
  EXPECT_EQ(info.customers, c.customers);
  EXPECT_EQ(info.transitions, c.transitions);
  EXPECT_EQ(info.limitsim_version, c.limitsim_version);
  const std::string eff = effective_toml(cfg);
  EXPECT_NE(eff.find("[behaviour.calibration]"), std::string::npos);
  const std::string eff_file = (dir_ / "effective.toml").string();
  std::ofstream(eff_file) << eff;
  const RunConfig again = load_run_config(eff_file);
  EXPECT_EQ(again.behaviour.calibration.months, c.months);
  expect_same(again.behaviour.params, c.behaviour.params);
}

}  // namespace
}  // namespace limitsim
