// What the backtest's .cpp files share (backtest.cpp, backtest_label.cpp,
// backtest_report.cpp), used nowhere else: simulating a population with the
// real model code, spreads over paths, and text helpers of the reports.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "src/analysis/backtest.hpp"
#include "src/engine/trace.hpp"

namespace limitsim {
namespace backtest_detail {

// End states of a simulated month besides the buckets 0..6.
constexpr int kChargedOff = kMaxBuckets;
constexpr int kAttrited = kMaxBuckets + 1;

// Simulates `months` months of pop from its state with the run's first scenario
// and policy, on the run's paths and seed (the same keyed draws as `run`);
// fn is trace_customers' callback.
void simulate(const RunConfig& cfg, const BehaviourParams& bp, const Population& pop, int months, const TraceFn& fn);

// Each customer's probability over the paths of reaching the label's event
// (bucket >= min_bucket at a month end, or a charge-off, within horizon
// months), and the share of customers with it on each path.
void simulate_label(const RunConfig& cfg, const BehaviourParams& bp, const Population& pop, const LabelEvent& e,
                    std::vector<double>& probability, std::vector<double>& per_path);

// The q-quantile (type 7) of v.
double quantile(std::vector<double> v, double q);
// Mean and 5% / 95% quantiles over paths.
SimShare spread(const std::vector<double>& per_path);

// The figures of predicted probabilities against labels (AUC, Brier, deciles, calibration slope, aggregate);
// paths > 0: p are shares of that many simulated paths.
LabelPrediction judge(const std::string& name, const std::vector<double>& p, const std::vector<std::int8_t>& label,
                      int paths);

std::string pct(double share, int decimals = 1);
std::string fixed(double x, int decimals);
std::string window(const Panel& p, int first, int last);
// A path relative to the current directory when it lies under it (reports stay machine-independent).
std::string shown_path(const std::string& path);
// The Markdown tables of one prediction: the summary line, then the deciles.
std::string prediction_markdown(const LabelPrediction& m);

// The report's parts (backtest_report.cpp): the heading, what the label means,
// check 3 under a title, check 4, and their terminal lines.
std::string header_markdown(const BacktestReport& r, const std::string& command);
std::string label_meaning(const BacktestReport& r, const ScoreLabelCheck& c);
std::string score_label_markdown(const BacktestReport& r, const std::string& title);
std::string flow_markdown(const FlowCheck& f);
std::string score_label_text(const ScoreLabelCheck& c);
std::string flow_text(const FlowCheck& f);

}  // namespace backtest_detail
}  // namespace limitsim
