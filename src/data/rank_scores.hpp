// Scores from the rank of a value (a mapping's `score = { rank_of = ... }` rules other than the plain limit
// rank, which the MPI shards share through apply_limit_rank_scores in loader.cpp).
#pragma once

#include <vector>

#include "src/config/mapping.hpp"
#include "src/data/panel.hpp"

namespace limitsim {
namespace loading {

// score = rule.mean + rule.sd * Phi^-1((rank - 0.5) / n) by the ranked value, rank 1 the worst
// (rule.higher_is_better says the direction), ties sharing their mean rank, clamped to the model's
// 350..950. The ranked value is keys[i] (a column, income or balance), or the limit where keys is null.
// A NaN value takes the middle rank (score = mean). With na_only, only the rows whose na_score is set
// (a score column's NA cells) are filled; the others keep the column's score.
void apply_rank_scores(Panel& p, const ScoreRule& rule, const std::vector<double>* keys, bool na_only,
                       const std::vector<char>& na_score);

}  // namespace loading
}  // namespace limitsim
