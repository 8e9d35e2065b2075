// Shared by the tests of limitsim calibrate: the Wilson z, the built-in base behaviour, and whether a calibration
// noted something or estimated a key.
#pragma once

#include <gtest/gtest.h>

#include <stdlib.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <toml.hpp>

#include "kernels/special.hpp"
#include "src/analysis/calibrate.hpp"
#include "src/data/population.hpp"
#include "src/engine/trace.hpp"

namespace limitsim {
namespace calibrate_test {

namespace fs = std::filesystem;

constexpr double kZ = 1.959963984540054;

inline bool has_note(const Calibration& c, const std::string& part) {
  for (const std::string& n : c.notes)
    if (n.find(part) != std::string::npos) return true;
  return false;
}

inline bool has_key(const Calibration& c, const std::string& key) {
  return std::find(c.estimated.begin(), c.estimated.end(), key) != c.estimated.end();
}

inline BehaviourConfig default_config() {
  BehaviourConfig b;
  b.params = default_behaviour();
  return b;
}

}  // namespace calibrate_test
}  // namespace limitsim
