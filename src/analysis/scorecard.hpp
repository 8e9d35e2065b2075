// A behaviour score learned from the data (docs/calibration.md "The behaviour
// score"): a ridge-regularised logistic regression of a panel's (or a
// snapshot's) outcome label on behaviour features and offered columns, its
// penalty chosen by k-fold cross-validation with folds fixed by a hash of the
// customer id, so the fit does not depend on row order or thread count. The
// result is a Scorecard (src/config/scorecard.hpp) that calibrate writes and a
// mapping can use as every customer's score.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "src/config/scorecard.hpp"
#include "src/data/panel.hpp"

namespace limitsim {

struct ScorecardOptions {
  std::int32_t as_of = -1;      // the panel month the behaviour features describe; -1 = the last
  std::int32_t folds = 5;       // cross-validation folds (2..20)
  // Ridge penalties tried: the mean log-likelihood is penalised by penalty/2 x the sum of squared standardised
  // coefficients (not the intercept).
  std::vector<double> penalties = {1e-5, 1e-4, 1e-3, 1e-2, 1e-1};
  bool protected_attributes = false;  // accept columns named like a protected attribute
  // Rows the fit may use (1); empty = every row. Only rows with a 0/1 label take part.
  std::vector<char> rows;
};

struct ScorecardResult {
  Scorecard card;               // fitted on every usable row at the chosen penalty
  std::vector<double> oof_eta;  // per panel row: the out-of-fold log-odds (NaN where the row took no part)
  std::vector<int> fold;        // per panel row: its fold, or -1 where it took no part
};

// The fold of a customer: a hash (splitmix64) of its id modulo folds.
int fold_of(std::uint64_t id, int folds);

// Fits the scorecard. Throws ConfigError when the panel has no label, fewer
// than 2 x folds labelled rows, only one outcome, or no usable input.
ScorecardResult fit_scorecard(const Panel& p, const ScorecardOptions& o);

// The scorecard's inputs, coefficients and fit figures as text.
std::string scorecard_report(const Scorecard& s);

}  // namespace limitsim
