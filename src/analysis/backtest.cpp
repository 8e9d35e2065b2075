// limitsim backtest (backtest.hpp): calibrate on a real panel, simulate out of time and past the panel, report.
#include "src/analysis/backtest.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <numeric>
#include <sstream>

#include "src/analysis/backtest_sim.hpp"
#include "src/util/text.hpp"
#include "version.hpp"

namespace limitsim {

namespace {

using namespace backtest_detail;

bool delinquent_state(int s) { return (s >= 1 && s < kMaxBuckets) || s == kChargedOff; }

// One month of the model from a population: each (customer, path)'s end state, [customer * paths + path].
std::vector<std::int8_t> simulate_month(const RunConfig& cfg, const BehaviourParams& bp, const Population& pop) {
  const int paths = cfg.paths;
  std::vector<std::int8_t> end(static_cast<std::size_t>(pop.size()) * static_cast<std::size_t>(paths));
  simulate(cfg, bp, pop, 1, [&](std::int64_t i, int path, const MonthOutcome* o) {
    const int state = o[0].charged_off ? kChargedOff : (o[0].attrited ? kAttrited : o[0].bucket);
    end[static_cast<std::size_t>(i) * paths + path] = static_cast<std::int8_t>(state);
  });
  return end;
}

std::string bucket_name(int b) {
  static const char* names[] = {"current", "1-30", "31-60", "61-90", "91-120", "121-150", "151-180"};
  return b < kMaxBuckets ? names[b] : "charged off";
}

}  // namespace

BacktestReport run_backtest(const BacktestOptions& opt) {
  const auto t0 = std::chrono::steady_clock::now();
  RunConfig cfg = load_run_config(opt.config);
  if (cfg.population.kind != "file")
    throw ConfigError(opt.config + ": population.kind: a backtest needs a real population (kind = \"file\" with "
                                   "file and mapping), got \"" + cfg.population.kind + "\"");
  Overrides o;
  if (opt.paths > 0) o.paths = opt.paths;
  if (opt.has_seed) o.seed = opt.seed;
  if (opt.threads > 0) o.threads = opt.threads;
  if (!opt.on_bad_row.empty()) o.on_bad_row = opt.on_bad_row;
  if (opt.folds < 2 || opt.folds > 20) throw ConfigError("--folds: must be 2..20, got " + std::to_string(opt.folds));
  // The longest simulation: the label's horizon, or the panel's months after the first (check 4).
  const Mapping m = load_mapping(cfg.population.mapping);
  const LabelEvent event = label_event(m);
  o.months = std::max<std::int32_t>({1, event.horizon, static_cast<std::int32_t>(m.months.size()) - 1});
  apply_overrides(cfg, o);
  if (cfg.policies.size() != 1 || cfg.scenarios.size() != 1)
    throw ConfigError(opt.config + ": a backtest simulates one policy under one scenario, got " +
                      std::to_string(cfg.policies.size()) + " policies and " + std::to_string(cfg.scenarios.size()) +
                      " scenarios");
  if (cfg.importance_shift != 0.0)
    throw ConfigError(opt.config + ": run.importance_shift: a backtest samples plainly; set it to 0");

  Panel panel = load_panel(cfg.population.file, m,
                                 cfg.population.on_bad_row == "skip" ? BadRowPolicy::kSkip : BadRowPolicy::kError);
  if (!cfg.population.sha256.empty() && cfg.population.sha256 != panel.sha256)
    throw ConfigError(cfg.population.file + ": SHA-256 " + panel.sha256 + " differs from population.sha256 " +
                      cfg.population.sha256);
  const int T = panel.months;
  if (panel.label.empty())
    throw ConfigError(m.source + ": fields.label: a backtest needs the outcome label column (after the panel, or "
                                 "after the snapshot)");
  const bool snapshot = m.months.empty();
  if (snapshot && !m.label_defined)
    throw ConfigError(m.source + ": label: a snapshot backtest simulates the label's horizon and definition, so the "
                                 "mapping must give them ([label] horizon_months and min_bucket)");
  if (!snapshot && panel.bucket.empty())
    throw ConfigError(m.source + ": panel.status: a backtest needs the monthly status columns (the buckets it compares)");
  if (!snapshot && T < 3)
    throw ConfigError(m.source + ": panel.months: a backtest needs at least 3 months (2 to calibrate, 1 to compare), "
                                 "got " + std::to_string(T));
  cfg.population.region_names = panel.region_names.empty() ? std::vector<std::string>{"all"} : panel.region_names;
  cfg.population.region_shares.assign(cfg.population.region_names.size(),
                                      1.0 / static_cast<double>(cfg.population.region_names.size()));
  cfg.behaviour.regions = static_cast<std::int32_t>(cfg.population.region_names.size());

  BacktestReport r;
  r.data_file = shown_path(panel.source);
  r.data_sha256 = panel.sha256;
  r.mapping_file = shown_path(m.source);
  r.label_column = m.columns.count("label") ? m.columns.at("label") : "";
  r.config_file = opt.config;
  r.paths = cfg.paths;
  r.seed = cfg.seed;
  r.rows_skipped = panel.rows_skipped;
  r.snapshot = snapshot;
  if (snapshot) {
    r.score_label = score_label_check(cfg, panel, 0, event, opt.folds, m.allow_protected);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return r;
  }
  const std::int64_t n = panel.size();
  const int P = cfg.paths;

  // 1. Out of time: months 0 .. T-2 calibrate, T-2 -> T-1 is simulated.
  {
    OutOfTime& oot = r.oot;
    r.calibration_oot = calibrate(panel, 0, T - 2, cfg.behaviour, cfg.population);
    r.calibration_oot.data_file = r.data_file;
    r.calibration_oot.mapping_file = r.mapping_file;
    std::vector<std::int64_t> rows;  // panel row of each simulated customer (the charged-off are left out)
    const Population pop =
        population_from_panel(panel, T - 2, cfg.population, r.calibration_oot.behaviour.params, &rows);
    const std::vector<std::int8_t> end = simulate_month(cfg, r.calibration_oot.behaviour.params, pop);
    oot.calibrated_on = window(panel, 0, T - 2);
    oot.from_month = panel.month_names[static_cast<std::size_t>(T - 2)];
    oot.to_month = panel.month_names[static_cast<std::size_t>(T - 1)];
    const std::int64_t m = pop.size();
    oot.customers = m;
    oot.charged_off_before = n - m;
    std::vector<std::array<std::int64_t, kMaxBuckets + 1>> per_path(static_cast<std::size_t>(P));
    std::array<std::int64_t, kMaxBuckets> from_sim_delinquent{};
    for (std::int64_t k = 0; k < m; ++k) {
      const std::int64_t i = rows[static_cast<std::size_t>(k)];
      const int from = panel.bucket[panel.at(i, T - 2)];
      const int to = panel.bucket[panel.at(i, T - 1)];  // 0..6, or kChargedOffBucket
      ++oot.observed[static_cast<std::size_t>(to)];
      ++oot.from_count[static_cast<std::size_t>(from)];
      if (to >= 1) oot.from_observed_delinquent[static_cast<std::size_t>(from)] += 1.0;
      for (int p = 0; p < P; ++p) {
        const int s = end[static_cast<std::size_t>(k) * P + p];
        // Attrition counts as current: the panel has no closures, and an account closes only when current.
        const int b = s == kAttrited ? 0 : s;  // kChargedOff == kChargedOffBucket: the last row
        ++per_path[static_cast<std::size_t>(p)][static_cast<std::size_t>(b)];
        if (delinquent_state(s)) ++from_sim_delinquent[static_cast<std::size_t>(from)];
      }
    }
    for (int b = 0; b <= kMaxBuckets; ++b) {
      std::vector<double> shares;
      for (int p = 0; p < P; ++p)
        shares.push_back(static_cast<double>(per_path[static_cast<std::size_t>(p)][static_cast<std::size_t>(b)]) /
                         static_cast<double>(m));
      oot.simulated[static_cast<std::size_t>(b)] = spread(shares);
      const double observed_share = static_cast<double>(oot.observed[static_cast<std::size_t>(b)]) / m;
      oot.total_variation += 0.5 * std::fabs(observed_share - oot.simulated[static_cast<std::size_t>(b)].mean);
      if (b == kMaxBuckets) break;
      const auto k = static_cast<std::size_t>(b);
      if (oot.from_count[k] > 0) {
        oot.from_observed_delinquent[k] /= static_cast<double>(oot.from_count[k]);
        oot.from_simulated_delinquent[k] =
            static_cast<double>(from_sim_delinquent[k]) / (static_cast<double>(oot.from_count[k]) * P);
      }
    }
  }

  // 2. The label: months 0 .. T-1 calibrate, the month after T-1 is simulated.
  {
    LabelCheck& lc = r.label;
    r.calibration_all = calibrate(panel, 0, T - 1, cfg.behaviour, cfg.population);
    r.calibration_all.data_file = r.data_file;
    r.calibration_all.mapping_file = r.mapping_file;
    std::vector<std::int64_t> rows;
    const Population pop =
        population_from_panel(panel, T - 1, cfg.population, r.calibration_all.behaviour.params, &rows);
    const std::vector<std::int8_t> end = simulate_month(cfg, r.calibration_all.behaviour.params, pop);
    lc.charged_off_before = n - pop.size();
    lc.calibrated_on = window(panel, 0, T - 1);
    lc.from_month = panel.month_names[static_cast<std::size_t>(T - 1)];
    std::vector<double> pd, per_path(static_cast<std::size_t>(P), 0.0), last_bucket, neg_score;
    std::vector<std::int8_t> label;
    std::map<std::int64_t, LabelGroup> groups;
    std::int64_t positives = 0;
    for (std::int64_t j = 0; j < pop.size(); ++j) {
      const std::int64_t i = rows[static_cast<std::size_t>(j)];
      const std::int8_t y = panel.label[static_cast<std::size_t>(i)];
      if (y < 0) continue;  // no outcome recorded
      int k = 0;
      for (int p = 0; p < P; ++p) {
        if (delinquent_state(end[static_cast<std::size_t>(j) * P + p])) {
          ++k;
          per_path[static_cast<std::size_t>(p)] += 1.0;
        }
      }
      const double prob = static_cast<double>(k) / P;
      pd.push_back(prob);
      label.push_back(y);
      last_bucket.push_back(panel.bucket[panel.at(i, T - 1)]);
      neg_score.push_back(-static_cast<double>(panel.score[static_cast<std::size_t>(i)]));
      positives += y;
      LabelGroup& g = groups[panel.status_code[panel.at(i, T - 1)]];
      ++g.customers;
      g.observed += y;
      g.predicted += prob;
    }
    lc.customers = static_cast<std::int64_t>(pd.size());
    if (lc.customers == 0) throw ConfigError(m.source + ": fields.label: no customer has an outcome label");
    lc.observed = static_cast<double>(positives) / static_cast<double>(lc.customers);
    for (double& x : per_path) x /= static_cast<double>(lc.customers);
    lc.predicted = spread(per_path);
    for (auto& [code, g] : groups) {
      g.name = std::to_string(code);
      g.observed /= static_cast<double>(g.customers);
      g.predicted /= static_cast<double>(g.customers);
      lc.by_status.push_back(g);
    }
    lc.auc = auc(pd, label);
    lc.auc_last_bucket = auc(last_bucket, label);
    lc.auc_score = auc(neg_score, label);
  }

  // 3. The label with the behaviour score, out of fold; 4. balances and payments.
  r.score_label = score_label_check(cfg, panel, T - 1, event, opt.folds, m.allow_protected);
  r.flows = flow_check(cfg, panel, r.calibration_all);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

namespace {

void bucket_table(std::ostringstream& os, const OutOfTime& o, bool markdown) {
  const std::string sep = markdown ? " | " : "  ";
  if (markdown) os << "| bucket in " << o.to_month << " | observed | observed share | simulated share | 90% band over paths |\n| --- | ---: | ---: | ---: | ---: |\n";
  for (int b = 0; b <= kMaxBuckets; ++b) {
    const auto k = static_cast<std::size_t>(b);
    const double share = static_cast<double>(o.observed[k]) / static_cast<double>(o.customers);
    if (markdown) {
      os << "| " << bucket_name(b) << " | "
         << format_number(static_cast<double>(o.observed[k]), 0) << " | " << pct(share, 2) << " | "
         << pct(o.simulated[k].mean, 2) << " | " << pct(o.simulated[k].lo, 2) << " – " << pct(o.simulated[k].hi, 2)
         << " |\n";
    } else {
      char line[160];
      std::snprintf(line, sizeof line, "  %-12s %8s %9s %9s  [%s, %s]\n", bucket_name(b).c_str(),
                    format_number(static_cast<double>(o.observed[k]), 0).c_str(), pct(share, 2).c_str(),
                    pct(o.simulated[k].mean, 2).c_str(), pct(o.simulated[k].lo, 2).c_str(),
                    pct(o.simulated[k].hi, 2).c_str());
      os << line;
    }
  }
  (void)sep;
}

}  // namespace

std::string backtest_markdown(const BacktestReport& r, const std::string& command) {
  std::ostringstream os;
  const OutOfTime& o = r.oot;
  const LabelCheck& l = r.label;
  os << header_markdown(r, command);
  if (r.snapshot) {
    os << score_label_markdown(r, "The label with a behaviour score, out of fold");
    return os.str();
  }
  os << "## 1. Out of time: " << o.to_month << " from " << o.from_month << "\n\n"
     << "Calibrated on " << o.calibrated_on << " only. Each of the " << format_number(static_cast<double>(o.customers), 0)
     << " clients starts from their state at the end of " << o.from_month << "; the model simulates " << o.to_month
     << ", and the simulated bucket distribution is compared with the observed one.";
  if (o.charged_off_before > 0)
    os << " " << format_number(static_cast<double>(o.charged_off_before), 0) << " clients already charged off in "
       << o.from_month << " are left out.";
  os << "\n\n";
  bucket_table(os, o, true);
  os << "\nTotal variation distance between the observed and the simulated mean distribution: **"
     << fixed(o.total_variation, 4) << "** (0 = identical, 1 = disjoint).\n\n"
     << "By bucket in " << o.from_month << ": the share delinquent (any bucket past due, or charged off) in "
     << o.to_month << ".\n\n"
     << "| bucket in " << o.from_month << " | clients | observed | simulated |\n| --- | ---: | ---: | ---: |\n";
  for (int b = 0; b < kMaxBuckets; ++b) {
    const auto k = static_cast<std::size_t>(b);
    if (o.from_count[k] == 0) continue;
    os << "| " << bucket_name(b) << " | " << format_number(static_cast<double>(o.from_count[k]), 0) << " | "
       << pct(o.from_observed_delinquent[k]) << " | " << pct(o.from_simulated_delinquent[k]) << " |\n";
  }

  os << "\n## 2. The label: the month after " << l.from_month << "\n\n"
     << "Calibrated on " << l.calibrated_on << ". Each client starts from their state at the end of " << l.from_month
     << "; a client's predicted probability is the share of paths on which they are delinquent (or charged off) "
        "at the end of the next month. The data's label is `default.payment.next.month`."
     << (l.charged_off_before > 0 ? " " + format_number(static_cast<double>(l.charged_off_before), 0) +
                                        " clients already charged off in " + l.from_month + " are left out."
                                  : std::string())
     << "\n\n"
     << "| | clients | observed default rate | predicted |\n| --- | ---: | ---: | ---: |\n"
     << "| all | " << format_number(static_cast<double>(l.customers), 0) << " | " << pct(l.observed, 2) << " | "
     << pct(l.predicted.mean, 2) << " (90% band over paths " << pct(l.predicted.lo, 2) << " – "
     << pct(l.predicted.hi, 2) << ") |\n";
  for (const LabelGroup& g : l.by_status)
    os << "| status " << g.name << " in " << l.from_month << " | " << format_number(static_cast<double>(g.customers), 0)
       << " | " << pct(g.observed, 1) << " | " << pct(g.predicted, 1) << " |\n";
  os << "\nRank quality against the label (AUC; 0.5 = no better than chance):\n\n"
     << "| predictor | AUC |\n| --- | ---: |\n"
     << "| limitsim's predicted probability | **" << fixed(l.auc, 3) << "** |\n"
     << "| benchmark: the bucket in " << l.from_month << " alone | " << fixed(l.auc_last_bucket, 3) << " |\n"
     << "| benchmark: the score proxy alone | " << fixed(l.auc_score, 3) << " |\n";

  os << "\n" << score_label_markdown(r, "3. The label with a behaviour score, out of fold");
  if (r.flows.done) os << flow_markdown(r.flows);
  os << "\n## The calibrations\n\n### Calibrated on " << o.calibrated_on << "\n\n```\n"
     << calibration_report(r.calibration_oot) << "```\n\n### Calibrated on " << l.calibrated_on << "\n\n```\n"
     << calibration_report(r.calibration_all) << "```\n";
  return os.str();
}

std::string backtest_text(const BacktestReport& r) {
  std::ostringstream os;
  const OutOfTime& o = r.oot;
  const LabelCheck& l = r.label;
  os << "limitsim backtest  |  " << r.data_file << "  |  paths " << r.paths << "  |  seed " << r.seed << "  |  "
     << format_number(r.seconds, 1) << " s\n\n";
  if (r.snapshot) return os.str() + score_label_text(r.score_label);
  os
     << "1. out of time: " << o.to_month << " simulated from " << o.from_month << ", calibrated on "
     << o.calibrated_on << "\n"
     << "  bucket       observed     share simulated  90% band over paths\n";
  bucket_table(os, o, false);
  os << "  total variation distance " << fixed(o.total_variation, 4);
  if (o.charged_off_before > 0) os << "; " << o.charged_off_before << " clients charged off by " << o.from_month << " left out";
  os << "\n\n"
     << "2. label: the month after " << l.from_month << ", calibrated on " << l.calibrated_on << "\n"
     << "  observed default rate " << pct(l.observed, 2) << ", predicted " << pct(l.predicted.mean, 2) << " ["
     << pct(l.predicted.lo, 2) << ", " << pct(l.predicted.hi, 2) << "]";
  if (l.charged_off_before > 0) os << "; " << l.charged_off_before << " clients charged off by " << l.from_month << " left out";
  os << "\n";
  for (const LabelGroup& g : l.by_status) {
    char line[160];
    std::snprintf(line, sizeof line, "  status %3s  %7s clients  observed %6s  predicted %6s\n", g.name.c_str(),
                  format_number(static_cast<double>(g.customers), 0).c_str(), pct(g.observed).c_str(),
                  pct(g.predicted).c_str());
    os << line;
  }
  os << "  AUC " << fixed(l.auc, 3) << "  (benchmarks: last bucket " << fixed(l.auc_last_bucket, 3)
     << ", score proxy " << fixed(l.auc_score, 3) << ")\n\n3. " << score_label_text(r.score_label);
  if (r.flows.done) os << "\n4. " << flow_text(r.flows);
  return os.str();
}

}  // namespace limitsim
