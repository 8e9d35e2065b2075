// What each kind of config file holds: the key lists of its tables, and the checks across files.
//
// Every key list is a template over Reader and Writer (src/config/fields.hpp),
// defined in the file kind's own .cpp and instantiated there for both; the
// run file's loader (run_file.cpp) reads them, effective_toml() writes them.
#pragma once

#include <string>
#include <vector>

#include "src/config/fields.hpp"

namespace limitsim {
namespace fields {

// Ranges of [run] keys that command-line options override too (src/config/overrides.cpp).
inline const std::vector<std::string> kBackends = {"auto", "cpu", "cuda"};
constexpr Range kCustomersRange = at_least(1);
constexpr Range kPathsRange = closed(1, 1000000);
constexpr Range kMonthsRange = closed(1, 600);
constexpr Range kThreadsRange = closed(0, 1024);  // beyond the cores gives nothing; 65536 crashed the OpenMP runtime
constexpr Range kBatchRange = at_least(1);

template <class IO>
void population_fields(IO& t, PopulationConfig& c);  // population_file.cpp
template <class IO>
void behaviour_fields(IO& t, BehaviourConfig& c);    // behaviour_file.cpp
template <class IO>
void policy_fields(IO& t, PolicyConfig& c);          // policy_file.cpp
template <class IO>
void scenario_fields(IO& t, ScenarioConfig& c);      // scenario_file.cpp

// ---- checks across files, made while a run file is loaded

// A file population's regions are its mapping's: set them now, so that the
// behaviour's factors are validated against them.
void set_file_regions(PopulationConfig& pc, const Value& at);  // population_file.cpp

// A behaviour calibrated on a real panel measured risk on one score scale;
// a real population must use the same one, or miss_beta_risk would act on
// another (docs/calibration.md).
void check_score_scale(const RunConfig& cfg);  // population_file.cpp

// A freeze past the behaviour's charge-off point would never fire. `table` is the policy's table.
void check_freeze(const PolicyParams& p, const Value& table, const BehaviourParams& b);  // policy_file.cpp

// Reads [sweep] and replaces cfg.policies with the base policy and its variants.
void expand_sweep(const Value& table, const Value& base_table, RunConfig& cfg, SweepConfig& out);  // sweep_file.cpp

}  // namespace fields
}  // namespace limitsim
