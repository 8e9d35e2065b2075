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
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "src/analysis/calibrate.hpp"
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

struct BacktestReport {
  std::string data_file, data_sha256, mapping_file, config_file;
  std::int32_t paths = 0;
  std::uint64_t seed = 0;
  std::int64_t rows_skipped = 0;
  OutOfTime oot;
  LabelCheck label;
  Calibration calibration_oot, calibration_all;
  double seconds = 0.0;
};

// Area under the ROC curve of scores against 0/1 labels (Mann-Whitney, ties count half).
double auc(const std::vector<double>& score, const std::vector<std::int8_t>& label);

BacktestReport run_backtest(const BacktestOptions& opt);

// The report as Markdown (docs/backtest-uci.md is one) and as a short text for the terminal.
std::string backtest_markdown(const BacktestReport& r, const std::string& command);
std::string backtest_text(const BacktestReport& r);

}  // namespace limitsim
