// Scorecard files (docs/data.md "Scores from a scorecard", docs/calibration.md
// "The behaviour score"): a regularised logistic regression of a data file's
// outcome label on behaviour features, written by `limitsim calibrate
// --scorecard` (src/analysis/scorecard.cpp) and applied by the loader when a
// mapping says `score = { scorecard = "FILE" }`. Read and written here, with
// the other TOML files; src/data/features.cpp computes the features.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace limitsim {

// The behaviour features of a customer as of a panel month A, computed from its
// own months 0..A (src/data/features.cpp; docs/calibration.md lists their
// definitions). No demographic attribute is among them.
enum BehaviourFeature : int {
  kFeatStatusLast = 0,   // bucket at A (a charged-off status counts as 7)
  kFeatStatusMax,        // worst bucket over months 0..A
  kFeatSharePastDue,     // share of months 0..A past due (bucket >= 1)
  kFeatShare31Plus,      // share of months 0..A at 31+ days past due (bucket >= 2)
  kFeatShareInactive,    // share of the typed months 0..A typed inactive
  kFeatShareTransactor,  // ... typed transactor
  kFeatUtilLast,         // balance / limit at A, clamped to [-0.5, 1.5]
  kFeatUtilMean,         // mean of that over months 0..A
  kFeatUtilTrend,        // (util at A - util at 0) / A
  kFeatPayRatioMean,     // mean of min(payment_t / balance_t-1, 1) over months 1..A with balance_t-1 > 0
  kFeatShareMinPayer,    // share of those months paying less than 10% of the statement
  kFeatShareFullPayer,   // share of those months paying the statement in full
  kFeatLogPaymentMean,   // log(1 + mean payment of months 0..A, currency units)
  kFeatLogLimit,         // log(1 + limit, currency units)
  kFeatLogIncome,        // log(1 + monthly income, currency units); only with an income column
  kBehaviourFeatureCount
};
extern const std::array<const char*, kBehaviourFeatureCount> kBehaviourFeatureNames;

// A customer whose payment that month is below this share of the previous
// statement counts as a minimum payer (kFeatShareMinPayer).
constexpr double kMinPayerRatio = 0.10;

// One input of a scorecard: a behaviour feature or a column of the data file,
// winsorised to [lo, hi], NA replaced by fill (plus an NA indicator when the
// fit sample had NAs), then standardised.
struct ScorecardFeature {
  int behaviour = -1;          // a BehaviourFeature, or -1 for a column
  std::string column;          // the data file's column (behaviour < 0)
  double lo = 0.0, hi = 0.0;   // winsorising bounds: the 1% and 99% quantiles of the fit sample
  double fill = 0.0;           // value of an NA cell: the fit sample's median
  double mean = 0.0, sd = 1.0; // standardisation after winsorising
  double coef = 0.0;           // logit change per standard deviation
  bool has_na = false;         // the fit sample had NAs: na_coef applies to them
  double na_coef = 0.0;        // logit change of an NA (its indicator is not standardised)
  std::string name() const;    // the feature's name, or "column:X"
};

// Figures of the fit, recorded in the file (docs/calibration.md); the score does not use them.
struct ScorecardFit {
  std::int64_t rows = 0, events = 0;         // customers with a 0/1 label, and those with 1
  std::int32_t folds = 5;
  std::vector<double> penalties;             // the ridge penalties tried
  std::vector<double> cv_log_loss;           // mean out-of-fold log loss of each
  double auc = 0.0;                          // out of fold, at the chosen penalty
  double brier = 0.0;                        // out of fold
  double mean_predicted = 0.0;               // out of fold
  double observed = 0.0;                     // share with label 1
  // Out-of-fold calibration by decile of the predicted probability.
  std::vector<std::int64_t> decile_count;
  std::vector<double> decile_predicted, decile_observed;
};

struct Scorecard {
  std::string source;          // the file it was read from ("" when fitted in memory)
  std::string target;          // the label column it predicts
  std::string as_of;           // the panel month its features describe ("" for a snapshot)
  std::string data_file, data_sha256;  // what it was fitted on
  double intercept = 0.0;
  double penalty = 0.0;        // the ridge penalty chosen by cross-validation
  bool protected_attributes = false;  // a column named like a protected attribute was allowed in
  // The linear predictor eta over the fit sample: risk = (eta - eta_mean) / eta_sd.
  double eta_mean = 0.0, eta_sd = 1.0;
  std::vector<ScorecardFeature> features;
  ScorecardFit fit;

  // The data file's columns the score reads.
  std::vector<std::string> columns() const;
  // Whether a behaviour feature is used.
  bool uses(int behaviour) const;
};

// The linear predictor (log-odds of the label) of one customer: behaviour
// feature values indexed by BehaviourFeature, column values in the order of
// columns(); NaN is NA.
double scorecard_eta(const Scorecard& s, const double* behaviour, const double* columns);

// Column names that read as a protected attribute (sex, gender, marital status,
// age, race, ethnicity, religion, nationality, ...): matched on the name's
// words, case-insensitively ("age" and "AGE_YEARS" match, "percentage" does not).
bool protected_attribute_name(const std::string& column);

// Reads a scorecard file; errors name file, line, key and reason.
Scorecard load_scorecard(const std::string& path);

// The scorecard as a TOML file that load_scorecard reads back to the same doubles.
std::string scorecard_toml(const Scorecard& s, const std::string& header_comment);

}  // namespace limitsim
