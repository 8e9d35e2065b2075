// The backtest's simulations and its checks with the behaviour score: the label out of fold (check 3, and the
// snapshot backtest) and the monthly balances and payments (check 4); see backtest.hpp.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <map>
#include <numeric>
#include <sstream>

#include "kernels/special.hpp"
#include "src/analysis/backtest_sim.hpp"
#include "src/analysis/scorecard.hpp"
#include "src/data/features.hpp"
#include "src/engine/engine.hpp"
#include "src/engine/factors.hpp"
#include "src/util/text.hpp"

namespace limitsim {
namespace backtest_detail {

void simulate(const RunConfig& cfg, const BehaviourParams& bp, const Population& pop, int months, const TraceFn& fn) {
  const FactorModel fm = factor_model(cfg);
  const FactorDraws factors = systematic_factors(cfg.seed, cfg.paths, months, fm);
  const std::vector<double> lgd = lgd_table(bp);
  std::vector<ScenarioMonth> scenario = cfg.scenarios.front().months;
  if (static_cast<int>(scenario.size()) < months) throw std::logic_error("backtest: the scenario is shorter than the simulation");
  scenario.resize(static_cast<std::size_t>(months));
  const ModelView mv =
      model_view(bp, cfg.policies.front().params, scenario.data(), factors, fm, lgd, cfg.seed, months, cfg.paths);
  trace_customers(mv, pop.view(), cfg.paths, cfg.threads, fn);
}

void simulate_label(const RunConfig& cfg, const BehaviourParams& bp, const Population& pop, const LabelEvent& e,
                    std::vector<double>& probability, std::vector<double>& per_path) {
  const int P = cfg.paths;
  const std::size_t n = static_cast<std::size_t>(pop.size());
  std::vector<std::uint8_t> event(n * static_cast<std::size_t>(P), 0);
  simulate(cfg, bp, pop, e.horizon, [&](std::int64_t i, int path, const MonthOutcome* o) {
    bool hit = false;
    for (int m = 0; m < e.horizon && !hit; ++m) {
      if (!o[m].was_open) break;
      hit = o[m].charged_off || (e.min_bucket < kMaxBuckets && o[m].bucket >= e.min_bucket);
    }
    event[static_cast<std::size_t>(i) * static_cast<std::size_t>(P) + static_cast<std::size_t>(path)] = hit ? 1 : 0;
  });
  probability.assign(n, 0.0);
  per_path.assign(static_cast<std::size_t>(P), 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    int k = 0;
    for (int path = 0; path < P; ++path) {
      const std::uint8_t h = event[i * static_cast<std::size_t>(P) + static_cast<std::size_t>(path)];
      k += h;
      per_path[static_cast<std::size_t>(path)] += h;
    }
    probability[i] = static_cast<double>(k) / P;
  }
}

double quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const double h = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (h - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

SimShare spread(const std::vector<double>& per_path) {
  SimShare s;
  s.mean = std::accumulate(per_path.begin(), per_path.end(), 0.0) / static_cast<double>(per_path.size());
  s.lo = quantile(per_path, 0.05);
  s.hi = quantile(per_path, 0.95);
  return s;
}

LabelPrediction judge(const std::string& name, const std::vector<double>& p, const std::vector<std::int8_t>& label,
                      int paths) {
  LabelPrediction m;
  m.name = name;
  double sum = 0.0, events = 0.0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (label[i] != 0 && label[i] != 1) continue;
    ++m.customers;
    sum += p[i];
    events += label[i];
  }
  if (m.customers == 0) return m;
  m.observed = events / static_cast<double>(m.customers);
  m.predicted.mean = m.predicted.lo = m.predicted.hi = sum / static_cast<double>(m.customers);
  m.auc = auc(p, label);
  m.brier = brier(p, label);
  if (paths > 0) {
    // A share of P paths resolves probabilities to 1/P: read 0 as 1/(2P) (and 1 as 1 - 1/(2P)) on the logit scale.
    std::vector<double> q(p);
    for (double& x : q) x = std::clamp(x, 0.5 / paths, 1.0 - 0.5 / paths);
    m.slope = calibration_slope(q, label);
  } else {
    m.slope = calibration_slope(p, label);
  }
  m.deciles = deciles(p, label);
  return m;
}

std::string pct(double share, int decimals) { return format_number(100.0 * share, decimals) + "%"; }

std::string fixed(double x, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, x);
  return buf;
}

std::string window(const Panel& p, int first, int last) {
  return p.month_names[static_cast<std::size_t>(first)] + " .. " + p.month_names[static_cast<std::size_t>(last)];
}

std::string shown_path(const std::string& path) {
  std::error_code ec;
  const std::filesystem::path rel = std::filesystem::relative(path, std::filesystem::current_path(ec), ec);
  if (ec || rel.empty() || *rel.begin() == "..") return path;
  return rel.string();
}

std::string prediction_markdown(const LabelPrediction& m) {
  std::ostringstream os;
  os << "| | customers | observed | predicted | AUC | Brier | calibration slope |\n"
     << "| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n"
     << "| " << m.name << " | " << format_number(static_cast<double>(m.customers), 0) << " | " << pct(m.observed, 2)
     << " | " << pct(m.predicted.mean, 2);
  if (m.predicted.hi > m.predicted.lo) os << " (90% band over paths " << pct(m.predicted.lo, 2) << " – " << pct(m.predicted.hi, 2) << ")";
  os << " | " << fixed(m.auc, 3) << " | " << fixed(m.brier, 4) << " | "
     << (m.slope.ok ? fixed(m.slope.slope, 2) + " ± " + fixed(1.959964 * m.slope.slope_se, 2) : std::string("-")) << " |\n";
  if (m.due_customers > 0 && m.due_customers < m.customers)
    os << "| of them, with an amount due at the start | " << format_number(static_cast<double>(m.due_customers), 0) << " | "
       << pct(m.due_observed, 2) << " | " << pct(m.due_predicted, 2) << " | " << fixed(m.due_auc, 3) << " | | |\n";
  os << "\n"
     << "| decile of the prediction | customers | predicted | observed |\n| ---: | ---: | ---: | ---: |\n";
  for (std::size_t g = 0; g < m.deciles.count.size(); ++g)
    os << "| " << g + 1 << " | " << format_number(static_cast<double>(m.deciles.count[g]), 0) << " | "
       << pct(m.deciles.predicted[g], 2) << " | " << pct(m.deciles.observed[g], 2) << " |\n";
  return os.str();
}

}  // namespace backtest_detail

using namespace backtest_detail;

namespace {

// The label's groups by the status code of month `at` (panels with a status).
std::vector<LabelGroup> by_status(const Panel& p, const std::vector<std::int64_t>& rows, std::int32_t at,
                                  const std::vector<double>& prob, const std::vector<std::int8_t>& label) {
  std::map<std::int64_t, LabelGroup> groups;
  if (p.status_code.empty()) return {};
  for (std::size_t k = 0; k < rows.size(); ++k) {
    if (label[k] != 0 && label[k] != 1) continue;
    LabelGroup& g = groups[p.status_code[p.at(rows[k], at)]];
    ++g.customers;
    g.observed += label[k];
    g.predicted += prob[k];
  }
  std::vector<LabelGroup> out;
  for (auto& [code, g] : groups) {
    g.name = std::to_string(code);
    g.observed /= static_cast<double>(g.customers);
    g.predicted /= static_cast<double>(g.customers);
    out.push_back(g);
  }
  return out;
}

constexpr std::size_t kCorrectionSample = 4000;   // customers simulated to correct the intercept

// The chain holds each customer's starting utilization; the simulation lets it move, so past one month the
// fitted intercept can be off. Two secant steps on the intercept make the simulated share of (a sample of) the
// training customers with the event equal to theirs.
void correct_intercept(const RunConfig& cfg, Calibration& fitted, LabelFit& fit, const Population& all,
                       const std::vector<std::int8_t>& label, const std::vector<char>& in_train, const LabelEvent& e) {
  if (e.horizon <= 1 || !fit.ok) return;
  std::vector<std::int64_t> rows;
  for (std::size_t k = 0; k < label.size(); ++k)
    if (in_train[k] && (label[k] == 0 || label[k] == 1)) rows.push_back(static_cast<std::int64_t>(k));
  if (rows.empty()) return;
  const std::size_t step = (rows.size() + kCorrectionSample - 1) / kCorrectionSample;
  std::vector<std::int64_t> sample;
  double observed = 0.0;
  for (std::size_t j = 0; j < rows.size(); j += step) {
    sample.push_back(rows[j]);
    observed += label[static_cast<std::size_t>(rows[j])];
  }
  observed /= static_cast<double>(sample.size());
  const Population pop = select(all, sample);
  BehaviourParams& bp = fitted.behaviour.params;
  const std::vector<ChainStart> starts = chain_starts(pop, bp);
  auto simulated = [&](double intercept) {
    BehaviourParams b = bp;
    b.miss_intercept = intercept;
    std::vector<double> prob, per_path;
    simulate_label(cfg, b, pop, e, prob, per_path);
    return std::accumulate(prob.begin(), prob.end(), 0.0) / static_cast<double>(prob.size());
  };
  double slope = 0.0;  // d mean P / d intercept, from the chain
  for (const ChainStart& st : starts) {
    double d = 0.0;
    horizon_probability(bp, st, e, &d);
    slope += d;
  }
  slope /= static_cast<double>(starts.size());
  if (!(slope > 0.0)) return;
  const double a0 = bp.miss_intercept, s0 = simulated(a0);
  const double a1 = a0 + (observed - s0) / slope, s1 = simulated(a1);
  const double a2 = s1 != s0 ? a1 + (observed - s1) * (a1 - a0) / (s1 - s0) : a1;
  fitted.behaviour.miss_probability = logistic(a2);
  bp.miss_intercept = logit(fitted.behaviour.miss_probability);
  fit.intercept_shift = bp.miss_intercept - a0;
  fit.intercept.value = bp.miss_intercept;
}

}  // namespace

ScoreLabelCheck score_label_check(const RunConfig& cfg, Panel& panel, std::int32_t as_of, const LabelEvent& e,
                                  std::int32_t folds, bool allow_protected) {
  ScoreLabelCheck r;
  r.done = true;
  r.event = e;
  r.folds = folds;
  r.from_month = panel.month_names.empty() ? std::string() : panel.month_names[static_cast<std::size_t>(as_of)];
  const PopulationConfig& pc = cfg.population;
  const std::size_t n = static_cast<std::size_t>(panel.size());
  const bool transitions = panel.months >= 2;
  const auto saved_card = panel.scorecard;
  const double saved_mean = panel.score_mean, saved_sd = panel.score_sd;
  // The population (who is simulated) does not depend on the scores: the rows as of as_of.
  std::vector<std::int64_t> rows;
  const Population start = population_from_panel(panel, as_of, pc, cfg.behaviour.params, &rows);
  const std::size_t m = rows.size();
  std::vector<std::int8_t> label(m);
  std::vector<int> fold(m);
  for (std::size_t k = 0; k < m; ++k) {
    const auto i = static_cast<std::size_t>(rows[k]);
    label[k] = panel.label[i];
    fold[k] = fold_of(panel.id[i], folds);
  }
  std::vector<double> p_card(m, 0.0), p_status(m, 0.0), p_label(m, 0.0);
  std::vector<double> path_status(static_cast<std::size_t>(cfg.paths), 0.0), path_label = path_status;
  double chain_sum = 0.0;
  std::vector<double> prob, per_path;
  for (int f = 0; f < folds; ++f) {
    std::vector<char> train(n, 0);
    for (std::size_t i = 0; i < n; ++i) train[i] = fold_of(panel.id[i], folds) != f;
    ScorecardOptions so;
    so.as_of = as_of;
    so.folds = folds;
    so.rows = train;
    so.protected_attributes = allow_protected;
    panel.scorecard = nullptr;
    const ScorecardResult sr = fit_scorecard(panel, so);
    panel.scorecard = std::make_shared<const Scorecard>(sr.card);
    panel.score_mean = pc.score_mean;
    panel.score_sd = pc.score_sd;
    const std::vector<int> columns = scorecard_columns(panel, sr.card);
    Calibration cal = transitions ? calibrate(panel, 0, as_of, cfg.behaviour, pc) : snapshot_calibration(panel, cfg.behaviour, pc);
    std::vector<std::int64_t> fold_rows;
    for (std::size_t k = 0; k < m; ++k) {
      if (fold[k] != f) continue;
      fold_rows.push_back(static_cast<std::int64_t>(k));
      const double eta = scorecard_risk(panel, sr.card, columns, rows[k], as_of) * sr.card.eta_sd + sr.card.eta_mean;
      p_card[k] = logistic(eta);
    }
    const Population all = population_from_panel(panel, as_of, pc, cal.behaviour.params);
    const Population test = select(all, fold_rows);
    if (transitions) {
      simulate_label(cfg, cal.behaviour.params, test, e, prob, per_path);
      for (std::size_t j = 0; j < fold_rows.size(); ++j) p_status[static_cast<std::size_t>(fold_rows[j])] = prob[j];
      for (std::size_t q = 0; q < per_path.size(); ++q) path_status[q] += per_path[q];
    }
    Calibration fitted = cal;
    LabelFit fit = apply_label_fit(fitted, panel, as_of, pc, e, &train);
    std::vector<char> train_k(m);
    for (std::size_t k = 0; k < m; ++k) train_k[k] = fold[k] != f;
    correct_intercept(cfg, fitted, fit, all, label, train_k, e);
    r.label_fits.push_back(fit);
    simulate_label(cfg, fitted.behaviour.params, test, e, prob, per_path);
    for (std::size_t j = 0; j < fold_rows.size(); ++j) p_label[static_cast<std::size_t>(fold_rows[j])] = prob[j];
    for (std::size_t q = 0; q < per_path.size(); ++q) path_label[q] += per_path[q];
    const std::vector<ChainStart> starts = chain_starts(test, fitted.behaviour.params);
    for (const ChainStart& s : starts) chain_sum += horizon_probability(fitted.behaviour.params, s, e);
  }
  // The scorecard on every customer, for its coefficients.
  ScorecardOptions so;
  so.as_of = as_of;
  so.folds = folds;
  so.protected_attributes = allow_protected;
  panel.scorecard = nullptr;
  r.card = fit_scorecard(panel, so).card;
  panel.scorecard = saved_card;
  panel.score_mean = saved_mean;
  panel.score_sd = saved_sd;

  r.scorecard = judge("the behaviour score alone (its own probability)", p_card, label, 0);
  r.customers = r.scorecard.customers;
  r.observed = r.scorecard.observed;
  r.chain_predicted = chain_sum / static_cast<double>(m);
  auto finish = [&](LabelPrediction x, std::vector<double>& paths, const std::vector<double>& p) {
    for (double& v : paths) v /= static_cast<double>(m);  // every simulated customer counts, labelled or not
    const SimShare s = spread(paths);
    x.predicted.lo = s.lo;
    x.predicted.hi = s.hi;
    x.by_status = by_status(panel, rows, as_of, p, label);
    std::vector<double> dp;
    std::vector<std::int8_t> dl;
    for (std::size_t k = 0; k < m; ++k)
      if (start.balance[k] > 0) {
        dp.push_back(p[k]);
        dl.push_back(label[k]);
      }
    const LabelPrediction d = judge("", dp, dl, cfg.paths);
    x.due_customers = d.customers;
    x.due_observed = d.observed;
    x.due_predicted = d.predicted.mean;
    x.due_auc = d.auc;
    return x;
  };
  if (transitions)
    r.models.push_back(finish(judge("model, calibrated on the transitions, risk = the behaviour score", p_status, label, cfg.paths),
                              path_status, p_status));
  r.models.push_back(finish(judge("model, miss regression fitted to the label, risk = the behaviour score", p_label, label, cfg.paths),
                            path_label, p_label));
  double due_events = 0.0;
  for (std::size_t k = 0; k < m; ++k) {
    if (start.balance[k] > 0 || (label[k] != 0 && label[k] != 1)) continue;
    ++r.nothing_due;
    due_events += label[k];
  }
  r.nothing_due_observed = r.nothing_due > 0 ? due_events / static_cast<double>(r.nothing_due) : 0.0;
  return r;
}

FlowCheck flow_check(const RunConfig& cfg, const Panel& panel, const Calibration& calibration) {
  FlowCheck r;
  const int T = panel.months;
  if (T < 2 || panel.balance.empty() || panel.payment.empty()) return r;
  r.done = true;
  r.calibrated_on = window(panel, calibration.first_month, calibration.last_month);
  r.from_month = panel.month_names.front();
  const BehaviourParams& bp = calibration.behaviour.params;
  std::vector<std::int64_t> rows;
  const Population pop = population_from_panel(panel, 0, cfg.population, bp, &rows);
  r.customers = pop.size();
  const int months = T - 1;
  for (int t = 1; t < T; ++t) r.months.push_back(panel.month_names[static_cast<std::size_t>(t)]);
  r.observed_balance.assign(static_cast<std::size_t>(months), 0.0);
  r.observed_payment.assign(static_cast<std::size_t>(months), 0.0);
  for (const std::int64_t i : rows) {
    r.observed_start_balance += static_cast<double>(panel.balance[panel.at(i, 0)]) / 100.0;
    for (int t = 1; t < T; ++t) {
      r.observed_balance[static_cast<std::size_t>(t - 1)] += static_cast<double>(panel.balance[panel.at(i, t)]) / 100.0;
      r.observed_payment[static_cast<std::size_t>(t - 1)] += static_cast<double>(panel.payment[panel.at(i, t)]) / 100.0;
    }
  }
  // Exact integer sums per (path, month), whatever the thread order.
  const std::size_t cells = static_cast<std::size_t>(cfg.paths) * static_cast<std::size_t>(months);
  std::vector<std::atomic<std::int64_t>> balance(cells), payment(cells);
  for (std::size_t c = 0; c < cells; ++c) balance[c] = payment[c] = 0;
  simulate(cfg, bp, pop, months, [&](std::int64_t, int path, const MonthOutcome* o) {
    for (int mth = 0; mth < months; ++mth) {
      const std::size_t c = static_cast<std::size_t>(path) * static_cast<std::size_t>(months) + static_cast<std::size_t>(mth);
      balance[c].fetch_add(o[mth].balance, std::memory_order_relaxed);
      payment[c].fetch_add(o[mth].payment, std::memory_order_relaxed);
    }
  });
  for (int mth = 0; mth < months; ++mth) {
    std::vector<double> b, p;
    for (int path = 0; path < cfg.paths; ++path) {
      const std::size_t c = static_cast<std::size_t>(path) * static_cast<std::size_t>(months) + static_cast<std::size_t>(mth);
      b.push_back(static_cast<double>(balance[c].load()) / 100.0);
      p.push_back(static_cast<double>(payment[c].load()) / 100.0);
    }
    r.simulated_balance.push_back(spread(b));
    r.simulated_payment.push_back(spread(p));
  }
  return r;
}

}  // namespace limitsim
