// limitsim calibrate --targets (calibrate_targets.hpp): the figures, the optimiser, the report and the file.
#include "src/analysis/calibrate_targets.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>
#include <stdexcept>

#include "src/config/toml_io.hpp"
#include "src/util/text.hpp"

namespace limitsim {
namespace {

using Row = PortfolioRow;

double ratio(double num, double den) { return den == 0.0 ? 0.0 : num / den; }

FigureValue mean_se(const std::vector<double>& x) {
  FigureValue f;
  const double n = static_cast<double>(x.size());
  for (const double v : x) f.value += v / n;
  double ss = 0.0;
  for (const double v : x) ss += (v - f.value) * (v - f.value);
  f.se = x.size() > 1 ? std::sqrt(ss / (n - 1.0) / n) : 0.0;
  return f;
}

// The portfolio rows of one combo, [path][month].
std::vector<std::vector<Row>> rows_of(const RunResults& r, const ComboSums& c) {
  std::vector<std::vector<Row>> out(static_cast<std::size_t>(r.paths));
  for (int p = 0; p < r.paths; ++p)
    for (int t = 0; t < r.months; ++t) out[static_cast<std::size_t>(p)].push_back(r.portfolio_row(c, p, t));
  return out;
}

double bucket_share(const Row& v, int first, int from, int total) {
  std::int64_t s = 0;
  for (int b = from; b < kMaxBuckets; ++b) s += v[first + b];
  return ratio(static_cast<double>(s), static_cast<double>(v[total]));
}

// q-quantile of account utilization from the pooled histogram: bin 0 is exactly 0, bin k = 1..10 is
// ((k-1)/10, k/10] (linear within it), bin 11 is above 100% (reported as 1).
double util_quantile(const std::vector<Row>& rows, int a, int b, double q) {
  std::int64_t h[kUtilBins] = {};
  std::int64_t n = 0;
  for (int t = a; t <= b; ++t)
    for (int k = 0; k < kUtilBins; ++k) {
      h[k] += rows[static_cast<std::size_t>(t)][kUtilHist0 + k];
      n += rows[static_cast<std::size_t>(t)][kUtilHist0 + k];
    }
  if (n == 0) return 0.0;
  const double want = q * static_cast<double>(n);
  double below = 0.0;
  for (int k = 0; k < kUtilBins; ++k) {
    const double c = static_cast<double>(h[k]);
    if (below + c >= want && c > 0) {
      if (k == 0) return 0.0;
      if (k == kUtilBins - 1) return 1.0;
      return 0.1 * (k - 1) + 0.1 * (want - below) / c;
    }
    below += c;
  }
  return 1.0;
}

// Net charge-offs (gross - recoveries) of months [a, b] at a rate a year on the mean month-end balance.
double nco_rate(const std::vector<Row>& rows, int a, int b, int gross_metric = kChargeoffExposure,
                int less_metric = kRecovery) {
  double flow = 0.0, bal = 0.0;
  for (int t = a; t <= b; ++t) {
    const Row& v = rows[static_cast<std::size_t>(t)];
    flow += static_cast<double>(v[gross_metric] - (less_metric >= 0 ? v[less_metric] : 0));
    bal += static_cast<double>(v[kBalance]);
  }
  const double n = b - a + 1;
  return ratio(flow * 12.0 / n, bal / n);
}

// The per-path values of a (non-ratio) figure over months [a, b] (0-based).
std::vector<double> path_values(const std::vector<std::vector<Row>>& rows, const std::string& figure, int a, int b) {
  std::vector<double> out;
  for (const std::vector<Row>& path : rows) {
    auto mean_over = [&](auto f) {
      double s = 0.0;
      for (int t = a; t <= b; ++t) s += f(path[static_cast<std::size_t>(t)]);
      return s / (b - a + 1);
    };
    double x = 0.0;
    if (figure == "net_chargeoff_rate") {
      x = nco_rate(path, a, b);
    } else if (figure == "gross_chargeoff_rate") {
      x = nco_rate(path, a, b, kChargeoffExposure, -1);
    } else if (figure == "loss_rate") {
      x = nco_rate(path, a, b, kChargeoffLoss, -1);
    } else if (figure == "overdue30_balance") {
      x = mean_over([](const Row& v) { return bucket_share(v, kBucketBalance0, 2, kBalance); });
    } else if (figure == "overdue90_balance") {
      x = mean_over([](const Row& v) { return bucket_share(v, kBucketBalance0, 4, kBalance); });
    } else if (figure == "overdue30_count") {
      x = mean_over([](const Row& v) { return bucket_share(v, kBucketCount0, 2, kActive); });
    } else if (figure == "overdue90_count") {
      x = mean_over([](const Row& v) { return bucket_share(v, kBucketCount0, 4, kActive); });
    } else if (figure == "balance_to_line") {
      x = mean_over([](const Row& v) { return ratio(static_cast<double>(v[kBalance]), static_cast<double>(v[kLimit])); });
    } else if (figure == "mean_utilization") {
      x = mean_over([](const Row& v) {
        return ratio(static_cast<double>(v[kUtilizationSumPpm]) / 1e6, static_cast<double>(v[kActive]));
      });
    } else if (figure == "utilization_p50") {
      x = util_quantile(path, a, b, 0.5);
    } else if (figure == "utilization_p90") {
      x = util_quantile(path, a, b, 0.9);
    } else if (figure == "payment_rate") {
      double paid = 0.0, owed = 0.0;
      for (int t = std::max(a, 1); t <= b; ++t) {
        paid += static_cast<double>(path[static_cast<std::size_t>(t)][kPayment]);
        owed += static_cast<double>(path[static_cast<std::size_t>(t) - 1][kBalance]);
      }
      x = ratio(paid, owed);
    } else if (figure == "revenue_yield") {
      double income = 0.0, bal = 0.0;
      for (int t = a; t <= b; ++t) {
        const Row& v = path[static_cast<std::size_t>(t)];
        income += static_cast<double>(v[kInterest] + v[kFees] - v[kReversal]);
        bal += static_cast<double>(v[kBalance]);
      }
      x = ratio(income * 12.0, bal);
    } else {
      throw std::logic_error("target_figure: no per-path rule for " + figure);
    }
    out.push_back(x);
  }
  return out;
}

// Quarterly net charge-off rates (or monthly 30+ balance shares) of months [a, b], per window.
std::vector<std::vector<double>> windows(const std::vector<std::vector<Row>>& rows, bool quarterly, int a, int b) {
  std::vector<std::vector<double>> out;
  const int len = quarterly ? 3 : 1;
  for (int s = a; s + len - 1 <= b; s += len) {
    std::vector<double> w;
    for (const std::vector<Row>& path : rows)
      w.push_back(quarterly ? nco_rate(path, s, s + len - 1)
                            : bucket_share(path[static_cast<std::size_t>(s)], kBucketBalance0, 2, kBalance));
    out.push_back(w);
  }
  return out;
}

int scenario_index(const RunResults& r, const std::string& name) {
  if (name.empty()) return 0;
  const auto it = std::find(r.scenario_names.begin(), r.scenario_names.end(), name);
  if (it == r.scenario_names.end()) throw std::logic_error("target_figure: no scenario " + name);
  return static_cast<int>(it - r.scenario_names.begin());
}

bool is_share(const std::string& figure) { return figure.find("ratio") == std::string::npos; }

std::string show(const std::string& figure, double x) {
  char buf[64];
  if (is_share(figure))
    std::snprintf(buf, sizeof buf, "%.2f%%", 100.0 * x);
  else
    std::snprintf(buf, sizeof buf, "%.2fx", x);
  return buf;
}

std::string param_name(const CalibrationParameter& p) {
  if (p.first_entry == 0) return p.key;
  return p.key + "[" + std::to_string(p.first_entry) + ":" + std::to_string(p.last_entry) + "] x";
}

// Solves J d = r in the least-squares sense (normal equations with a small ridge), J n x n row-major.
std::vector<double> solve_least_squares(const std::vector<double>& jac, std::size_t n, const std::vector<double>& r) {
  std::vector<double> a(n * n, 0.0), b(n, 0.0);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t k = 0; k < n; ++k) {
      b[k] += jac[i * n + k] * r[i];
      for (std::size_t j = 0; j < n; ++j) a[k * n + j] += jac[i * n + k] * jac[i * n + j];
    }
  double trace = 0.0;
  for (std::size_t k = 0; k < n; ++k) trace += a[k * n + k];
  for (std::size_t k = 0; k < n; ++k) a[k * n + k] += 1e-9 * (trace > 0.0 ? trace : 1.0);
  // Gaussian elimination with partial pivoting.
  for (std::size_t c = 0; c < n; ++c) {
    std::size_t piv = c;
    for (std::size_t i = c + 1; i < n; ++i)
      if (std::fabs(a[i * n + c]) > std::fabs(a[piv * n + c])) piv = i;
    for (std::size_t j = 0; j < n; ++j) std::swap(a[c * n + j], a[piv * n + j]);
    std::swap(b[c], b[piv]);
    if (a[c * n + c] == 0.0) continue;
    for (std::size_t i = c + 1; i < n; ++i) {
      const double m = a[i * n + c] / a[c * n + c];
      for (std::size_t j = c; j < n; ++j) a[i * n + j] -= m * a[c * n + j];
      b[i] -= m * b[c];
    }
  }
  std::vector<double> d(n, 0.0);
  for (std::size_t c = n; c-- > 0;) {
    double s = b[c];
    for (std::size_t j = c + 1; j < n; ++j) s -= a[c * n + j] * d[j];
    d[c] = a[c * n + c] != 0.0 ? s / a[c * n + c] : 0.0;
  }
  return d;
}

double round_significant(double x, int digits) {
  if (x == 0.0 || !std::isfinite(x)) return x;
  const double scale = std::pow(10.0, digits - 1 - static_cast<int>(std::floor(std::log10(std::fabs(x)))));
  return std::round(x * scale) / scale;
}

// The entries an array parameter scaled, to 4 significant digits.
void round_entries(BehaviourConfig& b, const CalibrationParameter& p) {
  if (p.first_entry == 0) return;
  BehaviourParams& q = b.params;
  double* a = p.key == "delinquency.roll" ? q.roll : p.key == "delinquency.cure" ? q.cure
            : p.key == "delinquency.partial_cure" ? q.partial_cure : q.partial_cure_two;
  for (int k = p.first_entry; k <= p.last_entry; ++k) a[k] = std::floor(a[k] * 1e4) / 1e4;  // down: stays within room
}

// The run a fit simulates: the targets' size and seed, the run's first policy, the behaviour given.
RunConfig fit_run(const TargetsConfig& tc, const BehaviourConfig& b, bool all_scenarios) {
  RunConfig cfg = load_run_config(tc.run);
  Overrides o;
  o.customers = tc.customers;
  o.paths = tc.paths;
  o.months = tc.months;
  o.seed = tc.seed;
  o.importance_shift = 0.0;
  apply_overrides(cfg, o);
  cfg.policies.resize(1);
  if (!all_scenarios) cfg.scenarios.resize(1);
  BehaviourConfig fitted = b;
  fitted.regions = cfg.behaviour.regions;
  cfg.behaviour = fitted;
  return cfg;
}

}  // namespace

FigureValue target_figure(const RunResults& r, const CalibrationTarget& t, int scenario) {
  const int a = t.first_month - 1, b = std::min(t.last_month, r.months) - 1;
  const auto rows = rows_of(r, r.combo(scenario, 0));
  const TargetFigureInfo* info = nullptr;
  for (const TargetFigureInfo& f : target_figures())
    if (t.figure == f.name) info = &f;
  if (!info) throw std::logic_error("target_figure: unknown figure " + t.figure);
  if (t.figure == "peak_net_chargeoff_rate") {
    FigureValue best{-1.0, 0.0};
    for (const auto& w : windows(rows, true, a, b)) {
      const FigureValue f = mean_se(w);
      if (f.value > best.value) best = f;
    }
    return best;
  }
  if (info->ratio_to_first_scenario) {
    const bool quarterly = t.figure == "peak_net_chargeoff_ratio";
    const auto base = windows(rows_of(r, r.combo(0, 0)), quarterly, a, b);
    const auto stressed = windows(rows, quarterly, a, b);
    FigureValue best{-1.0, 0.0};
    for (std::size_t k = 0; k < base.size(); ++k) {
      const FigureValue s = mean_se(stressed[k]), u = mean_se(base[k]);
      const double q = ratio(s.value, u.value);
      if (q > best.value) {
        best.value = q;  // its error: the two relative errors, independent (conservative: the paths are paired)
        best.se = q * std::sqrt(std::pow(ratio(s.se, s.value), 2) + std::pow(ratio(u.se, u.value), 2));
      }
    }
    return best;
  }
  return mean_se(path_values(rows, t.figure, a, b));
}

TargetFit fit_targets(const TargetsConfig& tc, const BehaviourConfig& base, const Simulate& simulate,
                      const FitLog& log) {
  TargetFit fit;
  fit.config = tc;
  fit.behaviour = base;
  std::vector<const CalibrationTarget*> targets;
  for (const CalibrationTarget& t : tc.targets)
    if (t.fitted) targets.push_back(&t);
  const std::size_t n = targets.size();
  std::vector<double> x(n);
  std::vector<bool> capped(n, false);
  for (std::size_t i = 0; i < n; ++i)
    x[i] = std::min(std::max(parameter_value(base, targets[i]->parameter), targets[i]->parameter.lo),
                    targets[i]->parameter.hi);
  auto behaviour_at = [&](const std::vector<double>& xs, std::vector<bool>* caps) {
    BehaviourConfig b = base;
    for (std::size_t i = 0; i < n; ++i) {
      const bool c = set_parameter(b, b, targets[i]->parameter, xs[i]);
      if (caps) (*caps)[i] = c;
    }
    return b;
  };
  auto evaluate = [&](const std::vector<double>& xs) {
    ++fit.evaluations;
    const RunResults r = simulate(fit_run(tc, behaviour_at(xs, nullptr), false));
    std::vector<double> f(n);
    for (std::size_t i = 0; i < n; ++i) f[i] = target_figure(r, *targets[i], 0).value;
    return f;
  };
  auto note = [&](const std::string& s) {
    if (log) log(s);
  };
  // Residuals in tolerances: r_i = (figure_i - target_i) / tolerance_i; reached when every |r_i| <= 1.
  auto residuals = [&](const std::vector<double>& f) {
    std::vector<double> r(n);
    for (std::size_t i = 0; i < n; ++i) r[i] = (f[i] - targets[i]->value) / targets[i]->tolerance;
    return r;
  };
  auto worst = [](const std::vector<double>& r) {
    double m = 0.0;
    for (const double v : r) m = std::max(m, std::fabs(v));
    return m;
  };
  auto clamp = [&](std::vector<double> xs) {
    for (std::size_t i = 0; i < n; ++i) xs[i] = std::min(std::max(xs[i], targets[i]->parameter.lo), targets[i]->parameter.hi);
    return xs;
  };
  auto describe = [&](const std::vector<double>& xs, const std::vector<double>& f) {
    std::string line;
    for (std::size_t i = 0; i < n; ++i)
      line += (i ? ", " : "") + param_name(targets[i]->parameter) + " " + toml_io::fmt_double(xs[i]) + ": " +
              targets[i]->figure + " " + show(targets[i]->figure, f[i]);
    return line;
  };
  std::vector<double> fx = evaluate(x);
  note("  start: " + describe(x, fx));
  // Damped Newton on the residuals, the Jacobian by forward differences at the start of every pass and
  // updated by Broyden's rule after each step; a step that does not lower the worst residual is halved.
  std::vector<double> jac(n * n, 0.0);
  for (fit.sweeps = 0; fit.sweeps < tc.sweeps && worst(residuals(fx)) > 1.0 && fit.evaluations < tc.evaluations;) {
    ++fit.sweeps;
    const std::vector<double> r0 = residuals(fx);
    for (std::size_t j = 0; j < n && fit.evaluations < tc.evaluations; ++j) {
      const CalibrationParameter& p = targets[j]->parameter;
      double h = 0.1 * std::max(std::fabs(x[j]), 0.1 * (p.hi - p.lo));
      if (x[j] + h > p.hi) h = -h;
      std::vector<double> xs = x;
      xs[j] += h;
      const std::vector<double> rj = residuals(evaluate(xs));
      for (std::size_t i = 0; i < n; ++i) jac[i * n + j] = (rj[i] - r0[i]) / h;
    }
    for (int step = 0; step < 6 && fit.evaluations < tc.evaluations; ++step) {
      const std::vector<double> r = residuals(fx);
      if (worst(r) <= 1.0) break;
      std::vector<double> dx = solve_least_squares(jac, n, r);
      double lambda = 1.0;
      bool moved = false;
      for (int half = 0; half < 4 && fit.evaluations < tc.evaluations; ++half, lambda *= 0.5) {
        std::vector<double> xs = x;
        for (std::size_t i = 0; i < n; ++i) xs[i] -= lambda * dx[i];
        xs = clamp(xs);
        if (xs == x) break;  // pinned at the bounds: no way further
        const std::vector<double> fs = evaluate(xs);
        note("  " + describe(xs, fs));
        const std::vector<double> rs = residuals(fs);
        // Broyden: J += (dr - J dx') dx'^T / |dx'|^2 with the step actually taken.
        std::vector<double> d(n), jd(n, 0.0);
        double dd = 0.0;
        for (std::size_t i = 0; i < n; ++i) { d[i] = xs[i] - x[i]; dd += d[i] * d[i]; }
        for (std::size_t i = 0; i < n; ++i)
          for (std::size_t k2 = 0; k2 < n; ++k2) jd[i] += jac[i * n + k2] * d[k2];
        if (dd > 0.0)
          for (std::size_t i = 0; i < n; ++i)
            for (std::size_t k2 = 0; k2 < n; ++k2) jac[i * n + k2] += (rs[i] - r[i] - jd[i]) * d[k2] / dd;
        if (worst(rs) < worst(r)) {
          x = xs;
          fx = fs;
          moved = true;
          break;
        }
      }
      if (!moved) break;  // no step helps: a new Jacobian on the next pass
    }
  }
  // Fitted values to 4 significant digits, so that the file holds what is reported.
  for (std::size_t i = 0; i < n; ++i) x[i] = round_significant(x[i], 4);
  fit.behaviour = behaviour_at(x, &capped);
  for (std::size_t i = 0; i < n; ++i) round_entries(fit.behaviour, targets[i]->parameter);

  // Every target and check on every scenario of the run.
  const RunConfig final_run = fit_run(tc, fit.behaviour, true);
  const RunResults r = simulate(final_run);
  fit.policy = r.policy_names.front();
  fit.scenarios = r.scenario_names;
  std::size_t k = 0;
  for (const CalibrationTarget& t : tc.targets) {
    TargetResult res;
    res.target = t;
    res.reached = target_figure(r, t, scenario_index(r, t.scenario));
    res.within = res.reached.value >= t.band_lo && res.reached.value <= t.band_hi;
    if (t.fitted) {
      res.parameter = x[k];
      res.capped = capped[k];
      const bool at_lo = x[k] <= t.parameter.lo, at_hi = x[k] >= t.parameter.hi;
      if (!res.within)
        res.note = std::string("not reached") + (at_lo ? ": at the lower bound" : at_hi ? ": at the upper bound" : "") +
                   ", off by " + show(t.figure, res.reached.value - t.value);
      if (res.capped) res.note += std::string(res.note.empty() ? "" : "; ") + "entries capped by roll + cure + partial cures <= 1";
      ++k;
    } else if (!res.within) {
      res.note = "outside the band";
    }
    fit.results.push_back(res);
  }
  fit.converged = true;  // judged on the run reported, with the values written
  for (const TargetResult& res : fit.results) fit.converged = fit.converged && (res.within || !res.target.fitted);
  return fit;
}

std::string targets_report(const TargetFit& f) {
  TextTable t("llllrrrll");
  t.add({"", "figure", "months", "scenario", "target", "reached", "MC error", "status", "source"});
  for (const TargetResult& r : f.results) {
    const CalibrationTarget& c = r.target;
    const std::string target = c.fitted ? show(c.figure, c.value) + " +- " + show(c.figure, c.tolerance)
                                        : "[" + show(c.figure, c.band_lo) + ", " + show(c.figure, c.band_hi) + "]";
    t.add({c.fitted ? "target" : "check", c.figure, std::to_string(c.first_month) + "-" + std::to_string(c.last_month),
           c.scenario.empty() ? f.scenarios.front() : c.scenario, target, show(c.figure, r.reached.value),
           show(c.figure, r.reached.se), r.within ? "reached" : (c.fitted ? "NOT REACHED" : "OUTSIDE"), c.source});
  }
  std::ostringstream os;
  os << t.render("  ");
  os << "\n  fitted parameters:\n";
  for (const TargetResult& r : f.results)
    if (r.target.fitted)
      os << "    " << param_name(r.target.parameter) << " = " << toml_io::fmt_double(r.parameter) << "  (bounds ["
         << toml_io::fmt_double(r.target.parameter.lo) << ", " << toml_io::fmt_double(r.target.parameter.hi) << "])"
         << (r.note.empty() ? "" : "  " + r.note) << "\n";
  os << "  " << f.evaluations << " simulations in " << f.sweeps << " pass" << (f.sweeps == 1 ? "" : "es") << "; "
     << (f.converged ? "every target reached" : "NOT every target reached") << "\n";
  return os.str();
}

namespace {

// The comments of a TOML file, by table and key: the comment lines just above a table header or a
// key, and a key's trailing comment. The leading block (before the first table) is kept apart.
struct Comments {
  std::string leading;
  std::map<std::string, std::string> above;     // "table" or "table.key" -> comment lines
  std::map<std::string, std::string> trailing;  // "table.key" -> "# ..."
};

std::string trim(const std::string& s) {
  const auto a = s.find_first_not_of(" \t\r");
  if (a == std::string::npos) return "";
  return s.substr(a, s.find_last_not_of(" \t\r") - a + 1);
}

// The trailing comment of a `key = value  # comment` line, outside strings.
std::string trailing_comment(const std::string& line) {
  bool in_string = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '"' && (i == 0 || line[i - 1] != '\\')) in_string = !in_string;
    if (line[i] == '#' && !in_string) return trim(line.substr(i));
  }
  return "";
}

constexpr const char* kBegin = "# ---- written by limitsim calibrate --targets: do not edit below this line or above the next ----";
constexpr const char* kEnd = "# ---- end of the calibrate --targets header ----";

Comments comments_of(const std::string& text) {
  Comments c;
  std::istringstream in(text);
  std::string line, table, pending;
  bool seen_table = false, in_generated = false;
  int depth = 0;  // open brackets of a multi-line value
  while (std::getline(in, line)) {
    const std::string s = trim(line);
    if (s == kBegin) { in_generated = true; continue; }
    if (s == kEnd) { in_generated = false; continue; }
    if (in_generated) continue;
    if (depth > 0) {
      for (char ch : s) depth += ch == '[' ? 1 : ch == ']' ? -1 : 0;
      continue;
    }
    if (s.empty()) {
      if (!seen_table) c.leading += pending + "\n";
      else if (!pending.empty()) pending += "\n";
      if (!seen_table) pending.clear();
      continue;
    }
    if (s[0] == '#') {
      pending += line + "\n";
      continue;
    }
    if (s[0] == '[') {
      if (!seen_table) c.leading += pending;
      else if (!pending.empty()) c.above[trim(s.substr(1, s.find(']') - 1))] = pending;
      seen_table = true;
      table = trim(s.substr(1, s.find(']') - 1));
      pending.clear();
      continue;
    }
    const auto eq = s.find('=');
    if (eq == std::string::npos) continue;
    const std::string key = table + "." + trim(s.substr(0, eq));
    if (!pending.empty()) c.above[key] = pending;
    pending.clear();
    const std::string tc = trailing_comment(s.substr(eq));
    if (!tc.empty()) c.trailing[key] = tc;
    const std::string value = s.substr(eq + 1);
    bool in_string = false;
    for (char ch : value) {
      if (ch == '"') in_string = !in_string;
      if (ch == '#' && !in_string) break;
      if (!in_string) depth += ch == '[' ? 1 : ch == ']' ? -1 : 0;
    }
  }
  // Drop trailing blank lines of the leading block.
  while (c.leading.size() >= 2 && c.leading.substr(c.leading.size() - 2) == "\n\n") c.leading.pop_back();
  return c;
}

}  // namespace

std::string targets_behaviour_toml(const TargetFit& f, const std::string& base_text, const std::string& command,
                                   const std::string& created, const std::string& version) {
  RunConfig rc;
  rc.behaviour = f.behaviour;
  rc.behaviour.calibration = CalibrationInfo{};  // the provenance is the header below
  const std::string eff = effective_toml(rc);
  const std::size_t start = eff.find("\n[behaviour.");
  if (start == std::string::npos) throw std::logic_error("targets_behaviour_toml: no behaviour tables");
  std::size_t end = eff.find("\n[[", start + 1);
  if (end == std::string::npos) end = eff.size();
  const Comments com = comments_of(base_text);

  std::ostringstream os;
  os << com.leading;
  if (!com.leading.empty()) os << (com.leading.back() != '\n' ? "\n\n" : "\n");
  os << kBegin << "\n";
  os << "# Fitted to aggregate targets by limitsim calibrate (docs/calibration.md), with\n";
  os << "#   " << command << "\n";
  os << "# (" << created << ", limitsim " << version << "): " << f.config.customers << " customers x "
     << f.config.paths << " paths x " << f.config.months << " months, seed " << f.config.seed << ", policy "
     << f.policy << " of " << f.config.run << ".\n";
  os << "# Target (fitted) or check (reported), the value reached on that run and its Monte Carlo error\n";
  os << "# (the standard error over paths):\n#\n";
  std::istringstream table(targets_report(f));
  std::string line;
  while (std::getline(table, line)) os << "#" << (line.empty() ? "" : " " + line) << "\n";
  os << kEnd << "\n";

  std::istringstream in(eff.substr(start, end - start));
  std::string tname, key;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] == '[') {
      tname = line.substr(1, line.find(']') - 1);
      const auto a = com.above.find(tname);
      os << "\n";
      if (a != com.above.end()) os << a->second;
      os << line << "\n";
      continue;
    }
    const std::size_t eq = line.find(" = ");
    if (line.empty() || line[0] == '#' || line[0] == ' ' || line[0] == ']' || eq == std::string::npos) {
      if (!line.empty()) os << line << "\n";
      continue;
    }
    key = tname + "." + line.substr(0, eq);
    const auto a = com.above.find(key);
    if (a != com.above.end()) os << a->second;
    const auto tc = com.trailing.find(key);
    os << line << (tc != com.trailing.end() ? "  " + tc->second : "") << "\n";
  }
  return os.str();
}

}  // namespace limitsim
