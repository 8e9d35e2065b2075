// How well predicted probabilities match 0/1 outcome labels: rank quality
// (AUC), accuracy (Brier score), calibration by decile and the calibration
// slope. Shared by the scorecard's cross-validation (scorecard.cpp) and the
// backtests (backtest.cpp, backtest_snapshot.cpp). Rows whose label is not 0
// or 1 take no part.
#pragma once

#include <cstdint>
#include <vector>

namespace limitsim {

// Area under the ROC curve of scores against 0/1 labels (Mann-Whitney, ties count half); NaN without both classes.
double auc(const std::vector<double>& score, const std::vector<std::int8_t>& label);

// Mean of (p - y)^2.
double brier(const std::vector<double>& p, const std::vector<std::int8_t>& label);

// Predicted and observed rates by decile of the predicted probability (rows
// sorted by p, cut into 10 groups of equal size up to one row; ties keep
// their row order).
struct DecileTable {
  std::vector<std::int64_t> count;
  std::vector<double> predicted, observed;
};
DecileTable deciles(const std::vector<double>& p, const std::vector<std::int8_t>& label);

// The logistic recalibration logit P(y = 1) = a + b logit(p): b (the
// calibration slope) is 1 and a 0 for calibrated probabilities; b < 1 means
// too extreme, b > 1 too timid. p is clamped to [1e-6, 1 - 1e-6]. ok is false
// when the fit fails (one class only, or a constant p).
struct CalibrationSlope {
  bool ok = false;
  double intercept = 0.0, slope = 0.0, slope_se = 0.0;
};
CalibrationSlope calibration_slope(const std::vector<double>& p, const std::vector<std::int8_t>& label);

}  // namespace limitsim
