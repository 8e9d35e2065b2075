// The behaviour score (scorecard.hpp): inputs, winsorising and standardising, a ridge logistic regression by
// Newton's method, the penalty chosen by k-fold cross-validation, and the out-of-fold figures.
#include "src/analysis/scorecard.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

#include "kernels/special.hpp"
#include "src/analysis/label_metrics.hpp"
#include "src/data/features.hpp"
#include "src/util/linalg.hpp"

namespace limitsim {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kMaxNewton = 100;
constexpr double kWinsorLo = 0.01, kWinsorHi = 0.99;

double softplus(double x) { return x > 0.0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)); }

// The fit's rows (labelled, allowed) and their raw inputs, [row * k + j], NaN = NA.
struct Data {
  std::vector<std::int64_t> panel_row;
  std::vector<std::uint8_t> y;
  std::vector<int> fold;
  std::vector<ScorecardFeature> inputs;  // behaviour or column; the fit fills in the rest
  std::vector<double> raw;
  std::size_t k = 0;
  double x(std::size_t r, std::size_t j) const { return raw[r * k + j]; }
};

// Type 7 quantile of sorted values.
double quantile(const std::vector<double>& sorted, double q) {
  const double h = q * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

struct Model {
  std::vector<ScorecardFeature> feats;
  double intercept = 0.0;
};

double eta_of(const Model& m, const Data& d, std::size_t r) {
  double eta = m.intercept;
  for (std::size_t j = 0; j < d.k; ++j) {
    const ScorecardFeature& f = m.feats[j];
    const double v = d.x(r, j);
    eta += std::isnan(v) ? f.coef * (f.fill - f.mean) / f.sd + (f.has_na ? f.na_coef : 0.0)
                         : f.coef * (std::clamp(v, f.lo, f.hi) - f.mean) / f.sd;
  }
  return eta;
}

// Ridge logistic regression on the rows `train`: the transforms from those rows, then Newton's method.
Model fit_model(const Data& d, const std::vector<std::size_t>& train, double penalty) {
  Model m;
  m.feats = d.inputs;
  const std::size_t n = train.size();
  // Columns of the design: intercept, each varying input standardised, each NA indicator.
  std::vector<int> col_of(d.k, -1), na_col_of(d.k, -1);
  int cols = 1;
  std::vector<double> values;
  for (std::size_t j = 0; j < d.k; ++j) {
    ScorecardFeature& f = m.feats[j];
    values.clear();
    for (const std::size_t r : train)
      if (!std::isnan(d.x(r, j))) values.push_back(d.x(r, j));
    f.has_na = values.size() < n;
    f.coef = f.na_coef = 0.0;
    if (values.empty()) {  // never observed in these rows: no information
      f.lo = f.hi = f.fill = f.mean = 0.0;
      f.sd = 1.0;
      f.has_na = false;
      continue;
    }
    std::sort(values.begin(), values.end());
    f.lo = quantile(values, kWinsorLo);
    f.hi = quantile(values, kWinsorHi);
    f.fill = quantile(values, 0.5);
    long double sum = 0.0L, sum2 = 0.0L;
    for (const std::size_t r : train) {
      const double v = d.x(r, j);
      const double x = std::isnan(v) ? f.fill : std::clamp(v, f.lo, f.hi);
      sum += x;
      sum2 += static_cast<long double>(x) * x;
    }
    f.mean = static_cast<double>(sum / n);
    const double var = static_cast<double>(sum2 / n) - f.mean * f.mean;
    f.sd = var > 1e-18 ? std::sqrt(var) : 1.0;
    if (var > 1e-18) col_of[j] = cols++;
    if (f.has_na) na_col_of[j] = cols++;
  }
  const std::size_t K = static_cast<std::size_t>(cols);
  std::vector<double> X(n * K, 0.0);
  std::vector<double> yv(n);
  for (std::size_t a = 0; a < n; ++a) {
    const std::size_t r = train[a];
    double* row = &X[a * K];
    row[0] = 1.0;
    for (std::size_t j = 0; j < d.k; ++j) {
      const ScorecardFeature& f = m.feats[j];
      const double v = d.x(r, j);
      if (col_of[j] >= 0) row[col_of[j]] = ((std::isnan(v) ? f.fill : std::clamp(v, f.lo, f.hi)) - f.mean) / f.sd;
      if (na_col_of[j] >= 0) row[na_col_of[j]] = std::isnan(v) ? 1.0 : 0.0;
    }
    yv[a] = d.y[r];
  }
  const double inv_n = 1.0 / static_cast<double>(n);
  auto objective = [&](const std::vector<double>& b) {
    double ll = 0.0;
    for (std::size_t a = 0; a < n; ++a) {
      double eta = 0.0;
      for (std::size_t c = 0; c < K; ++c) eta += X[a * K + c] * b[c];
      ll += yv[a] * eta - softplus(eta);
    }
    double pen = 0.0;
    for (std::size_t c = 1; c < K; ++c) pen += b[c] * b[c];
    return -ll * inv_n + 0.5 * penalty * pen;
  };
  std::vector<double> beta(K, 0.0), g(K), h(K * K), step, trial(K);
  // Start the intercept at the base rate's log-odds.
  double events = 0.0;
  for (const double v : yv) events += v;
  beta[0] = logit(std::clamp(events * inv_n, 1e-6, 1.0 - 1e-6));
  double obj = objective(beta);
  for (int it = 0; it < kMaxNewton; ++it) {
    std::fill(g.begin(), g.end(), 0.0);
    std::fill(h.begin(), h.end(), 0.0);
    for (std::size_t a = 0; a < n; ++a) {
      const double* row = &X[a * K];
      double eta = 0.0;
      for (std::size_t c = 0; c < K; ++c) eta += row[c] * beta[c];
      const double p = logistic(eta), w = p * (1.0 - p), r = yv[a] - p;
      for (std::size_t c = 0; c < K; ++c) {
        g[c] += row[c] * r;
        const double wc = w * row[c];
        for (std::size_t e = 0; e <= c; ++e) h[c * K + e] += wc * row[e];
      }
    }
    for (std::size_t c = 0; c < K; ++c) {
      g[c] = g[c] * inv_n - (c > 0 ? penalty * beta[c] : 0.0);
      for (std::size_t e = 0; e <= c; ++e) {
        h[c * K + e] = h[c * K + e] * inv_n + (c == e && c > 0 ? penalty : 0.0);
        h[e * K + c] = h[c * K + e];
      }
    }
    if (!cholesky_solve(h, cols, g, step)) break;  // only without penalty and with collinear inputs
    double scale = 1.0, obj_new = 0.0;
    for (int halvings = 0; halvings < 40; ++halvings, scale *= 0.5) {
      for (std::size_t c = 0; c < K; ++c) trial[c] = beta[c] + scale * step[c];
      obj_new = objective(trial);
      if (std::isfinite(obj_new) && obj_new <= obj + 1e-15 * (1.0 + std::fabs(obj))) break;
    }
    double largest = 0.0;
    for (std::size_t c = 0; c < K; ++c) largest = std::max(largest, std::fabs(trial[c] - beta[c]));
    beta = trial;
    obj = obj_new;
    if (largest < 1e-9) break;
  }
  m.intercept = beta[0];
  for (std::size_t j = 0; j < d.k; ++j) {
    if (col_of[j] >= 0) m.feats[j].coef = beta[static_cast<std::size_t>(col_of[j])];
    if (na_col_of[j] >= 0) m.feats[j].na_coef = beta[static_cast<std::size_t>(na_col_of[j])];
  }
  return m;
}

Data build(const Panel& p, const ScorecardOptions& o, std::int32_t a) {
  Data d;
  const auto avail = available_features(p);
  for (int b = 0; b < kBehaviourFeatureCount; ++b) {
    if (!avail[static_cast<std::size_t>(b)]) continue;
    ScorecardFeature f;
    f.behaviour = b;
    d.inputs.push_back(f);
  }
  const std::size_t kb = d.inputs.size();
  for (const std::string& c : p.feature_columns) {
    if (protected_attribute_name(c) && !o.protected_attributes)
      throw ConfigError(p.source + ": column '" + c + "' reads as a protected attribute (sex, marital status, age, "
                        "...): a scorecard leaves it out unless the mapping sets scorecard.protected_attributes = true");
    ScorecardFeature f;
    f.column = c;
    d.inputs.push_back(f);
  }
  d.k = d.inputs.size();
  if (d.k == 0) throw ConfigError(p.source + ": a scorecard needs inputs: the panel has no behaviour feature or column");
  std::array<double, kBehaviourFeatureCount> x{};
  const std::size_t kc = p.feature_columns.size();
  for (std::int64_t i = 0; i < p.size(); ++i) {
    const auto u = static_cast<std::size_t>(i);
    if (p.label.empty() || (p.label[u] != 0 && p.label[u] != 1)) continue;
    if (!o.rows.empty() && !o.rows[u]) continue;
    behaviour_features(p, i, a, x.data());
    d.panel_row.push_back(i);
    d.y.push_back(static_cast<std::uint8_t>(p.label[u]));
    d.fold.push_back(fold_of(p.id[u], o.folds));
    for (std::size_t j = 0; j < kb; ++j) d.raw.push_back(x[static_cast<std::size_t>(d.inputs[j].behaviour)]);
    for (std::size_t j = 0; j < kc; ++j) d.raw.push_back(static_cast<double>(p.features[u * kc + j]));
  }
  return d;
}

}  // namespace

int fold_of(std::uint64_t id, int folds) {
  std::uint64_t z = id + 0x9e3779b97f4a7c15ULL;  // splitmix64
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return static_cast<int>(z % static_cast<std::uint64_t>(folds));
}

ScorecardResult fit_scorecard(const Panel& p, const ScorecardOptions& o) {
  if (o.folds < 2 || o.folds > 20) throw ConfigError("scorecard: folds must be 2..20, got " + std::to_string(o.folds));
  if (o.penalties.empty()) throw ConfigError("scorecard: no penalty to try");
  if (p.label.empty()) throw ConfigError(p.source + ": a scorecard needs the outcome label column (fields.label)");
  const std::int32_t a = o.as_of < 0 ? p.months - 1 : o.as_of;
  if (a >= p.months) throw ConfigError("scorecard: as-of month " + std::to_string(a) + " is past the panel");
  const Data d = build(p, o, a);
  const std::size_t n = d.y.size();
  std::size_t events = 0;
  for (const auto v : d.y) events += v;
  if (n < static_cast<std::size_t>(2 * o.folds))
    throw ConfigError(p.source + ": a scorecard needs at least " + std::to_string(2 * o.folds) +
                      " customers with a 0/1 label, got " + std::to_string(n));
  if (events == 0 || events == n)
    throw ConfigError(p.source + ": a scorecard needs both outcomes in the label, got only " + (events ? "1s" : "0s"));

  // Cross-validation: every (penalty, fold) pair is fitted on the other folds (in parallel; each pair writes
  // only its own held-out rows, so the result does not depend on the thread count).
  const std::size_t L = o.penalties.size();
  const int F = o.folds;
  std::vector<double> oof(L * n, kNaN);
#pragma omp parallel for schedule(dynamic, 1)
  for (int job = 0; job < static_cast<int>(L) * F; ++job) {
    const std::size_t l = static_cast<std::size_t>(job / F);
    const int f = job % F;
    std::vector<std::size_t> train, test;
    for (std::size_t r = 0; r < n; ++r) (d.fold[r] == f ? test : train).push_back(r);
    if (test.empty() || train.empty()) continue;
    const Model m = fit_model(d, train, o.penalties[l]);
    for (const std::size_t r : test) oof[l * n + r] = eta_of(m, d, r);
  }
  std::vector<double> loss(L, 0.0);
  std::size_t best = 0;
  for (std::size_t l = 0; l < L; ++l) {
    double s = 0.0;
    for (std::size_t r = 0; r < n; ++r) {
      const double eta = oof[l * n + r];
      s += softplus(eta) - (d.y[r] ? eta : 0.0);
    }
    loss[l] = s / static_cast<double>(n);
    if (loss[l] < loss[best]) best = l;
  }

  ScorecardResult res;
  std::vector<std::size_t> all(n);
  for (std::size_t r = 0; r < n; ++r) all[r] = r;
  const Model m = fit_model(d, all, o.penalties[best]);
  Scorecard& s = res.card;
  s.features = m.feats;
  s.intercept = m.intercept;
  s.penalty = o.penalties[best];
  s.protected_attributes = o.protected_attributes;
  s.as_of = p.month_names.empty() ? std::string() : p.month_names[static_cast<std::size_t>(a)];
  s.data_file = p.source;
  s.data_sha256 = p.sha256;
  long double sum = 0.0L, sum2 = 0.0L;
  for (std::size_t r = 0; r < n; ++r) {
    const double eta = eta_of(m, d, r);
    sum += eta;
    sum2 += static_cast<long double>(eta) * eta;
  }
  s.eta_mean = static_cast<double>(sum / n);
  const double var = static_cast<double>(sum2 / n) - s.eta_mean * s.eta_mean;
  s.eta_sd = var > 1e-18 ? std::sqrt(var) : 1.0;

  ScorecardFit& fit = s.fit;
  fit.rows = static_cast<std::int64_t>(n);
  fit.events = static_cast<std::int64_t>(events);
  fit.folds = F;
  fit.penalties = o.penalties;
  fit.cv_log_loss = loss;
  std::vector<double> prob(n);
  std::vector<std::int8_t> label(n);
  res.oof_eta.assign(static_cast<std::size_t>(p.size()), kNaN);
  res.fold.assign(static_cast<std::size_t>(p.size()), -1);
  double mean_p = 0.0;
  for (std::size_t r = 0; r < n; ++r) {
    const double eta = oof[best * n + r];
    prob[r] = logistic(eta);
    label[r] = static_cast<std::int8_t>(d.y[r]);
    mean_p += prob[r];
    res.oof_eta[static_cast<std::size_t>(d.panel_row[r])] = eta;
    res.fold[static_cast<std::size_t>(d.panel_row[r])] = d.fold[r];
  }
  fit.auc = auc(prob, label);
  fit.brier = brier(prob, label);
  fit.mean_predicted = mean_p / static_cast<double>(n);
  fit.observed = static_cast<double>(events) / static_cast<double>(n);
  const DecileTable t = deciles(prob, label);
  fit.decile_count = t.count;
  fit.decile_predicted = t.predicted;
  fit.decile_observed = t.observed;
  return res;
}

std::string scorecard_report(const Scorecard& s) {
  std::ostringstream os;
  char buf[200];
  const ScorecardFit& f = s.fit;
  os << "Behaviour score: ridge logistic regression of " << (s.target.empty() ? "the label" : s.target) << " on "
     << s.features.size() << " inputs" << (s.as_of.empty() ? "" : " as of " + s.as_of) << "\n";
  std::snprintf(buf, sizeof buf,
                "  %lld customers, %lld with label 1 (%.2f%%); %d folds by id hash; penalty %g chosen by out-of-fold log loss\n",
                static_cast<long long>(f.rows), static_cast<long long>(f.events), 100.0 * f.observed, f.folds, s.penalty);
  os << buf << "  penalty   log loss\n";
  for (std::size_t l = 0; l < f.penalties.size() && l < f.cv_log_loss.size(); ++l) {
    std::snprintf(buf, sizeof buf, "  %-8g  %.5f%s\n", f.penalties[l], f.cv_log_loss[l], f.penalties[l] == s.penalty ? "  *" : "");
    os << buf;
  }
  std::snprintf(buf, sizeof buf, "  out of fold: AUC %.4f, Brier %.4f, mean predicted %.2f%% (observed %.2f%%)\n", f.auc,
                f.brier, 100.0 * f.mean_predicted, 100.0 * f.observed);
  os << buf << "  input                                       coef     NA coef   winsorised to           fill\n";
  for (const ScorecardFeature& x : s.features) {
    std::snprintf(buf, sizeof buf, "  %-40s %8.4f  %8s   [%.4g, %.4g]  %10.4g\n", x.name().c_str(), x.coef,
                  x.has_na ? std::to_string(x.na_coef).substr(0, 7).c_str() : "-", x.lo, x.hi, x.fill);
    os << buf;
  }
  std::snprintf(buf, sizeof buf, "  intercept %.4f; log-odds over the fit sample: mean %.4f, sd %.4f (risk = (eta - mean) / sd)\n",
                s.intercept, s.eta_mean, s.eta_sd);
  os << buf << "  out-of-fold calibration by decile of the predicted probability\n  decile   customers  predicted   observed\n";
  for (std::size_t g = 0; g < f.decile_count.size(); ++g) {
    std::snprintf(buf, sizeof buf, "  %6zu  %10lld  %8.2f%%  %8.2f%%\n", g + 1, static_cast<long long>(f.decile_count[g]),
                  100.0 * f.decile_predicted[g], 100.0 * f.decile_observed[g]);
    os << buf;
  }
  os << "  protected attributes: " << (s.protected_attributes ? "allowed by the mapping" : "none (sex, marital status, age, ... are left out)") << "\n";
  return os.str();
}

}  // namespace limitsim
