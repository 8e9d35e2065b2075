// Tail risk of the loss distribution over paths (definitions: docs/metrics.md).
#include "src/analysis/risk.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>
#include <numeric>
#include <stdexcept>

namespace limitsim {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kCiZ = 1.96;  // two-sided 95% normal quantile for the VaR rank interval
// Upper quantile of the two-sided interval: 0.975 for 95%.
constexpr double kUpperQuantile = 0.5 + kRiskConfidence / 2.0;
// Percentile ranks of bootstrap intervals: ceil(0.025 B) and B − ceil(0.025 B) + 1,
// in exact integer arithmetic like the VaR rank.
constexpr TailLevel kBootstrapLowerTail{25, 1000};

// ---------------------------------------------------------------- plain statistics

double mean_of(const std::vector<double>& x) {
  double s = 0.0;
  for (double v : x) s += v;
  return s / static_cast<double>(x.size());
}

// Sample standard deviation (n - 1); NaN for fewer than two values.
double sample_sd(const std::vector<double>& x, double mean) {
  if (x.size() < 2) return kNaN;
  double ss = 0.0;
  for (double v : x) ss += (v - mean) * (v - mean);
  return std::sqrt(ss / static_cast<double>(x.size() - 1));
}

// ---------------------------------------------------------------- Student t

// Continued fraction of the regularized incomplete beta function (modified
// Lentz, as Numerical Recipes' betacf); converges fast for x < (a + 1) / (a + b + 2).
double beta_continued_fraction(double a, double b, double x) {
  constexpr int kMaxIterations = 1000000;  // O(sqrt(a)) are needed: a = df / 2 reaches 5e5
  constexpr double kEps = 1e-16;
  constexpr double kTiny = 1e-300;
  const double qab = a + b, qap = a + 1.0, qam = a - 1.0;
  double c = 1.0;
  double d = 1.0 - qab * x / qap;
  if (std::fabs(d) < kTiny) d = kTiny;
  d = 1.0 / d;
  double h = d;
  for (int m = 1; m <= kMaxIterations; ++m) {
    const double m2 = 2.0 * m;
    double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
    d = 1.0 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1.0 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    h *= d * c;
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
    d = 1.0 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1.0 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    const double del = d * c;
    h *= del;
    if (std::fabs(del - 1.0) < kEps) break;
  }
  return h;
}

// I_x(a, b), with y = 1 − x passed in so that x near 1 loses no digits.
double incomplete_beta(double a, double b, double x, double y) {
  if (x <= 0.0) return 0.0;
  if (y <= 0.0) return 1.0;
  const double log_front = std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log(y);
  if (x < (a + 1.0) / (a + b + 2.0)) return std::exp(log_front) * beta_continued_fraction(a, b, x) / a;
  return 1.0 - std::exp(log_front) * beta_continued_fraction(b, a, y) / b;
}

// P(T > t) for t >= 0: I_{df / (df + t²)}(df / 2, 1 / 2) / 2.
double t_upper_tail(double t, double df) {
  const double t2 = t * t;
  return 0.5 * incomplete_beta(0.5 * df, 0.5, df / (df + t2), t2 / (df + t2));
}

// ---------------------------------------------------------------- loss figures

// Distribution-free 95% CI for the q-quantile from order statistics, ranks by
// the normal approximation to the binomial; NaN for a side outside 1..P.
Interval order_statistic_ci(const std::vector<double>& sorted, double q) {
  const double P = static_cast<double>(sorted.size());
  const double half = kCiZ * std::sqrt(P * q * (1.0 - q));
  const double lo = std::floor(P * q - half);
  const double hi = std::ceil(P * q + half) + 1.0;
  auto at = [&](double rank) { return rank >= 1.0 && rank <= P ? sorted[static_cast<std::size_t>(rank) - 1] : kNaN; };
  return {at(lo), at(hi)};
}

// The loss figures; `weighted` selects the estimators (w is only read when it is set).
LossRisk compute_loss_risk(const std::vector<double>& loss, const std::vector<double>& w, bool weighted,
                           int resamples, const std::vector<TailLevel>& levels) {
  const std::size_t P = loss.size(), L = levels.size();
  const auto n = static_cast<std::int64_t>(P);
  LossRisk out;
  out.levels = levels;
  out.paths = n;
  out.weighted = weighted;
  out.resamples = resamples;

  // Sorted losses (and their weights): the bootstrap draws indices into them.
  std::vector<double> sorted(P), sorted_w;
  if (weighted) {
    const std::vector<std::size_t> order = ascending_order(loss);
    sorted_w.resize(P);
    for (std::size_t i = 0; i < P; ++i) {
      sorted[i] = loss[order[i]];
      sorted_w[i] = w[order[i]];
    }
  } else {
    sorted = loss;
    std::sort(sorted.begin(), sorted.end());
  }
  const std::vector<double>* ws = weighted ? &sorted_w : nullptr;

  out.expected_loss = weighted_mean_estimate(loss, weighted ? w : std::vector<double>{});
  const double t = student_t_quantile(kUpperQuantile, static_cast<double>(n) - 1.0);  // NaN for one path
  out.expected_loss_ci = {out.expected_loss.value - t * out.expected_loss.se,
                          out.expected_loss.value + t * out.expected_loss.se};
  out.unexpected_loss.value = weighted_sd(loss, nullptr, weighted ? &w : nullptr, n, out.expected_loss.value);
  out.unexpected_loss.se = kNaN;
  const auto points = tail_points(sorted, nullptr, nullptr, ws, n, levels);
  for (std::size_t l = 0; l < L; ++l) {
    const TailLevel& level = levels[l];
    const TailPoint tp = points[l];
    TailEstimate te;
    te.level = level.value();
    te.var = tp.var;
    te.es = tp.es;
    te.var_se = te.es_se = kNaN;
    te.paths_beyond = sorted.end() - std::lower_bound(sorted.begin(), sorted.end(), tp.var);
    if (weighted) {
      te.var_lo = te.var_hi = kNaN;
    } else {
      const Interval ci = order_statistic_ci(sorted, level.value());
      te.var_lo = ci.lo;
      te.var_hi = ci.hi;
    }
    out.tail.push_back(te);
  }
  if (P < 2 || resamples < 2) return out;

  // Nonparametric bootstrap of (L, w) pairs: each resample draws P indices into
  // the sorted losses with uniform_index on one std::mt19937_64(kBootstrapSeed);
  // the resample is kept as counts per sorted value, so no sort is needed.
  std::mt19937_64 gen(kBootstrapSeed);
  const std::size_t B = static_cast<std::size_t>(resamples);
  std::vector<std::uint32_t> counts(P);
  std::vector<double> sds(B);
  std::vector<std::vector<double>> vars(L, std::vector<double>(B)), ess = vars;
  for (std::size_t b = 0; b < B; ++b) {
    std::fill(counts.begin(), counts.end(), 0u);
    for (std::size_t j = 0; j < P; ++j) ++counts[uniform_index(gen, P)];
    const double mean = weighted_mean(sorted, &counts, ws, n);
    sds[b] = weighted_sd(sorted, &counts, ws, n, mean);
    const auto tp = tail_points(sorted, nullptr, &counts, ws, n, levels);
    for (std::size_t l = 0; l < L; ++l) {
      vars[l][b] = tp[l].var;
      ess[l][b] = tp[l].es;
    }
  }
  out.unexpected_loss.se = sample_sd(sds, mean_of(sds));
  out.unexpected_loss_ci = percentile_interval(sds);
  for (std::size_t l = 0; l < L; ++l) {
    TailEstimate& te = out.tail[l];
    te.var_se = sample_sd(vars[l], mean_of(vars[l]));
    te.es_se = sample_sd(ess[l], mean_of(ess[l]));
    const Interval es_ci = percentile_interval(ess[l]);
    te.es_lo = es_ci.lo;
    te.es_hi = es_ci.hi;
    if (weighted) {
      const Interval var_ci = percentile_interval(vars[l]);
      te.var_lo = var_ci.lo;
      te.var_hi = var_ci.hi;
    }
  }
  return out;
}

void check_loss_and_weights(const std::vector<double>& loss, const std::vector<double>& w, const char* who) {
  if (loss.empty()) throw std::invalid_argument(std::string(who) + ": need at least one path");
  check_weights(w, loss.size(), who);
}

}  // namespace

// ---------------------------------------------------------------- helpers

std::int64_t tail_rank(const TailLevel& level, std::int64_t paths) {
  return std::max<std::int64_t>(1, (level.num * paths + level.den - 1) / level.den);
}

std::uint64_t uniform_index(std::mt19937_64& gen, std::uint64_t n) {
  if (n == 0) throw std::invalid_argument("uniform_index: n must be >= 1");
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
  const std::uint64_t rem = (kMax % n + 1) % n;  // 2^64 mod n
  const std::uint64_t max_ok = kMax - rem;      // [0, max_ok] holds a whole multiple of n values
  for (;;) {
    const std::uint64_t x = gen();
    if (x <= max_ok) return x % n;
  }
}

double student_t_cdf(double t, double df) {
  if (std::isnan(t) || !(df > 0.0)) return kNaN;
  const double upper = t_upper_tail(std::fabs(t), df);
  return t >= 0.0 ? 1.0 - upper : upper;
}

double student_t_quantile(double p, double df) {
  if (!(p > 0.0 && p < 1.0) || !(df > 0.0)) return kNaN;
  if (p == 0.5) return 0.0;
  // Solve P(T > t) = tail for t > 0 on the upper tail itself (no 1 − p cancellation).
  const double tail = p < 0.5 ? p : 1.0 - p;
  double lo = 0.0, hi = 1.0;
  while (t_upper_tail(hi, df) > tail) {
    lo = hi;
    hi *= 2.0;
    if (!std::isfinite(hi)) return p < 0.5 ? -hi : hi;
  }
  // Bisection to the last bit: the tail is monotone in t, and about 64 steps suffice.
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    if (mid <= lo || mid >= hi) break;
    (t_upper_tail(mid, df) > tail ? lo : hi) = mid;
  }
  const double t = 0.5 * (lo + hi);
  return p < 0.5 ? -t : t;
}

Interval percentile_interval(std::vector<double> v) {
  if (v.empty()) return {};
  for (double x : v)
    if (std::isnan(x)) return {};  // NaN has no place in a sort, nor an interval
  std::sort(v.begin(), v.end());
  const auto B = static_cast<std::int64_t>(v.size());
  const std::int64_t k = tail_rank(kBootstrapLowerTail, B);
  return {v[static_cast<std::size_t>(k - 1)], v[static_cast<std::size_t>(B - k)]};
}

bool all_unit_weights(const std::vector<double>& w) {
  return std::all_of(w.begin(), w.end(), [](double x) { return x == 1.0; });
}

void check_weights(const std::vector<double>& w, std::size_t paths, const std::string& who) {
  if (w.empty()) return;
  if (w.size() != paths)
    throw std::invalid_argument(who + ": " + std::to_string(w.size()) + " path weights for " + std::to_string(paths) +
                                " paths");
  double sum = 0.0;
  for (std::size_t p = 0; p < w.size(); ++p) {
    if (!(std::isfinite(w[p]) && w[p] >= 0.0))
      throw std::invalid_argument(who + ": path weight " + std::to_string(p) + " is " + std::to_string(w[p]) +
                                  " (weights must be finite and >= 0)");
    sum += w[p];
  }
  if (!(sum > 0.0)) throw std::invalid_argument(who + ": the path weights sum to 0");
}

// ---------------------------------------------------------------- estimators

namespace {

// VaR and ES at levels[0..L) in one walk down from the largest value: the walks
// of the levels are prefixes of one another, and each level's accumulators see
// exactly the additions its own walk would (so one level at a time gives the
// same bits).
void tail_walk(const std::vector<double>& x, const std::vector<std::size_t>* order,
               const std::vector<std::uint32_t>* counts, const std::vector<double>* w, std::int64_t n,
               const TailLevel* levels, std::size_t L, TailPoint* out) {
  auto index = [&](std::size_t i) { return order ? (*order)[i] : i; };
  std::vector<double> sum(L, 0.0), var(L, kNaN);
  if (!w) {
    // The rank rule: the top n − k + 1 values, walked down from the largest.
    std::vector<std::int64_t> tail_size(L), left(L);
    std::int64_t most = 0;
    for (std::size_t l = 0; l < L; ++l) {
      tail_size[l] = left[l] = n - tail_rank(levels[l], n) + 1;
      most = std::max(most, left[l]);
    }
    for (std::size_t i = x.size(); i-- > 0 && most > 0;) {
      const std::size_t p = index(i);
      const std::int64_t c = counts ? (*counts)[p] : 1;
      if (c == 0) continue;
      most = 0;
      for (std::size_t l = 0; l < L; ++l) {
        if (left[l] > 0) {
          const std::int64_t take = std::min<std::int64_t>(c, left[l]);
          sum[l] += static_cast<double>(take) * x[p];
          left[l] -= take;
          var[l] = x[p];
        }
        most = std::max(most, left[l]);
      }
    }
    for (std::size_t l = 0; l < L; ++l) out[l] = {var[l], sum[l] / static_cast<double>(tail_size[l])};
    return;
  }
  // The mass rule, walked down one group of equal values at a time: a value
  // qualifies while the mass strictly above it is at most (1 − q) n.
  std::vector<double> limit(L), tail_w(L, 0.0);
  std::vector<char> done(L, 0);
  for (std::size_t l = 0; l < L; ++l)
    limit[l] = static_cast<double>((levels[l].den - levels[l].num) * n) / static_cast<double>(levels[l].den);
  double above = 0.0;
  std::size_t open = L;
  for (std::size_t i = x.size(); i > 0 && open > 0;) {
    const double v = x[index(i - 1)];
    double mass = 0.0, mass_x = 0.0;
    for (; i > 0 && x[index(i - 1)] == v; --i) {
      const std::size_t p = index(i - 1);
      const double m = (counts ? static_cast<double>((*counts)[p]) : 1.0) * (*w)[p];
      mass += m;
      mass_x += m * x[p];
    }
    if (mass <= 0.0) continue;  // not in this (re)sample
    for (std::size_t l = 0; l < L; ++l) {
      if (done[l]) continue;
      if (above > limit[l]) {
        done[l] = 1;
        --open;
        continue;
      }
      var[l] = v;
      tail_w[l] += mass;
      sum[l] += mass_x;
    }
    above += mass;
  }
  for (std::size_t l = 0; l < L; ++l) out[l] = {var[l], tail_w[l] > 0.0 ? sum[l] / tail_w[l] : kNaN};
}

}  // namespace

TailPoint tail_point(const std::vector<double>& x, const std::vector<std::size_t>* order,
                     const std::vector<std::uint32_t>* counts, const std::vector<double>* w, std::int64_t n,
                     const TailLevel& level) {
  TailPoint out{kNaN, kNaN};
  tail_walk(x, order, counts, w, n, &level, 1, &out);
  return out;
}

std::vector<TailPoint> tail_points(const std::vector<double>& x, const std::vector<std::size_t>* order,
                                   const std::vector<std::uint32_t>* counts, const std::vector<double>* w,
                                   std::int64_t n, const std::vector<TailLevel>& levels) {
  std::vector<TailPoint> out(levels.size(), TailPoint{kNaN, kNaN});
  tail_walk(x, order, counts, w, n, levels.data(), levels.size(), out.data());
  return out;
}

double weighted_mean(const std::vector<double>& x, const std::vector<std::uint32_t>* counts,
                     const std::vector<double>* w, std::int64_t n) {
  double s = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    double cw = counts ? static_cast<double>((*counts)[i]) : 1.0;
    if (w) cw *= (*w)[i];
    s += cw * x[i];
  }
  return s / static_cast<double>(n);
}

double weighted_sd(const std::vector<double>& x, const std::vector<std::uint32_t>* counts,
                   const std::vector<double>* w, std::int64_t n, double mean) {
  if (n < 2) return kNaN;
  double ss = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    double cw = counts ? static_cast<double>((*counts)[i]) : 1.0;
    if (w) cw *= (*w)[i];
    ss += cw * (x[i] - mean) * (x[i] - mean);
  }
  return std::sqrt(ss / static_cast<double>(n - 1));
}

std::vector<std::size_t> ascending_order(const std::vector<double>& x) {
  std::vector<std::size_t> order(x.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return x[a] < x[b]; });
  return order;
}

Estimate weighted_mean_estimate(const std::vector<double>& x, const std::vector<double>& w) {
  if (w.empty()) {
    const double m = mean_of(x);
    return {m, sample_sd(x, m) / std::sqrt(static_cast<double>(x.size()))};
  }
  std::vector<double> y(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) y[i] = w[i] * x[i];
  const double m = mean_of(y);
  return {m, sample_sd(y, m) / std::sqrt(static_cast<double>(y.size()))};
}

LossRisk loss_risk(const std::vector<double>& loss, const std::vector<double>& w, int resamples,
                   const std::vector<TailLevel>& levels) {
  check_loss_and_weights(loss, w, "loss_risk");
  if (levels.empty()) throw std::invalid_argument("loss_risk: need at least one tail level");
  return compute_loss_risk(loss, w, !all_unit_weights(w), resamples, levels);
}

const std::vector<TailLevel>& default_tail_levels() {
  static const std::vector<TailLevel> levels(std::begin(kTailLevels), std::end(kTailLevels));
  return levels;
}

std::vector<std::int64_t> convergence_grid(std::int64_t paths) {
  std::vector<std::int64_t> out;
  static constexpr std::int64_t kSteps[] = {1, 2, 5};
  for (std::int64_t decade = kConvergenceMinPaths; decade < paths; decade *= 10)
    for (std::int64_t step : kSteps)
      if (step * decade < paths) out.push_back(step * decade);
  if (paths >= 1) out.push_back(paths);
  return out;
}

std::vector<ConvergencePoint> convergence_bands(const std::vector<double>& loss, const std::vector<double>& w,
                                                const LossRisk& full) {
  check_loss_and_weights(loss, w, "convergence_bands");
  std::vector<ConvergencePoint> out;
  for (const std::int64_t n : convergence_grid(static_cast<std::int64_t>(loss.size()))) {
    if (n == static_cast<std::int64_t>(loss.size())) {
      out.push_back({n, full});
      continue;
    }
    const std::vector<double> first(loss.begin(), loss.begin() + n);
    const std::vector<double> first_w = full.weighted ? std::vector<double>(w.begin(), w.begin() + n)
                                                      : std::vector<double>{};
    out.push_back({n, compute_loss_risk(first, first_w, full.weighted, kConvergenceResamples, full.levels)});
  }
  return out;
}

std::int64_t var_window_half_width(std::int64_t paths, const TailLevel& level) {
  // h² den >= P (den − num), i.e. h >= sqrt(P (1 − q)), in exact integers.
  const std::int64_t target = paths * (level.den - level.num);
  auto enough = [&](std::int64_t h) { return h * h * level.den >= target; };
  std::int64_t h = std::max<std::int64_t>(1, static_cast<std::int64_t>(std::sqrt(static_cast<double>(target) /
                                                                                  static_cast<double>(level.den))));
  while (h > 1 && enough(h - 1)) --h;
  while (!enough(h)) ++h;
  return h;
}

RiskContributions risk_contributions(const std::vector<double>& loss,
                                     const std::vector<std::vector<double>>& unit_loss,
                                     const std::vector<double>& w, const LossRisk& risk) {
  check_loss_and_weights(loss, w, "risk_contributions");
  const std::size_t P = loss.size(), G = unit_loss.size();
  const auto n = static_cast<std::int64_t>(P);
  for (const auto& u : unit_loss)
    if (u.size() != P)
      throw std::invalid_argument("risk_contributions: a unit has " + std::to_string(u.size()) +
                                  " path losses, expected " + std::to_string(P));
  if (risk.paths != n || risk.tail.size() != risk.levels.size())
    throw std::invalid_argument("risk_contributions: the loss figures are not those of these paths");
  const bool weighted = risk.weighted;
  if (weighted && w.empty()) throw std::invalid_argument("risk_contributions: weighted figures need the weights");
  auto weight = [&](std::size_t p) { return weighted ? w[p] : 1.0; };
  const std::vector<double>* wp = weighted ? &w : nullptr;

  RiskContributions out;
  const double el = risk.expected_loss.value, ul = risk.unexpected_loss.value;
  for (std::size_t g = 0; g < G; ++g) {
    const double el_g = weighted_mean(unit_loss[g], nullptr, wp, n);
    out.expected_loss.push_back(el_g);
    if (P < 2) {
      out.unexpected_loss.push_back(kNaN);
      continue;
    }
    double cov = 0.0;
    for (std::size_t p = 0; p < P; ++p) cov += weight(p) * (unit_loss[g][p] - el_g) * (loss[p] - el);
    cov /= static_cast<double>(P - 1);
    out.unexpected_loss.push_back(ul > 0.0 ? cov / ul : 0.0);  // no spread: nothing to allocate
  }

  const std::vector<std::size_t> order = ascending_order(loss);
  for (std::size_t l = 0; l < risk.levels.size(); ++l) {
    const TailLevel& level = risk.levels[l];
    const double var = risk.tail[l].var;
    // The paths ES averages (ranks first_tail..P) and VaR's own rank.
    std::int64_t rank = 0;
    std::size_t first_tail = 0;
    if (!weighted) {
      rank = tail_rank(level, n);
      first_tail = static_cast<std::size_t>(rank - 1);
    } else {
      while (first_tail < P && loss[order[first_tail]] < var) ++first_tail;
      rank = static_cast<std::int64_t>(first_tail) + 1;
    }
    std::vector<double> es(G, 0.0);
    double tail_w = 0.0;
    for (std::size_t i = first_tail; i < P; ++i) tail_w += weight(order[i]);
    for (std::size_t g = 0; g < G; ++g) {
      double s = 0.0;
      for (std::size_t i = first_tail; i < P; ++i) s += weight(order[i]) * unit_loss[g][order[i]];
      es[g] = s / tail_w;
    }
    // VaR: the weighted mean of each unit's loss over ranks rank − h .. rank + h,
    // rescaled so the units add up to VaR.
    const std::int64_t h = var_window_half_width(n, level);
    const std::int64_t first = std::max<std::int64_t>(1, rank - h), last = std::min<std::int64_t>(n, rank + h);
    std::vector<double> raw(G, 0.0);
    double window_w = 0.0, raw_sum = 0.0;
    for (std::int64_t i = first; i <= last; ++i) window_w += weight(order[static_cast<std::size_t>(i - 1)]);
    for (std::size_t g = 0; g < G; ++g) {
      double s = 0.0;
      for (std::int64_t i = first; i <= last; ++i) {
        const std::size_t p = order[static_cast<std::size_t>(i - 1)];
        s += weight(p) * unit_loss[g][p];
      }
      raw[g] = window_w > 0.0 ? s / window_w : 0.0;
      raw_sum += raw[g];
    }
    std::vector<double> var_g(G);
    for (std::size_t g = 0; g < G; ++g)
      var_g[g] = raw_sum != 0.0 && std::isfinite(raw_sum)
                     ? raw[g] * (var / raw_sum)
                     : unit_loss[g][order[static_cast<std::size_t>(rank - 1)]];  // the VaR path's own split
    out.var.push_back(std::move(var_g));
    out.es.push_back(std::move(es));
    out.var_rank.push_back(rank);
    out.var_first.push_back(first);
    out.var_last.push_back(last);
  }
  return out;
}

RiskContributions aggregate_contributions(const RiskContributions& c, const std::vector<std::int32_t>& group_of,
                                          std::size_t groups) {
  const std::size_t G = c.expected_loss.size();
  if (group_of.size() != G)
    throw std::invalid_argument("aggregate_contributions: " + std::to_string(group_of.size()) + " groups for " +
                                std::to_string(G) + " units");
  for (std::int32_t k : group_of)
    if (k < 0 || static_cast<std::size_t>(k) >= groups)
      throw std::invalid_argument("aggregate_contributions: group " + std::to_string(k) + " outside 0.." +
                                  std::to_string(groups) + " - 1");
  RiskContributions out;
  out.expected_loss.assign(groups, 0.0);
  out.unexpected_loss.assign(groups, 0.0);
  out.var.assign(c.var.size(), std::vector<double>(groups, 0.0));
  out.es = out.var;
  for (std::size_t g = 0; g < G; ++g) {
    const auto k = static_cast<std::size_t>(group_of[g]);
    out.expected_loss[k] += c.expected_loss[g];
    out.unexpected_loss[k] += c.unexpected_loss[g];
    for (std::size_t l = 0; l < c.var.size(); ++l) {
      out.var[l][k] += c.var[l][g];
      out.es[l][k] += c.es[l][g];
    }
  }
  out.var_rank = c.var_rank;
  out.var_first = c.var_first;
  out.var_last = c.var_last;
  return out;
}

std::string tail_caveat(const TailEstimate& te) {
  if (te.paths_beyond >= kTailCaveatPaths) return "";
  return "rests on " + std::to_string(te.paths_beyond) + (te.paths_beyond == 1 ? " path" : " paths") +
         " beyond the quantile: little more than the largest loss seen; run more paths";
}

}  // namespace limitsim
