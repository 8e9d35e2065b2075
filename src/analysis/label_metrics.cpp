// Rank quality, accuracy and calibration of predicted probabilities against labels (label_metrics.hpp).
#include "src/analysis/label_metrics.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>

#include "kernels/special.hpp"
#include "src/analysis/calibrate.hpp"

namespace limitsim {

double auc(const std::vector<double>& score, const std::vector<std::int8_t>& label) {
  std::vector<std::pair<double, bool>> rows;
  for (std::size_t i = 0; i < score.size(); ++i)
    if (label[i] == 0 || label[i] == 1) rows.emplace_back(score[i], label[i] == 1);
  std::sort(rows.begin(), rows.end(),
            [](const std::pair<double, bool>& a, const std::pair<double, bool>& b) { return a.first < b.first; });
  double rank_sum = 0.0;  // of the positives
  std::int64_t pos = 0;
  const std::size_t n = rows.size();
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    while (j < n && rows[j].first == rows[i].first) ++j;
    const double mid_rank = 0.5 * static_cast<double>(i + 1 + j);  // ranks i+1 .. j share their mean
    for (std::size_t k = i; k < j; ++k)
      if (rows[k].second) {
        rank_sum += mid_rank;
        ++pos;
      }
    i = j;
  }
  const std::int64_t neg = static_cast<std::int64_t>(n) - pos;
  if (pos == 0 || neg == 0) return std::nan("");
  const double p = static_cast<double>(pos), q = static_cast<double>(neg);
  return (rank_sum - p * (p + 1.0) / 2.0) / (p * q);
}

double brier(const std::vector<double>& p, const std::vector<std::int8_t>& label) {
  double sum = 0.0;
  std::int64_t n = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (label[i] != 0 && label[i] != 1) continue;
    const double d = p[i] - label[i];
    sum += d * d;
    ++n;
  }
  return n > 0 ? sum / static_cast<double>(n) : std::nan("");
}

DecileTable deciles(const std::vector<double>& p, const std::vector<std::int8_t>& label) {
  std::vector<std::size_t> rows;
  for (std::size_t i = 0; i < p.size(); ++i)
    if (label[i] == 0 || label[i] == 1) rows.push_back(i);
  std::stable_sort(rows.begin(), rows.end(), [&](std::size_t a, std::size_t b) { return p[a] < p[b]; });
  DecileTable t;
  const std::size_t n = rows.size();
  t.count.assign(10, 0);
  t.predicted.assign(10, 0.0);
  t.observed.assign(10, 0.0);
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t g = k * 10 / n;
    ++t.count[g];
    t.predicted[g] += p[rows[k]];
    t.observed[g] += label[rows[k]];
  }
  for (std::size_t g = 0; g < 10; ++g) {
    if (t.count[g] == 0) continue;
    t.predicted[g] /= static_cast<double>(t.count[g]);
    t.observed[g] /= static_cast<double>(t.count[g]);
  }
  return t;
}

CalibrationSlope calibration_slope(const std::vector<double>& p, const std::vector<std::int8_t>& label) {
  std::vector<double> x;
  std::vector<std::uint8_t> y;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (label[i] != 0 && label[i] != 1) continue;
    x.push_back(1.0);
    x.push_back(logit(std::clamp(p[i], 1e-6, 1.0 - 1e-6)));
    y.push_back(static_cast<std::uint8_t>(label[i]));
  }
  CalibrationSlope c;
  const LogitFit f = fit_logistic(x, 2, y);
  if (!f.ok) return c;
  c.ok = true;
  c.intercept = f.coef[0].value;
  c.slope = f.coef[1].value;
  c.slope_se = f.coef[1].se;
  return c;
}

}  // namespace limitsim
