// Tail levels of VaR and ES as exact decimal fractions ([run] tail_levels,
// --tail-levels; docs/config.md). A level q = num / den with den a power of
// ten, so the rank ceil(q * paths) is computed in integers (0.95 * 100 in
// double is not exactly 95). Header-only: the config loader and the analysis
// both use it.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

namespace limitsim {

struct TailLevel {
  std::int64_t num;
  std::int64_t den;
  double value() const { return static_cast<double>(num) / static_cast<double>(den); }
};

// Levels are written with at most this many decimals (0.999999999 at the most).
inline constexpr int kTailLevelMaxDecimals = 9;
// At most this many levels in one run.
inline constexpr std::size_t kMaxTailLevels = 16;

// The exact decimal fraction num / 10^k, k <= kTailLevelMaxDecimals smallest,
// whose double is q; false when q is not in (0, 1) or needs more decimals.
inline bool tail_level_of(double q, TailLevel& out) {
  if (!(q > 0.0 && q < 1.0)) return false;
  std::int64_t den = 1;
  for (int k = 1; k <= kTailLevelMaxDecimals; ++k) {
    den *= 10;
    const double scaled = std::round(q * static_cast<double>(den));
    const auto num = static_cast<std::int64_t>(scaled);
    if (num > 0 && num < den && static_cast<double>(num) / static_cast<double>(den) == q) {
      out = {num, den};
      return true;
    }
  }
  return false;
}

// "" when `levels` is a valid list of tail levels; else the reason, and
// *index (when given) is the offending element (-1 for the list as a whole).
inline std::string tail_levels_error(const std::vector<double>& levels, int* index = nullptr) {
  auto fail = [&](int i, const std::string& why) {
    if (index) *index = i;
    return why;
  };
  if (levels.empty()) return fail(-1, "must list at least one level");
  if (levels.size() > kMaxTailLevels)
    return fail(-1, "must list at most " + std::to_string(kMaxTailLevels) + " levels, got " +
                        std::to_string(levels.size()));
  for (std::size_t i = 0; i < levels.size(); ++i) {
    TailLevel l{};
    const int ii = static_cast<int>(i);
    if (!(levels[i] > 0.0 && levels[i] < 1.0)) return fail(ii, "must be in (0, 1)");
    if (!tail_level_of(levels[i], l))
      return fail(ii, "must have at most " + std::to_string(kTailLevelMaxDecimals) + " decimals");
    if (i > 0 && !(levels[i] > levels[i - 1]))
      return fail(ii, levels[i] == levels[i - 1] ? "is listed twice" : "levels must be in increasing order");
  }
  return "";
}

// The levels as exact fractions; throws std::invalid_argument for an invalid list.
inline std::vector<TailLevel> tail_levels_of(const std::vector<double>& levels) {
  int index = -1;
  const std::string bad = tail_levels_error(levels, &index);
  if (!bad.empty())
    throw std::invalid_argument("tail levels" + (index >= 0 ? "[" + std::to_string(index) + "]" : std::string()) +
                                ": " + bad);
  std::vector<TailLevel> out(levels.size());
  for (std::size_t i = 0; i < levels.size(); ++i) tail_level_of(levels[i], out[i]);
  return out;
}

// The percentage of a level as an exact decimal: 0.95 -> "95", 0.999 -> "99.9",
// 0.9995 -> "99.95" (the suffix of var_99.9, es_97.5, ...).
inline std::string tail_level_percent(const TailLevel& l) {
  // 100 num / den with den = 10^k: drop common factors of ten, then the integer
  // part and k zero-padded decimals.
  std::int64_t den = l.den, num = l.num * 100;
  while (den > 1 && num % 10 == 0) {
    num /= 10;
    den /= 10;
  }
  std::string out = std::to_string(num / den);
  if (den == 1) return out;
  std::string frac = std::to_string(num % den);
  std::size_t k = 0;
  for (std::int64_t d = den; d > 1; d /= 10) ++k;
  return out + "." + std::string(k - frac.size(), '0') + frac;
}

// The same for a level given as a double (a level of a result): exact when
// the double is such a decimal, else 100 q to 17 significant digits.
inline std::string tail_level_percent(double q) {
  TailLevel l{};
  if (tail_level_of(q, l)) return tail_level_percent(l);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", 100.0 * q);
  return buf;
}

}  // namespace limitsim
