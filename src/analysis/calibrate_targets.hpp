// limitsim calibrate --targets: behaviour parameters fitted to aggregate target rates (charge-offs, overdue
// shares, utilization, payment rate, revenue yield) by simulation on common random numbers with a
// deterministic optimiser (docs/calibration.md, "Calibration to aggregate targets").
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "src/config/config.hpp"
#include "src/config/targets.hpp"
#include "src/engine/results.hpp"

namespace limitsim {

// A figure over paths: the mean of the per-path values and its standard error (the Monte Carlo error).
struct FigureValue {
  double value = 0.0, se = 0.0;
};

// The figure of a target or check on a run's results: scenario `scenario` (and, for ratios, the first
// scenario), the first policy, months [first_month, last_month].
FigureValue target_figure(const RunResults& r, const CalibrationTarget& t, int scenario);

struct TargetResult {
  CalibrationTarget target;
  FigureValue reached;
  double parameter = 0.0;     // fitted targets: the value (or scale) fitted
  bool within = false;        // reached lies in the band (targets: value +- tolerance)
  bool capped = false;        // an array entry was capped at the room left by the other shares
  std::string note;           // e.g. "unreachable: at the upper bound 1.5"
};

struct TargetFit {
  TargetsConfig config;
  BehaviourConfig behaviour;  // the base with the fitted values
  std::string policy;         // the run's first policy, simulated
  std::vector<std::string> scenarios;
  std::vector<TargetResult> results;  // targets, then checks
  std::int32_t evaluations = 0;       // simulations run while fitting
  std::int32_t sweeps = 0;            // passes made
  bool converged = false;             // every target reached
};

// Simulates a run configuration (the CLI passes its backend).
using Simulate = std::function<RunResults(const RunConfig&)>;
// Progress lines while fitting (may be empty).
using FitLog = std::function<void(const std::string&)>;

// Fits the [[target]]s' parameters together: damped Newton steps on the residuals in tolerances,
// (figure - target) / tolerance, within the parameters' bounds, with a forward-difference Jacobian at
// the start of each of at most `sweeps` passes, updated by Broyden's rule after every step; a step that
// does not lower the largest residual is halved. It stops when every target is within its tolerance or
// `evaluations` simulations are spent. Every simulation uses the same seed (common random numbers), so
// the fit is deterministic. The fitted values are rounded to 4 significant digits, and the behaviour
// so written is simulated on every scenario of the run for the report.
TargetFit fit_targets(const TargetsConfig& tc, const BehaviourConfig& base, const Simulate& simulate,
                      const FitLog& log = {});

// The table of targets and checks: figure, months, scenario, target or band, value reached, MC error,
// status, source; then the fitted parameters.
std::string targets_report(const TargetFit& f);

// The behaviour file: the base file's comments kept key by key, a header recording the command and the
// table of targets, and every [behaviour.*] key with the fitted values.
std::string targets_behaviour_toml(const TargetFit& f, const std::string& base_text, const std::string& command,
                                   const std::string& created, const std::string& version);

}  // namespace limitsim
