// The outcome label as an event of the model (docs/calibration.md "Fitting the
// miss regression to a label"): a customer's label is 1 when, within
// `horizon` months after the as-of month, it ends a month in bucket
// min_bucket or worse, or is charged off. horizon_probability is that
// event's probability under the model's delinquency chain (kernels/model.hpp
// step_month: miss from current, roll / cure / stay from past due, charge-off
// past chargeoff_bucket, attrition from current), with the starting
// utilization held fixed and a positive amount due after the first month;
// fit_label_miss fits the miss regression's intercept and slopes so that these
// probabilities match the labels by maximum likelihood. The simulation
// (backtest) then checks the fit with the full model.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kernels/params.hpp"
#include "src/analysis/calibrate.hpp"
#include "src/config/mapping.hpp"
#include "src/data/panel.hpp"
#include "src/data/population.hpp"

namespace limitsim {

struct LabelEvent {
  std::int32_t horizon = 1;     // months after the as-of month
  std::int32_t min_bucket = 1;  // the event: a month end in this bucket or worse, or a charge-off
};

// One customer's state at the as-of month, as the chain sees it.
struct ChainStart {
  int bucket = 0;          // 0..6
  bool due = true;         // a positive balance is due in the first month
  double risk = 0.0;
  double util_excess = 0.0;  // min(utilization, 1.5) - util_ref, held for the horizon
};

// P(event within the horizon); d_eta (when given) receives dP / d(miss log-odds).
double horizon_probability(const BehaviourParams& bp, const ChainStart& s, const LabelEvent& e, double* d_eta = nullptr);

// The chain starts of a population (bucket, balance due, risk, utilization of its opening state).
std::vector<ChainStart> chain_starts(const Population& pop, const BehaviourParams& bp);

struct LabelFit {
  bool ok = false;
  std::string failure;
  int iterations = 0;
  std::int64_t rows = 0, events = 0;
  Coef intercept, beta_risk, beta_util;  // of the miss regression (logit)
  double predicted = 0.0;                // mean chain probability at the estimate
  double observed = 0.0;                 // share with label 1
  // Added to the intercept afterwards so that the full simulation, whose utilization moves, matches the labels'
  // share (the backtest's correction over horizons past one month; 0 when not made).
  double intercept_shift = 0.0;
};

// Fits miss_intercept, miss_beta_risk and (when fit_util) miss_beta_util of bp
// to the labels (0/1; others ignored) of the starts, by Fisher scoring from
// bp's values. bp is updated only when the fit succeeds. Sums run in fixed
// blocks, so the result does not depend on the thread count.
LabelFit fit_label_miss(const std::vector<ChainStart>& starts, const std::vector<std::int8_t>& label, const LabelEvent& e,
                        BehaviourParams& bp, bool fit_util = true);

// Sets cure[b] of each past-due bucket b with at least kCalibrationMinTrials
// labelled customers starting in b with an amount due, so that the chain's
// mean probability over them equals their share with label 1 (bisection over
// cure[b] in [0, 1 - roll[b]]); the event's persistence is then the label's,
// not the transitions'. Returns the buckets set, and one note for each.
std::vector<int> fit_label_cures(const std::vector<ChainStart>& starts, const std::vector<std::int8_t>& label,
                                 const LabelEvent& e, BehaviourParams& bp, std::vector<std::string>& notes);

// The event of a mapping's [label] (the defaults, 1 month and bucket 1, when it has none).
LabelEvent label_event(const Mapping& m);

// Refits the miss regression (and, by fit_label_cures, the cure rates of the
// past-due buckets) of c's behaviour to the panel's labels, from each
// customer's state at panel month as_of (the population built from it, with
// the scores of that month), and records the fit in c: the keys it set
// (estimated), the figures (notes). Only the labels of the panel rows marked
// in `rows` (when given) take part. Returns the fit; on failure c is unchanged
// but for a note.
LabelFit apply_label_fit(Calibration& c, const Panel& p, std::int32_t as_of, const PopulationConfig& pc,
                         const LabelEvent& e, const std::vector<char>* rows = nullptr);

// A calibration of a snapshot (no monthly transitions): provenance and the
// base behaviour, for apply_label_fit to fill in.
Calibration snapshot_calibration(const Panel& p, const BehaviourConfig& base, const PopulationConfig& pc);

}  // namespace limitsim
