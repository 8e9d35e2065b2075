// A calibration targets file (`limitsim calibrate --targets`, docs/calibration.md): the aggregate rates a
// behaviour must reproduce, the behaviour parameter that is fitted to each, the figures only checked, and the
// run (population, policy, scenarios) they are simulated on. Also the behaviour parameters such a file may
// name, and how a value is set on a behaviour.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "src/config/config.hpp"

namespace limitsim {

// The figures a target or check may name (docs/calibration.md, "Figures"): name and what it is.
struct TargetFigureInfo {
  const char* name;
  const char* what;
  bool ratio_to_first_scenario;  // a ratio of a scenario to the run's first scenario
};
const std::vector<TargetFigureInfo>& target_figures();

// The behaviour parameters a target may fit: a number key, or an array key whose entries
// [first, last] (1-based, the file's positions) are multiplied by one fitted scale.
struct ParameterInfo {
  const char* key;  // dotted key inside [behaviour], e.g. "delinquency.miss_probability"
  bool array;
  double lo, hi;    // the key's allowed range (numbers), or of the scale (arrays)
};
const std::vector<ParameterInfo>& calibration_parameters();

struct CalibrationParameter {
  std::string key;
  std::int32_t first_entry = 0, last_entry = 0;  // arrays only (1-based, inclusive)
  double lo = 0.0, hi = 0.0;                     // bounds of the value (or scale) the fit may take
};

struct CalibrationTarget {
  std::string figure;
  std::int32_t first_month = 1, last_month = 1;  // months averaged (1-based, inclusive)
  std::string scenario;                          // "" = the run's first scenario
  double value = 0.0;                            // target value
  double tolerance = 0.0;                        // reached when |value reached - value| <= tolerance
  double band_lo = 0.0, band_hi = 0.0;           // acceptable band (checks; targets: value +- tolerance)
  std::string source;                            // where the target comes from (document, table, year)
  bool fitted = false;                           // a [[target]] (fitted), else a [[check]] (reported only)
  CalibrationParameter parameter;                // fitted targets only
};

struct TargetsConfig {
  std::string source;       // the targets file
  std::string run;          // run file (absolute once loaded): population, its first policy, scenarios
  std::int64_t customers = 20000;
  std::int32_t paths = 16;
  std::int32_t months = 36;
  std::uint64_t seed = 1;
  std::int32_t sweeps = 4;        // Newton passes at most (each starts with a finite-difference Jacobian)
  std::int32_t evaluations = 40;  // simulations at most, in all
  std::vector<CalibrationTarget> targets;  // [[target]] then [[check]], in file order within each
};

// Reads and validates a targets file; errors name the file, line and key. The run file is
// checked to exist and to name every scenario a target or check names.
TargetsConfig load_targets_config(const std::string& path);

// The current value of a parameter on a behaviour: the number, or 1 for an array's scale.
double parameter_value(const BehaviourConfig& b, const CalibrationParameter& p);

// `base` with the parameter set to x: the number, or the array entries of `base` times x, each
// capped so that roll + cure + partial cures stay <= 1. Returns whether an entry was capped.
bool set_parameter(BehaviourConfig& b, const BehaviourConfig& base, const CalibrationParameter& p, double x);

}  // namespace limitsim
