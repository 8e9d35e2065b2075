// limitsim backtest: the calibrated model against what really happened on a
// real monthly panel (docs/backtest-uci.md is its report on the UCI data).
//
//  1. Out of time: calibrate on every panel month but the last, simulate the
//     last month from the state one month before it, and compare the simulated
//     bucket distribution with the observed one.
//  2. The label: calibrate on every panel month, simulate the month after the
//     panel from its last state, and compare each customer's simulated
//     probability of being delinquent (or charged off) then with the data's
//     outcome label: the share overall and by last status, and the rank
//     quality (AUC).
//  3. The label with the behaviour score, out of fold: per fold of customers,
//     a scorecard fitted on the other folds' labels is every customer's risk;
//     the model is calibrated on the transitions, and once more with its miss
//     regression fitted to the other folds' labels (label_horizon.hpp); the
//     fold is simulated through the label's horizon. AUC, Brier score,
//     calibration by decile and slope, and the aggregate against the label.
//  4. Balances and payments: from the first panel month, the model's monthly
//     totals against the observed ones.
// A snapshot (a mapping without a [panel]) has no transitions: its backtest
// is check 3 alone, with the label's horizon and
// definition taken from the mapping's [label].
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "src/analysis/calibrate.hpp"
#include "src/analysis/label_horizon.hpp"
#include "src/analysis/label_metrics.hpp"
#include "src/config/scorecard.hpp"
#include "src/config/config.hpp"
#include "src/data/panel.hpp"

namespace limitsim {

struct BacktestOptions {
  std::string config;          // run file with a file population (data + mapping), the base behaviour and one policy
  std::int32_t paths = 0;      // 0 = the run file's
  std::uint64_t seed = 0;      // used when has_seed
  bool has_seed = false;
  std::int32_t threads = 0;    // 0 = the run file's
  std::string on_bad_row;      // "" = the run file's
  std::int32_t folds = 5;      // cross-fitting folds of the behaviour-score checks
};

// A share of customers with its spread over paths.
struct SimShare {
  double mean = 0.0;           // mean over paths (weighted when importance sampling is on)
  double lo = 0.0, hi = 0.0;   // 5% and 95% quantiles over paths
};

struct OutOfTime {
  std::string calibrated_on;   // "2005-04 .. 2005-08"
  std::string from_month, to_month;
  std::int64_t customers = 0;
  std::int64_t charged_off_before = 0;                         // charged off by from_month: not simulated
  // Customers per end state in to_month: buckets 0..6, then charged off.
  std::array<std::int64_t, kMaxBuckets + 1> observed{};
  std::array<SimShare, kMaxBuckets + 1> simulated{};           // simulated share per end state
  // Rows: bucket in from_month; columns: observed / simulated share delinquent (bucket >= 1) in to_month.
  std::array<std::int64_t, kMaxBuckets> from_count{};
  std::array<double, kMaxBuckets> from_observed_delinquent{};
  std::array<double, kMaxBuckets> from_simulated_delinquent{};
  double total_variation = 0.0;  // 0.5 x sum |observed share - simulated mean share|
};

struct LabelGroup {
  std::string name;            // e.g. "status -1"
  std::int64_t customers = 0;
  double observed = 0.0;       // share with label 1
  double predicted = 0.0;      // mean predicted probability
};

struct LabelCheck {
  std::string calibrated_on;
  std::string from_month;
  std::int64_t customers = 0;
  std::int64_t charged_off_before = 0;  // charged off by from_month: not simulated, not counted
  double observed = 0.0;       // share with label 1
  SimShare predicted;          // share predicted delinquent in the month after
  std::vector<LabelGroup> by_status;
  double auc = 0.0;            // of each customer's predicted probability against the label
  double auc_last_bucket = 0.0;// benchmark: the last month's bucket alone
  double auc_score = 0.0;      // benchmark: the score proxy alone (lower score = riskier)
};

// Predicted probabilities of the label from one model, judged against it.
struct LabelPrediction {
  std::string name;            // what the probabilities come from
  std::int64_t customers = 0;  // with a 0/1 label
  double observed = 0.0;       // share with label 1
  SimShare predicted;          // mean probability; the band is over paths where simulated
  double auc = 0.0, brier = 0.0;
  CalibrationSlope slope;
  DecileTable deciles;
  std::vector<LabelGroup> by_status;  // by the last month's status code (panels)
  // The same among the customers with an amount due at the start (the model acts on them from the first month).
  std::int64_t due_customers = 0;
  double due_observed = 0.0, due_predicted = 0.0, due_auc = 0.0;
};

// Check 3 (and the snapshot backtest): the label predicted out of fold with the behaviour score.
struct ScoreLabelCheck {
  bool done = false;
  std::string from_month;      // the as-of month ("" for a snapshot)
  LabelEvent event;
  std::int32_t folds = 0;
  std::int64_t customers = 0;
  double observed = 0.0;
  Scorecard card;              // fitted on every customer: its inputs and coefficients (the checks use the folds')
  LabelPrediction scorecard;   // the scorecard's own out-of-fold probabilities
  std::vector<LabelPrediction> models;  // the model simulated, one entry per calibration
  std::vector<LabelFit> label_fits;     // per fold: the miss regression fitted to the other folds' labels
  double chain_predicted = 0.0;         // mean of the chain's probabilities at those fits (label_horizon.hpp)
  std::int64_t nothing_due = 0;         // customers with no amount due in the first month ...
  double nothing_due_observed = 0.0;    // ... and their share with label 1
};

// Check 4: monthly balance and payment totals.
struct FlowCheck {
  bool done = false;
  std::string calibrated_on, from_month;
  std::int64_t customers = 0;
  std::vector<std::string> months;                       // the simulated months
  std::vector<double> observed_balance, observed_payment;  // currency units, over the customers
  std::vector<SimShare> simulated_balance, simulated_payment;
  double observed_start_balance = 0.0;
};

struct BacktestReport {
  std::string data_file, data_sha256, mapping_file, config_file;
  std::string label_column;    // the mapping's fields.label
  std::int32_t paths = 0;
  std::uint64_t seed = 0;
  std::int64_t rows_skipped = 0;
  bool snapshot = false;       // the data has no panel: only the label's check with the score
  OutOfTime oot;
  LabelCheck label;
  ScoreLabelCheck score_label;
  FlowCheck flows;
  Calibration calibration_oot, calibration_all;
  double seconds = 0.0;
};

BacktestReport run_backtest(const BacktestOptions& opt);

// Check 3 on a loaded panel (or snapshot), its customers as of month as_of
// (used by run_backtest; the config's months must cover the label's horizon).
ScoreLabelCheck score_label_check(const RunConfig& cfg, Panel& panel, std::int32_t as_of, const LabelEvent& e,
                                  std::int32_t folds, bool allow_protected);

// Check 4 on a loaded panel.
FlowCheck flow_check(const RunConfig& cfg, const Panel& panel, const Calibration& calibration);

// The report as Markdown (docs/backtest-uci.md is one) and as a short text for the terminal.
std::string backtest_markdown(const BacktestReport& r, const std::string& command);
std::string backtest_text(const BacktestReport& r);

}  // namespace limitsim
