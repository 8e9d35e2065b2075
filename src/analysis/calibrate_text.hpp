// Small text and number helpers shared by calibrate(), its estimators and its report (src/analysis/calibrate*.cpp).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace limitsim {
namespace calib {

inline constexpr double kZ95 = 1.959963984540054;  // Phi^-1(0.975)

inline std::string fmt(const char* f, double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, x);
  return buf;
}

inline std::string fmt_int(std::int64_t x) { return std::to_string(x); }

// Bucket names as in docs/config.md.
inline std::string bucket_name(int b) {
  if (b == 0) return "current";
  return std::to_string(30 * (b - 1) + 1) + "-" + std::to_string(30 * b);
}

}  // namespace calib
}  // namespace limitsim
