// Behaviour features and scorecard scores of panel rows (features.hpp).
#include "src/data/features.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace limitsim {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Utilization as a feature: balance / limit, clamped to [-0.5, 1.5] (no line: 1.5 when something is owed).
double util(std::int64_t balance, std::int64_t limit) {
  if (limit <= 0) return balance > 0 ? 1.5 : 0.0;
  return std::clamp(static_cast<double>(balance) / static_cast<double>(limit), -0.5, 1.5);
}

}  // namespace

void behaviour_features(const Panel& p, std::int64_t i, std::int32_t a, double* out) {
  std::fill(out, out + kBehaviourFeatureCount, kNaN);
  const auto row = static_cast<std::size_t>(i);
  const double months = static_cast<double>(a + 1);
  if (!p.bucket.empty()) {
    int worst = 0, past_due = 0, over30 = 0;
    for (std::int32_t t = 0; t <= a; ++t) {
      const int b = std::max<int>(0, p.bucket[p.at(i, t)]);  // charged off = kChargedOffBucket = 7
      worst = std::max(worst, b);
      past_due += b >= 1;
      over30 += b >= 2;
    }
    out[kFeatStatusLast] = std::max<int>(0, p.bucket[p.at(i, a)]);
    out[kFeatStatusMax] = worst;
    out[kFeatSharePastDue] = past_due / months;
    out[kFeatShare31Plus] = over30 / months;
  }
  if (!p.type.empty()) {
    int typed = 0, inactive = 0, transactor = 0;
    for (std::int32_t t = 0; t <= a; ++t) {
      const UsageType u = p.type[p.at(i, t)];
      typed += u != UsageType::kNone;
      inactive += u == UsageType::kInactive;
      transactor += u == UsageType::kTransactor;
    }
    out[kFeatShareInactive] = typed ? static_cast<double>(inactive) / typed : 0.0;
    out[kFeatShareTransactor] = typed ? static_cast<double>(transactor) / typed : 0.0;
  }
  const std::int64_t limit = p.limit[row];
  if (!p.balance.empty()) {
    double sum = 0.0;
    for (std::int32_t t = 0; t <= a; ++t) sum += util(p.balance[p.at(i, t)], limit);
    out[kFeatUtilLast] = util(p.balance[p.at(i, a)], limit);
    out[kFeatUtilMean] = sum / months;
    out[kFeatUtilTrend] = a > 0 ? (out[kFeatUtilLast] - util(p.balance[p.at(i, 0)], limit)) / a : 0.0;
  }
  if (!p.payment.empty()) {
    double paid = 0.0;
    for (std::int32_t t = 0; t <= a; ++t) paid += static_cast<double>(p.payment[p.at(i, t)]);
    out[kFeatLogPaymentMean] = std::log1p(std::max(0.0, paid / months / 100.0));
    if (!p.balance.empty()) {
      int due = 0, min_payer = 0, full = 0;
      double ratio = 0.0;
      for (std::int32_t t = 1; t <= a; ++t) {
        const std::int64_t prev = p.balance[p.at(i, t - 1)];
        if (prev <= 0) continue;
        const double r = static_cast<double>(p.payment[p.at(i, t)]) / static_cast<double>(prev);
        ++due;
        ratio += std::min(r, 1.0);
        min_payer += r < kMinPayerRatio;
        full += r >= 1.0;
      }
      out[kFeatPayRatioMean] = due ? ratio / due : 1.0;
      out[kFeatShareMinPayer] = due ? static_cast<double>(min_payer) / due : 0.0;
      out[kFeatShareFullPayer] = due ? static_cast<double>(full) / due : 0.0;
    }
  }
  out[kFeatLogLimit] = std::log1p(std::max(0.0, static_cast<double>(limit) / 100.0));
  if (p.income_observed) out[kFeatLogIncome] = std::log1p(std::max(0.0, static_cast<double>(p.income[row]) / 100.0));
}

std::array<bool, kBehaviourFeatureCount> available_features(const Panel& p) {
  std::array<bool, kBehaviourFeatureCount> ok{};
  if (p.size() == 0) return ok;
  std::array<double, kBehaviourFeatureCount> x{};
  behaviour_features(p, 0, p.months - 1, x.data());
  for (int k = 0; k < kBehaviourFeatureCount; ++k) ok[static_cast<std::size_t>(k)] = !std::isnan(x[static_cast<std::size_t>(k)]);
  // Types: only when some status code states one.
  bool typed = false;
  for (const UsageType u : p.type) {
    if (u != UsageType::kNone) {
      typed = true;
      break;
    }
  }
  ok[kFeatShareInactive] = ok[kFeatShareInactive] && typed;
  ok[kFeatShareTransactor] = ok[kFeatShareTransactor] && typed;
  // A one-month panel (a snapshot) has no history: its status, utilization and
  // payment say only what the last month's do.
  if (p.months < 2) {
    ok[kFeatStatusMax] = ok[kFeatSharePastDue] = ok[kFeatShare31Plus] = false;
    ok[kFeatUtilMean] = ok[kFeatUtilTrend] = false;
    ok[kFeatPayRatioMean] = ok[kFeatShareMinPayer] = ok[kFeatShareFullPayer] = false;
  }
  return ok;
}

std::vector<int> scorecard_columns(const Panel& p, const Scorecard& s) {
  std::vector<int> index;
  for (const std::string& c : s.columns()) {
    const auto it = std::find(p.feature_columns.begin(), p.feature_columns.end(), c);
    if (it == p.feature_columns.end())
      throw ConfigError(p.source + ": the scorecard " + s.source + " reads column '" + c + "', which the panel did not keep");
    index.push_back(static_cast<int>(it - p.feature_columns.begin()));
  }
  return index;
}

double scorecard_risk(const Panel& p, const Scorecard& s, const std::vector<int>& columns, std::int64_t i,
                      std::int32_t a) {
  std::array<double, kBehaviourFeatureCount> x{};
  behaviour_features(p, i, a, x.data());
  std::vector<double> c(columns.size());
  const std::size_t k = p.feature_columns.size();
  for (std::size_t j = 0; j < columns.size(); ++j)
    c[j] = static_cast<double>(p.features[static_cast<std::size_t>(i) * k + static_cast<std::size_t>(columns[j])]);
  return (scorecard_eta(s, x.data(), c.data()) - s.eta_mean) / s.eta_sd;
}

float score_at(const Panel& p, std::int64_t i, std::int32_t t) {
  if (!p.scorecard) return p.score[static_cast<std::size_t>(i)];
  const double risk = scorecard_risk(p, *p.scorecard, scorecard_columns(p, *p.scorecard), i, t);
  return static_cast<float>(std::clamp(p.score_mean - p.score_sd * risk, 350.0, 950.0));
}

std::vector<float> scores_at(const Panel& p, std::int32_t t) {
  const std::size_t n = static_cast<std::size_t>(p.size());
  if (!p.scorecard) return p.score;
  std::vector<float> out(n);
  const std::vector<int> columns = scorecard_columns(p, *p.scorecard);
  const Scorecard& s = *p.scorecard;
#pragma omp parallel for schedule(static)
  for (std::size_t i = 0; i < n; ++i) {
    const double risk = scorecard_risk(p, s, columns, static_cast<std::int64_t>(i), t);
    out[i] = static_cast<float>(std::clamp(p.score_mean - p.score_sd * risk, 350.0, 950.0));
  }
  return out;
}

}  // namespace limitsim
