// Shared by the tests of the policy comparison: results of a given shape, their sums, and the hand-built run
// whose figures the tests work out by hand.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "src/analysis/compare.hpp"
#include "src/analysis/summary.hpp"
#include "tests/analysis/results_fixture.hpp"

namespace limitsim {
namespace compare_test {

constexpr double kTol = 1e-9;
inline const double kPi = std::acos(-1.0);

// Zeroed results with one combo per (scenario, policy).
inline RunResults make_results(int paths, int months, int segments, int scenarios = 1, int policies = 2) {
  RunResults r = zeroed_results(paths, months, segments, scenarios, policies);
  r.meta.name = "cmp-test";
  r.meta.customers = 100;
  return r;
}

inline std::int64_t& at(RunResults& r, int combo, int path, int month, int metric, int segment = 0) {
  return r.combos[static_cast<std::size_t>(combo)].sums[r.cell_index(path, month, segment, metric)];
}

// Pseudo-random sums for every metric (non-negative, modest), deterministic.
inline void fill_random(RunResults& r, int combo, std::uint64_t seed) {
  std::mt19937_64 gen(seed);
  for (auto& v : r.combos[static_cast<std::size_t>(combo)].sums) v = static_cast<std::int64_t>(gen() % 100000);
}

// ---------------------------------------------------------------- hand-built run

// 3 paths x 2 months x 1 segment; pol0 is the baseline, pol1 the alternative.
//   pol0, path p: month 1 interest a_p, fees 1.00, balance 100, line 200;
//                 month 2 interest a_p, loss L_p, balance 300, line 400
//   pol1, path p: month 1 interest b_p, fees 3.00, balance 200, line 200;
//                 month 2 interest b_p, loss M_p, balance 200, line 800
inline RunResults hand_built() {
  RunResults r = make_results(3, 2, 1);
  const std::int64_t a[] = {1000, 2000, 4000}, L[] = {0, 1500, 6000};
  const std::int64_t b[] = {1500, 2000, 5000}, M[] = {1000, 1500, 9000};
  for (int p = 0; p < 3; ++p) {
    at(r, 0, p, 0, kInterest) = a[p];
    at(r, 0, p, 0, kFees) = 100;
    at(r, 0, p, 0, kBalance) = 10000;
    at(r, 0, p, 0, kLimit) = 20000;
    at(r, 0, p, 1, kInterest) = a[p];
    at(r, 0, p, 1, kChargeoffLoss) = L[p];
    at(r, 0, p, 1, kBalance) = 30000;
    at(r, 0, p, 1, kLimit) = 40000;
    at(r, 1, p, 0, kInterest) = b[p];
    at(r, 1, p, 0, kFees) = 300;
    at(r, 1, p, 0, kBalance) = 20000;
    at(r, 1, p, 0, kLimit) = 20000;
    at(r, 1, p, 1, kInterest) = b[p];
    at(r, 1, p, 1, kChargeoffLoss) = M[p];
    at(r, 1, p, 1, kBalance) = 20000;
    at(r, 1, p, 1, kLimit) = 80000;
    // Month 2 delinquency: pol0 5 accounts in 31-60, 2 in 91-120 of 100; pol1 10 in 61-90 of 100.
    at(r, 0, p, 1, kActive) = 100;
    at(r, 0, p, 1, kBucketCount0 + 2) = 5;
    at(r, 0, p, 1, kBucketCount0 + 4) = 2;
    at(r, 0, p, 1, kBucketBalance0 + 4) = 3000;  // of the 30000 balance: 10% is 90+
    at(r, 1, p, 1, kActive) = 100;
    at(r, 1, p, 1, kBucketCount0 + 3) = 10;
    // Limit actions of pol1: p + 1 increases a month (one of them triggered), decreases, freezes, temp lines.
    for (int t = 0; t < 2; ++t) {
      at(r, 1, p, t, kLimitIncreaseCount) = p + 1;
      at(r, 1, p, t, kTriggerIncreaseCount) = 1;
      at(r, 1, p, t, kLimitDecreaseCount) = 2;
      at(r, 1, p, t, kFreezeCount) = t;
      at(r, 1, p, t, kTempLimitCount) = 7;
    }
  }
  r.meta.cost_of_funds = 0.12;  // 1% a month
  return r;
}

}  // namespace compare_test
}  // namespace limitsim
