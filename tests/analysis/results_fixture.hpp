// Test helper: a RunResults of a given shape with every sum zero.
#pragma once

#include <string>
#include <vector>

#include "src/engine/results.hpp"

namespace limitsim {

// Segments "seg0".., 100 customers each; scenarios "scen0"..; policies
// "pol0"..; one zeroed combo per (scenario, policy), scenario-major.
inline RunResults zeroed_results(int paths, int months, int segments, int scenarios, int policies) {
  RunResults r;
  r.paths = paths;
  r.months = months;
  r.segments = segments;
  for (int g = 0; g < segments; ++g) {
    r.segment_names.push_back("seg" + std::to_string(g));
    r.segment_customers.push_back(100);
  }
  for (int s = 0; s < scenarios; ++s) r.scenario_names.push_back("scen" + std::to_string(s));
  for (int p = 0; p < policies; ++p) r.policy_names.push_back("pol" + std::to_string(p));
  for (const auto& s : r.scenario_names)
    for (const auto& p : r.policy_names) r.combos.push_back({s, p, std::vector<std::int64_t>(r.cells(), 0)});
  return r;
}

}  // namespace limitsim
