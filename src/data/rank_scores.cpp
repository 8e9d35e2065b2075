// Scores from the rank of a value (rank_scores.hpp).
#include "src/data/rank_scores.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "kernels/special.hpp"

namespace limitsim {
namespace loading {
namespace {

template <class Index>
void rank_with(Panel& p, const ScoreRule& rule, const std::vector<double>* keys, bool na_only,
               const std::vector<char>& na_score) {
  const std::size_t n = p.id.size();
  auto key = [&](std::size_t i) {
    const double k = keys ? (*keys)[i] : static_cast<double>(p.limit[i]);
    return rule.higher_is_better ? k : -k;
  };
  std::vector<Index> order;  // 32-bit row indices where they fit: 4 bytes a row, temporarily
  order.reserve(n);
  for (std::size_t i = 0; i < n; ++i)
    if (!std::isnan(key(i))) order.push_back(static_cast<Index>(i));
  std::sort(order.begin(), order.end(), [&](Index a, Index b) { return key(a) < key(b); });
  const std::size_t ranked = order.size();
  auto fill = [&](std::size_t i, float score) {
    if (!na_only || na_score[i]) p.score[i] = score;
  };
  for (std::size_t a = 0; a < ranked;) {
    std::size_t b = a;
    while (b + 1 < ranked && key(order[b + 1]) == key(order[a])) ++b;
    const double rank = 0.5 * static_cast<double>(a + 1 + b + 1);
    const double z = norm_inv((rank - 0.5) / static_cast<double>(ranked));
    const float score = static_cast<float>(std::clamp(rule.mean + rule.sd * z, 350.0, 950.0));
    for (std::size_t k = a; k <= b; ++k) fill(order[k], score);
    a = b + 1;
  }
  for (std::size_t i = 0; i < n; ++i)
    if (std::isnan(key(i))) fill(i, static_cast<float>(rule.mean));
}

}  // namespace

void apply_rank_scores(Panel& p, const ScoreRule& rule, const std::vector<double>* keys, bool na_only,
                       const std::vector<char>& na_score) {
  if (p.id.size() < (std::size_t{1} << 32)) {
    rank_with<std::uint32_t>(p, rule, keys, na_only, na_score);
  } else {
    rank_with<std::size_t>(p, rule, keys, na_only, na_score);
  }
}

}  // namespace loading
}  // namespace limitsim
