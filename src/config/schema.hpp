// What each kind of config file holds: the key lists of its tables, and the checks across files.
//
// Every key list is a template over Reader and Writer (src/config/fields.hpp),
// defined in the file kind's own .cpp and instantiated there for both; the
// run file's loader (run_file.cpp) reads them, effective_toml() writes them.
#pragma once

#include <algorithm>
#include <cstdint>
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

// Days past due <-> delinquency bucket, for keys written in days (policy freeze.at_dpd,
// behaviour authorisation.decline_at_dpd): at_dpd maps to the smallest bucket b >= 1 whose
// lowest DPD, 30 * (b - 1) + 1, is >= at_dpd; 0 is off.
inline std::int32_t bucket_of_dpd(std::int32_t at_dpd) { return at_dpd == 0 ? 0 : (at_dpd + 28) / 30 + 1; }
inline std::int32_t dpd_of_bucket(std::int32_t bucket) { return bucket <= 1 ? bucket : 30 * (bucket - 1); }

// Rows keyed by an origination score (a policy's price bands, the behaviour's borrowing
// response): no score_min twice, the lowest at or below 350 so that every score is covered
// (`covered` ends that message, e.g. "priced"), then sorted by descending score_min, the
// order in which the kernel takes the first row that applies.
template <class IO, class Row>
void score_rows(IO& t, const std::string& key, std::vector<Row>& rows, const std::string& covered) {
  double lowest = kInf;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    lowest = std::min(lowest, rows[i].score_min);
    for (std::size_t j = 0; j < i; ++j)
      t.check(rows[j].score_min != rows[i].score_min, key,
              "score_min " + fmt_double(rows[i].score_min) + " appears twice (rows " + std::to_string(j) + " and " +
                  std::to_string(i) + ")",
              static_cast<int>(i));
  }
  if (!rows.empty())
    t.check(lowest <= 350.0, key,
            "the lowest score_min must be <= 350 so that every score is " + covered + ", got " + fmt_double(lowest));
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.score_min > b.score_min; });
}

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
