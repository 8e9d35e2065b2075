// Two runs compared on the same paths (limitsim compare A.h5 B.h5): the checks that make them comparable, and the pairing.
#pragma once

#include <string>
#include <vector>

#include "src/engine/results.hpp"

namespace limitsim {

// Why two result files cannot be compared path by path, or "" when they can:
// the same seed, customers, paths, months and segments, the same population
// (the [population] table of their effective configurations, or the same data
// file by SHA-256) and the same path weights. Names what differs.
std::string runs_not_comparable(const RunResults& a, const RunResults& b);

// A policy of run A matched with one of run B: same name, or, when each run
// has exactly one policy, those two.
struct PolicyMatch {
  std::string a, b;
};
std::vector<PolicyMatch> match_policies(const RunResults& a, const RunResults& b);

// One run holding, for every scenario the two share (in A's order), the pair's
// sums of run A under the policy name label_a and of run B under label_b, so
// that compute_comparison with baseline label_a gives B − A on the same paths.
// Metadata (cost of funds, report months, weights) are A's.
RunResults pair_runs(const RunResults& a, const RunResults& b, const PolicyMatch& m, const std::string& label_a,
                     const std::string& label_b);

}  // namespace limitsim
