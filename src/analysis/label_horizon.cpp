// The label's event under the model's delinquency chain, and the miss regression fitted to labels (label_horizon.hpp).
#include "src/analysis/label_horizon.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "kernels/model.hpp"
#include "kernels/special.hpp"
#include "src/analysis/calibrate_text.hpp"
#include "src/util/linalg.hpp"
#include "version.hpp"

namespace limitsim {
namespace {

constexpr std::size_t kBlock = 4096;  // customers per partial sum: fixed, so sums do not depend on threads
constexpr int kMaxIterations = 50;

}  // namespace

double horizon_probability(const BehaviourParams& bp, const ChainStart& s, const LabelEvent& e, double* d_eta) {
  std::array<double, kMaxBuckets> st{}, dst{};
  st[static_cast<std::size_t>(std::clamp(s.bucket, 0, kMaxBuckets - 1))] = 1.0;
  const double eta = bp.miss_intercept + bp.miss_beta_risk * s.risk + bp.miss_beta_util * s.util_excess;
  const double q = logistic(eta), dq = q * (1.0 - q);
  const double shift = bp.roll_beta_risk * s.risk + bp.roll_beta_util * s.util_excess;
  const double stay_open = 1.0 - bp.attrition_rate;  // a month that ends current may close voluntarily
  const int cb = std::clamp(bp.chargeoff_bucket, 1, kMaxBuckets - 1);
  // Given no roll (step_month, kernels/model.hpp): cure, back one bucket, back two (partial cures; never
  // past 1-30, so back two from 31-60 is back one, and 1-30 has neither), or stay.
  std::array<double, kMaxBuckets> roll{}, cure_share{}, back_one{}, back_two{};
  for (int b = 1; b < kMaxBuckets; ++b) {
    const auto u = static_cast<std::size_t>(b);
    const double p = bp.roll[b];
    roll[u] = (shift != 0.0 && p > 0.0 && p < 1.0) ? logistic(logit(p) + shift) : p;
    cure_share[u] = p < 1.0 ? bp.cure[b] / (1.0 - p) : 0.0;
    if (p < 1.0 && b >= 2) {
      back_one[u] = bp.partial_cure[b] / (1.0 - p);
      back_two[u] = bp.partial_cure_two[b] / (1.0 - p);
      if (b == 2) {
        back_one[u] += back_two[u];
        back_two[u] = 0.0;
      }
    }
  }
  double hit = 0.0, dhit = 0.0;
  for (int m = 0; m < e.horizon; ++m) {
    const bool due = m > 0 || s.due;
    std::array<double, kMaxBuckets> ns{}, nd{};
    // From current: a miss into 1-30 (only on a positive amount due), else current (and maybe closed).
    const double miss = due ? st[0] * q : 0.0, dmiss = due ? dst[0] * q + st[0] * dq : 0.0;
    ns[1] += miss;
    nd[1] += dmiss;
    ns[0] += (st[0] - miss) * stay_open;
    nd[0] += (dst[0] - dmiss) * stay_open;
    for (int b = 1; b < kMaxBuckets; ++b) {
      const auto u = static_cast<std::size_t>(b);
      const double x = st[u], dx = dst[u];
      if (x == 0.0 && dx == 0.0) continue;
      if (!due) {  // nothing owed: the arrears are cleared
        ns[0] += x * stay_open;
        nd[0] += dx * stay_open;
        continue;
      }
      const double rolled = x * roll[u], drolled = dx * roll[u];
      const double cured = (x - rolled) * cure_share[u], dcured = (dx - drolled) * cure_share[u];
      const double one = (x - rolled) * back_one[u], done = (dx - drolled) * back_one[u];
      const double two = (x - rolled) * back_two[u], dtwo = (dx - drolled) * back_two[u];
      if (b + 1 > cb) {  // past the charge-off bucket: charged off, which counts as the event
        hit += rolled;
        dhit += drolled;
      } else {
        ns[u + 1] += rolled;
        nd[u + 1] += drolled;
      }
      ns[0] += cured * stay_open;
      nd[0] += dcured * stay_open;
      if (b >= 2) {
        ns[u - 1] += one;
        nd[u - 1] += done;
      }
      if (b >= 3) {
        ns[u - 2] += two;
        nd[u - 2] += dtwo;
      }
      ns[u] += x - rolled - cured - one - two;
      nd[u] += dx - drolled - dcured - done - dtwo;
    }
    for (int b = std::max(1, e.min_bucket); b < kMaxBuckets; ++b) {  // a month end at min_bucket or worse
      hit += ns[static_cast<std::size_t>(b)];
      dhit += nd[static_cast<std::size_t>(b)];
      ns[static_cast<std::size_t>(b)] = nd[static_cast<std::size_t>(b)] = 0.0;
    }
    st = ns;
    dst = nd;
  }
  if (d_eta) *d_eta = dhit;
  return hit;
}

std::vector<ChainStart> chain_starts(const Population& pop, const BehaviourParams& bp) {
  std::vector<ChainStart> s(static_cast<std::size_t>(pop.size()));
  for (std::size_t i = 0; i < s.size(); ++i) {
    s[i].bucket = std::clamp<int>(pop.bucket[i], 0, kMaxBuckets - 1);
    s[i].due = pop.balance[i] > 0;
    s[i].risk = pop.risk[i];
    const double util = utilization_ppm(pop.balance[i], pop.limit[i]) * 1e-6;
    s[i].util_excess = std::min(util, 1.5) - bp.util_ref;
  }
  return s;
}

LabelFit fit_label_miss(const std::vector<ChainStart>& starts, const std::vector<std::int8_t>& label, const LabelEvent& e,
                        BehaviourParams& bp, bool fit_util) {
  LabelFit f;
  std::vector<std::size_t> rows;
  for (std::size_t i = 0; i < starts.size(); ++i)
    if (label[i] == 0 || label[i] == 1) rows.push_back(i);
  f.rows = static_cast<std::int64_t>(rows.size());
  for (const std::size_t i : rows) f.events += label[i];
  if (f.rows == 0 || f.events == 0 || f.events == f.rows) {
    f.failure = f.rows == 0 ? "no labelled customers" : (f.events == 0 ? "no label 1" : "only label 1");
    return f;
  }
  f.observed = static_cast<double>(f.events) / static_cast<double>(f.rows);
  const int k = fit_util ? 3 : 2;
  const auto K = static_cast<std::size_t>(k);
  const std::size_t blocks = (rows.size() + kBlock - 1) / kBlock;
  // Log-likelihood, score and Fisher information at theta, summed block by block.
  auto evaluate = [&](const std::vector<double>& theta, double& ll, std::vector<double>* g, std::vector<double>* h) {
    BehaviourParams b = bp;
    b.miss_intercept = theta[0];
    b.miss_beta_risk = theta[1];
    if (fit_util) b.miss_beta_util = theta[2];
    std::vector<double> part(blocks * (1 + K + K * K), 0.0);
#pragma omp parallel for schedule(dynamic, 1)
    for (std::size_t blk = 0; blk < blocks; ++blk) {
      double* out = &part[blk * (1 + K + K * K)];
      const std::size_t end = std::min(rows.size(), (blk + 1) * kBlock);
      for (std::size_t r = blk * kBlock; r < end; ++r) {
        const ChainStart& s = starts[rows[r]];
        double dp = 0.0;
        const double p = std::clamp(horizon_probability(b, s, e, &dp), 1e-12, 1.0 - 1e-12);
        const bool y = label[rows[r]] == 1;
        out[0] += y ? std::log(p) : std::log1p(-p);
        const double x[3] = {1.0, s.risk, s.util_excess};
        const double w = (y ? 1.0 / p : -1.0 / (1.0 - p)) * dp;  // d ll / d eta
        const double info = dp * dp / (p * (1.0 - p));
        for (std::size_t a = 0; a < K; ++a) {
          out[1 + a] += w * x[a];
          for (std::size_t c = 0; c < K; ++c) out[1 + K + a * K + c] += info * x[a] * x[c];
        }
      }
    }
    ll = 0.0;
    if (g) g->assign(K, 0.0);
    if (h) h->assign(K * K, 0.0);
    for (std::size_t blk = 0; blk < blocks; ++blk) {
      const double* in = &part[blk * (1 + K + K * K)];
      ll += in[0];
      for (std::size_t a = 0; a < K; ++a) {
        if (g) (*g)[a] += in[1 + a];
        for (std::size_t c = 0; c < K; ++c)
          if (h) (*h)[a * K + c] += in[1 + K + a * K + c];
      }
    }
  };
  std::vector<double> theta = {bp.miss_intercept, bp.miss_beta_risk, bp.miss_beta_util};
  theta.resize(K);
  std::vector<double> g, h, step, trial(K);
  double ll = 0.0;
  evaluate(theta, ll, &g, &h);
  bool converged = false;
  for (int it = 1; it <= kMaxIterations && !converged; ++it) {
    if (!cholesky_solve(h, k, g, step)) {
      f.failure = "the information matrix is singular (no customer's event depends on the miss probability?)";
      return f;
    }
    double scale = 1.0, ll_new = 0.0;
    for (int halvings = 0;; ++halvings, scale *= 0.5) {
      for (std::size_t a = 0; a < K; ++a) trial[a] = theta[a] + scale * step[a];
      evaluate(trial, ll_new, nullptr, nullptr);
      if (std::isfinite(ll_new) && ll_new >= ll - 1e-12 * (1.0 + std::fabs(ll))) break;
      if (halvings == 40) {
        f.failure = "Fisher scoring stopped increasing the likelihood";
        return f;
      }
    }
    double largest = 0.0;
    for (std::size_t a = 0; a < K; ++a) largest = std::max(largest, std::fabs(trial[a] - theta[a]));
    theta = trial;
    f.iterations = it;
    converged = largest < 1e-8;
    evaluate(theta, ll, &g, &h);
  }
  if (!converged) {
    f.failure = "no convergence in " + std::to_string(kMaxIterations) + " iterations";
    return f;
  }
  // Standard errors: the diagonal of the inverse Fisher information.
  std::vector<double> se(K), unused, cov;
  if (!cholesky_solve(h, k, g, unused, &cov)) {
    f.failure = "the information matrix is singular at the estimate";
    return f;
  }
  for (std::size_t a = 0; a < K; ++a) se[a] = std::sqrt(std::max(0.0, cov[a * K + a]));
  for (const double t : theta)
    if (!std::isfinite(t) || std::fabs(t) > 30.0) {
      f.failure = "a coefficient ran past +-30 on the logit scale (separation)";
      return f;
    }
  f.ok = true;
  f.intercept = {theta[0], se[0]};
  f.beta_risk = {theta[1], se[1]};
  if (fit_util) f.beta_util = {theta[2], se[2]};
  bp.miss_intercept = theta[0];
  bp.miss_beta_risk = theta[1];
  if (fit_util) bp.miss_beta_util = theta[2];
  double sum = 0.0;
  for (const std::size_t i : rows) sum += horizon_probability(bp, starts[i], e);
  f.predicted = sum / static_cast<double>(f.rows);
  return f;
}

std::vector<int> fit_label_cures(const std::vector<ChainStart>& starts, const std::vector<std::int8_t>& label,
                                 const LabelEvent& e, BehaviourParams& bp, std::vector<std::string>& notes) {
  std::vector<int> set;
  for (int b = 1; b < kMaxBuckets; ++b) {
    std::vector<std::size_t> rows;
    double events = 0.0;
    for (std::size_t i = 0; i < starts.size(); ++i) {
      if (starts[i].bucket != b || !starts[i].due || (label[i] != 0 && label[i] != 1)) continue;
      rows.push_back(i);
      events += label[i];
    }
    if (static_cast<std::int64_t>(rows.size()) < kCalibrationMinTrials) continue;
    const double target = events / static_cast<double>(rows.size());
    auto mean_p = [&](double cure) {
      BehaviourParams t = bp;
      t.cure[b] = cure;
      double sum = 0.0;
      for (const std::size_t i : rows) sum += horizon_probability(t, starts[i], e);
      return sum / static_cast<double>(rows.size());
    };
    // The chain's probability falls as cure rises; the partial cures keep their share of the months without a roll.
    double lo = 0.0, hi = std::max(0.0, 1.0 - bp.roll[b] - bp.partial_cure[b] - bp.partial_cure_two[b]);
    const double p_lo = mean_p(lo), p_hi = mean_p(hi);
    double cure = 0.0;
    if (target >= p_lo) {
      cure = lo;
    } else if (target <= p_hi) {
      cure = hi;
    } else {
      for (int it = 0; it < 60; ++it) {
        const double mid = 0.5 * (lo + hi);
        (mean_p(mid) > target ? lo : hi) = mid;
      }
      cure = 0.5 * (lo + hi);
    }
    notes.push_back("cure " + calib::bucket_name(b) + " fitted to the label: " + calib::fmt("%.4f", cure) + " (was " +
                    calib::fmt("%.4f", bp.cure[b]) + "), so that its " + calib::fmt_int(static_cast<std::int64_t>(rows.size())) +
                    " customers with an amount due reach the event at " + calib::fmt("%.2f", 100.0 * mean_p(cure)) +
                    "% (observed " + calib::fmt("%.2f", 100.0 * target) + "%)");
    bp.cure[b] = cure;
    set.push_back(b);
  }
  return set;
}

LabelEvent label_event(const Mapping& m) { return {m.label_horizon, m.label_min_bucket}; }

LabelFit apply_label_fit(Calibration& c, const Panel& p, std::int32_t as_of, const PopulationConfig& pc,
                         const LabelEvent& e, const std::vector<char>* rows_used) {
  if (p.label.empty()) throw ConfigError(p.source + ": fitting to the label needs a label column (fields.label)");
  BehaviourParams& bp = c.behaviour.params;
  std::vector<std::int64_t> rows;
  const Population pop = population_from_panel(p, as_of, pc, bp, &rows);
  std::vector<std::int8_t> label(rows.size());
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const auto i = static_cast<std::size_t>(rows[k]);
    label[k] = (!rows_used || (*rows_used)[i]) ? p.label[i] : std::int8_t{-1};
  }
  // The miss regression, then the cure rates, then the miss regression once more on those cures.
  const std::vector<ChainStart> starts = chain_starts(pop, bp);
  BehaviourParams trial = bp;
  LabelFit f = fit_label_miss(starts, label, e, trial);
  std::vector<std::string> cure_notes;
  std::vector<int> cures;
  if (f.ok) {
    cures = fit_label_cures(starts, label, e, trial, cure_notes);
    if (!cures.empty()) f = fit_label_miss(starts, label, e, trial);
  }
  const std::string event = "a month end at " + calib::bucket_name(e.min_bucket < kMaxBuckets ? e.min_bucket : 6) +
                            (e.min_bucket < kMaxBuckets ? " DPD or worse" : " then a charge-off") + ", or a charge-off, within " +
                            std::to_string(e.horizon) + " month" + (e.horizon == 1 ? "" : "s");
  if (!f.ok) {
    c.notes.push_back("label fit failed (" + f.failure + "); the miss regression is kept as it was");
    return f;
  }
  bp = trial;
  c.behaviour.miss_probability = logistic(f.intercept.value);
  bp.miss_intercept = logit(c.behaviour.miss_probability);
  for (const int b : cures) {
    const std::string k = "delinquency.cure[" + std::to_string(b - 1) + "]";
    if (std::find(c.estimated.begin(), c.estimated.end(), k) == c.estimated.end()) c.estimated.push_back(k);
  }
  for (const char* k : {"delinquency.miss_probability", "delinquency.miss_beta_risk", "delinquency.miss_beta_util"})
    if (std::find(c.estimated.begin(), c.estimated.end(), k) == c.estimated.end()) c.estimated.push_back(k);
  c.notes.push_back("the miss regression is fitted to the label (" + event + " after " +
                    (p.month_names.empty() ? std::string("the snapshot") : p.month_names[static_cast<std::size_t>(as_of)]) +
                    "), not to the monthly transitions: " + calib::fmt_int(f.rows) + " customers, " +
                    calib::fmt_int(f.events) + " with label 1; intercept " + calib::fmt("%.4f", f.intercept.value) + " (se " +
                    calib::fmt("%.4f", f.intercept.se) + "), b_risk " + calib::fmt("%.4f", f.beta_risk.value) + " (se " +
                    calib::fmt("%.4f", f.beta_risk.se) + "), b_util " + calib::fmt("%.4f", f.beta_util.value) + " (se " +
                    calib::fmt("%.4f", f.beta_util.se) + "); the model's chain then gives " +
                    calib::fmt("%.2f", 100.0 * f.predicted) + "% against " + calib::fmt("%.2f", 100.0 * f.observed) +
                    "% observed");
  c.notes.insert(c.notes.end(), cure_notes.begin(), cure_notes.end());
  return f;
}

Calibration snapshot_calibration(const Panel& p, const BehaviourConfig& base, const PopulationConfig& pc) {
  Calibration c;
  c.data_file = p.source;
  c.data_sha256 = p.sha256;
  c.customers = p.size();
  c.limitsim_version = std::string(LIMITSIM_VERSION) + "+" + LIMITSIM_GIT_COMMIT;
  c.behaviour = base;
  c.chargeoff_bucket = std::clamp(base.params.chargeoff_bucket, 1, kMaxBuckets - 1);
  c.score_mean = pc.score_mean;
  c.score_sd = pc.score_sd;
  c.util_ref = base.params.util_ref;
  c.notes.push_back("a snapshot has no monthly transitions: roll, cure, the roll regression and spending keep the base "
                    "values");
  return c;
}

}  // namespace limitsim
