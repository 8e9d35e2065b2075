// The calibration targets file (src/config/targets.hpp): its keys, the figures and parameters it may
// name, and how a fitted parameter is set on a behaviour.
#include "src/config/targets.hpp"

#include <toml.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

#include "kernels/special.hpp"
#include "src/config/fields.hpp"

namespace limitsim {
namespace {

namespace fs = std::filesystem;
using namespace fields;

// The array parameters: where their entries live (index = bucket = the file's 1-based position).
double* array_of(BehaviourParams& p, const std::string& key) {
  if (key == "delinquency.roll") return p.roll;
  if (key == "delinquency.cure") return p.cure;
  if (key == "delinquency.partial_cure") return p.partial_cure;
  if (key == "delinquency.partial_cure_two") return p.partial_cure_two;
  return nullptr;
}

// A number parameter's place in the behaviour (its file value).
double* number_of(BehaviourConfig& b, const std::string& key) {
  BehaviourParams& p = b.params;
  if (key == "delinquency.miss_probability") return &b.miss_probability;
  if (key == "delinquency.miss_beta_risk") return &p.miss_beta_risk;
  if (key == "delinquency.miss_beta_util") return &p.miss_beta_util;
  if (key == "delinquency.roll_beta_risk") return &p.roll_beta_risk;
  if (key == "delinquency.roll_beta_util") return &p.roll_beta_util;
  if (key == "loss.lgd") return &p.lgd;
  if (key == "payment.apr") return &p.apr;
  if (key == "payment.min_payment_rate") return &p.min_payment_rate;
  if (key == "spending.sigma") return &p.spend_sigma;
  if (key == "spending.limit_elasticity") return &p.spend_limit_elasticity;
  if (key == "attrition.monthly_rate") return &p.attrition_rate;
  return nullptr;
}

const ParameterInfo* find_parameter(const std::string& key) {
  for (const ParameterInfo& p : calibration_parameters())
    if (key == p.key) return &p;
  return nullptr;
}

const TargetFigureInfo* find_figure(const std::string& name) {
  for (const TargetFigureInfo& f : target_figures())
    if (name == f.name) return &f;
  return nullptr;
}

// One [[target]] or [[check]] as written.
struct Row {
  std::string figure, scenario, source, parameter;
  std::vector<std::int32_t> months, entries;
  std::vector<double> band, bounds;
  double value = std::nan(""), tolerance = std::nan("");
};

template <class IO>
void row_fields(IO& t, Row& r, bool fitted) {
  for (const char* key : {"figure", "months", "source"}) t.need(key);
  std::vector<std::string> names;
  for (const TargetFigureInfo& f : target_figures()) names.push_back(f.name);
  t.choice("figure", r.figure, names);
  t.integers("months", r.months, exactly(2), closed(1, 600));
  t.check(r.months[0] <= r.months[1], "months", "must be [first, last] with first <= last");
  t.text("scenario", r.scenario);
  t.text("source", r.source);
  t.check(!r.source.empty(), "source", "must say where the figure comes from (document, table, year) or that it is a guess");
  if (fitted) {
    for (const char* key : {"value", "tolerance", "parameter", "bounds"}) t.need(key);
    t.number("value", r.value, any_number());
    t.number("tolerance", r.tolerance, above(0));
    t.text("parameter", r.parameter);
    const ParameterInfo* p = find_parameter(r.parameter);
    if (!p) {
      std::vector<std::string> keys;
      for (const ParameterInfo& q : calibration_parameters()) keys.push_back(q.key);
      t.fail("parameter", "must be one of " + join(keys, ", ") + ", got " + quote(r.parameter));
    }
    if (p->array) {
      t.need("entries");
      t.integers("entries", r.entries, exactly(2), closed(1, kMaxBuckets - 1));
      t.check(r.entries[0] <= r.entries[1], "entries", "must be [first, last] with first <= last");
    } else {
      t.forbid("entries", "only for an array parameter (" + r.parameter + " is a number)");
    }
    t.numbers("bounds", r.bounds, exactly(2), closed(p->lo, p->hi));
    t.check(r.bounds[0] < r.bounds[1], "bounds", "must be [low, high] with low < high");
    t.forbid("band", "is for a [[check]]; a [[target]] is reached within value +- tolerance");
  } else {
    t.need("band");
    t.numbers("band", r.band, exactly(2), any_number());
    t.check(r.band[0] <= r.band[1], "band", "must be [low, high] with low <= high");
    for (const char* key : {"value", "tolerance", "parameter", "entries", "bounds"})
      t.forbid(key, "is for a [[target]]; a [[check]] is reported against its band only");
  }
}

TargetsConfig read_targets(const Value& doc, const std::string& path) {
  TargetsConfig c;
  c.source = path;
  Reader root(&doc, "", doc);
  Reader cal = root.sub("calibrate");
  cal.need("run");
  cal.text("run", c.run);
  cal.integer("customers", c.customers, closed(1, 1e9));
  cal.integer("paths", c.paths, closed(2, 100000));
  cal.integer("months", c.months, closed(1, 600));
  cal.integer("seed", c.seed, at_least(0));
  cal.integer("sweeps", c.sweeps, closed(1, 100));
  cal.integer("evaluations", c.evaluations, closed(2, 1000));
  const Value* run_value = cal.peek("run");
  cal.done();
  std::vector<Row> targets, checks;
  root.rows("target", targets, non_empty(), [](auto& row, Row& r) { row_fields(row, r, true); });
  root.rows("check", checks, at_most(100), [](auto& row, Row& r) { row_fields(row, r, false); });
  root.done();

  c.run = (fs::path(path).parent_path() / c.run).lexically_normal().string();
  RunConfig run;
  try {
    run = load_run_config(c.run);
  } catch (const ConfigError& e) {
    fail_at(*run_value, "calibrate.run", std::string("cannot be loaded: ") + e.what());
  }
  std::set<std::string> scenarios;
  for (const ScenarioConfig& s : run.scenarios) scenarios.insert(s.name);
  std::set<std::string> fitted;
  auto add = [&](const Row& r, bool is_target, std::size_t i) {
    const Value& table = doc.at(is_target ? "target" : "check").as_array()[i];
    const std::string key = std::string(is_target ? "target" : "check") + "[" + std::to_string(i) + "]";
    CalibrationTarget t;
    t.figure = r.figure;
    t.first_month = r.months[0];
    t.last_month = r.months[1];
    if (t.last_month > c.months)
      fail_at(table.at("months"), key + ".months", "ends after the calibration's " + std::to_string(c.months) + " months");
    if (!r.scenario.empty() && !scenarios.count(r.scenario))
      fail_at(table.at("scenario"), key + ".scenario", "names no scenario of " + c.run + ", got " + quote(r.scenario));
    if (find_figure(r.figure)->ratio_to_first_scenario && (r.scenario.empty() || r.scenario == run.scenarios[0].name))
      fail_at(table.at("figure"), key + ".figure",
              "compares a scenario with the run's first one (" + run.scenarios[0].name + "): name another scenario");
    t.scenario = r.scenario;
    t.source = r.source;
    t.fitted = is_target;
    if (is_target) {
      if (!r.scenario.empty() && r.scenario != run.scenarios[0].name)
        fail_at(table.at("scenario"), key + ".scenario",
                "a fitted target is simulated on the run's first scenario (" + run.scenarios[0].name + ")");
      t.value = r.value;
      t.tolerance = r.tolerance;
      t.band_lo = r.value - r.tolerance;
      t.band_hi = r.value + r.tolerance;
      t.parameter.key = r.parameter;
      if (!r.entries.empty()) {
        t.parameter.first_entry = r.entries[0];
        t.parameter.last_entry = r.entries[1];
      }
      t.parameter.lo = r.bounds[0];
      t.parameter.hi = r.bounds[1];
      const std::string id = r.parameter + (r.entries.empty() ? "" : "[" + std::to_string(r.entries[0]) + ":" +
                                                                         std::to_string(r.entries[1]) + "]");
      if (!fitted.insert(id).second)
        fail_at(table.at("parameter"), key + ".parameter", id + " is fitted to two targets: give each target its own");
    } else {
      t.band_lo = r.band[0];
      t.band_hi = r.band[1];
      t.value = 0.5 * (t.band_lo + t.band_hi);
    }
    c.targets.push_back(t);
  };
  for (std::size_t i = 0; i < targets.size(); ++i) add(targets[i], true, i);
  for (std::size_t i = 0; i < checks.size(); ++i) add(checks[i], false, i);
  return c;
}

}  // namespace

const std::vector<TargetFigureInfo>& target_figures() {
  static const std::vector<TargetFigureInfo> figures = {
      {"net_chargeoff_rate", "(gross charge-offs - recoveries) over the months x 12 / months / mean month-end balance", false},
      {"gross_chargeoff_rate", "gross charge-offs over the months x 12 / months / mean month-end balance", false},
      {"loss_rate", "net loss (charge-off x LGD) over the months x 12 / months / mean month-end balance", false},
      {"overdue30_balance", "mean over the months of the balance 30+ DPD / total balance", false},
      {"overdue90_balance", "mean over the months of the balance 90+ DPD / total balance", false},
      {"overdue30_count", "mean over the months of the accounts 30+ DPD / open accounts", false},
      {"overdue90_count", "mean over the months of the accounts 90+ DPD / open accounts", false},
      {"balance_to_line", "mean over the months of the total balance / total line", false},
      {"mean_utilization", "mean over the months of the mean account utilization", false},
      {"utilization_p50", "median account utilization, the months pooled (within a 10% bin: linear)", false},
      {"utilization_p90", "90th percentile of account utilization, the months pooled", false},
      {"payment_rate", "payments over the months / the month-end balances of the months before", false},
      {"revenue_yield", "(interest + fees - reversals) over the months x 12 / months / mean month-end balance", false},
      {"peak_net_chargeoff_rate", "the highest net charge-off rate of a quarter (3 months) in the months", false},
      {"peak_net_chargeoff_ratio", "the highest ratio of a quarter's net charge-off rate to the first scenario's", true},
      {"peak_overdue30_balance_ratio", "the highest ratio of a month's 30+ balance share to the first scenario's", true},
  };
  return figures;
}

const std::vector<ParameterInfo>& calibration_parameters() {
  static const std::vector<ParameterInfo> params = {
      {"delinquency.miss_probability", false, 1e-6, 0.5},
      {"delinquency.miss_beta_risk", false, -10, 10},
      {"delinquency.miss_beta_util", false, -10, 10},
      {"delinquency.roll_beta_risk", false, -10, 10},
      {"delinquency.roll_beta_util", false, -10, 10},
      {"delinquency.roll", true, 0.01, 100},
      {"delinquency.cure", true, 0.01, 100},
      {"delinquency.partial_cure", true, 0.01, 100},
      {"delinquency.partial_cure_two", true, 0.01, 100},
      {"loss.lgd", false, 0.01, 0.99},
      {"payment.apr", false, 0, 2},
      {"payment.min_payment_rate", false, 0.001, 1},
      {"spending.sigma", false, 0, 3},
      {"spending.limit_elasticity", false, 0, 1},
      {"attrition.monthly_rate", false, 0, 1},
  };
  return params;
}

double parameter_value(const BehaviourConfig& b, const CalibrationParameter& p) {
  if (find_parameter(p.key)->array) return 1.0;
  BehaviourConfig copy = b;
  return *number_of(copy, p.key);
}

bool set_parameter(BehaviourConfig& b, const BehaviourConfig& base, const CalibrationParameter& p, double x) {
  BehaviourParams& q = b.params;
  if (!find_parameter(p.key)->array) {
    *number_of(b, p.key) = x;
    if (p.key == "delinquency.miss_probability") q.miss_intercept = logit(x);
    if (p.key == "loss.lgd" && q.lgd_mode == LgdMode::kBeta) {
      q.lgd_beta_a = x * b.lgd_concentration;
      q.lgd_beta_b = (1.0 - x) * b.lgd_concentration;
    }
    return false;
  }
  BehaviourParams from = base.params;
  double* out = array_of(q, p.key);
  const double* in = array_of(from, p.key);
  bool capped = false;
  for (int k = p.first_entry; k <= p.last_entry; ++k) {
    out[k] = 0.0;  // the room left by the other three shares of bucket k
    const double room = 1.0 - q.roll[k] - q.cure[k] - q.partial_cure[k] - q.partial_cure_two[k];
    const double want = in[k] * x;
    out[k] = std::min(want, std::max(0.0, room));
    capped = capped || out[k] < want;
  }
  return capped;
}

TargetsConfig load_targets_config(const std::string& path) {
  const Value doc = toml_io::parse_file(path, "targets file");
  return toml_io::with_file_errors(path, [&] { return read_targets(doc, path); });
}

}  // namespace limitsim
