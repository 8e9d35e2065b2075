// Behaviour features of a panel's customers (src/config/scorecard.hpp lists
// them; docs/calibration.md "The behaviour score" defines them), and the score
// of any panel month when it comes from a scorecard. The loader, the
// population and calibration read scores through score_at, so a scorecard's
// score never uses months after the one it is asked for.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "src/config/scorecard.hpp"
#include "src/data/panel.hpp"

namespace limitsim {

// The features of panel row i as of month a (0-based: its months 0..a), by
// BehaviourFeature; NaN where the panel lacks what a feature needs.
void behaviour_features(const Panel& p, std::int64_t i, std::int32_t a, double* out);

// The features this panel gives (the others are NaN for every row).
std::array<bool, kBehaviourFeatureCount> available_features(const Panel& p);

// The panel's kept column values of row i, in the order of s.columns() (NaN = NA).
// index: s.columns()'s positions in p.feature_columns (scorecard_columns).
std::vector<int> scorecard_columns(const Panel& p, const Scorecard& s);

// The scorecard's risk of row i as of month a: (eta - eta_mean) / eta_sd.
double scorecard_risk(const Panel& p, const Scorecard& s, const std::vector<int>& columns, std::int64_t i,
                      std::int32_t a);

// The score of row i at month t: with a scorecard (Panel::scorecard), the
// scorecard applied as of t, mapped onto the score scale and clamped to
// [350, 950]; otherwise the row's score (the same every month).
float score_at(const Panel& p, std::int64_t i, std::int32_t t);

// score_at for every row at month t (a whole column, in parallel).
std::vector<float> scores_at(const Panel& p, std::int32_t t);

}  // namespace limitsim
