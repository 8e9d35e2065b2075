// Vintages of the living book (vintages.hpp).
#include "src/analysis/vintages.hpp"

#include <cstdio>

namespace limitsim {

namespace {

constexpr double kCents = 100.0;

// The portfolio's sum of a vintage metric at run month m over every path and segment.
std::int64_t portfolio_vintage(const RunResults& r, const ComboSums& c, int m, int metric) {
  auto total = [&](int k) {
    std::int64_t t = 0;
    for (int p = 0; p < r.paths; ++p) t += r.portfolio(c, p, m, k);
    return t;
  };
  auto late = [&](int base) {
    std::int64_t t = 0;
    for (int b = kOverdue30Bucket; b < kMaxBuckets; ++b) t += total(base + b);
    return t;
  };
  switch (metric) {
    case kVintOpened: return m == 0 ? r.meta.customers * r.paths : 0;
    case kVintActive: return total(kActive);
    case kVintBalance: return total(kBalance);
    case kVintLimit: return total(kLimit);
    case kVintOverdue30Count: return late(kBucketCount0);
    case kVintOverdue30Balance: return late(kBucketBalance0);
    case kVintChargeoffCount: return total(kChargeoffCount);
    case kVintChargeoffExposure: return total(kChargeoffExposure);
    case kVintChargeoffLoss: return total(kChargeoffLoss);
    default: return 0;
  }
}

}  // namespace

std::vector<std::int64_t> vintage_table(const RunResults& r, const ComboSums& c) {
  if (c.vintages.empty()) return {};
  const int T = r.months;
  std::vector<std::int64_t> t(static_cast<std::size_t>(T + 1) * T * kNumVintageMetrics, 0);
  for (int a = 0; a < T; ++a)
    for (int k = 0; a + k < T; ++k)
      for (int v = 0; v < kNumVintageMetrics; ++v)
        t[vintage_table_index(r, a + 1, k, v)] = c.vintages[r.vintage_index(a, k, v)];
  for (int m = 0; m < T; ++m)
    for (int v = 0; v < kNumVintageMetrics; ++v) {
      std::int64_t acquired = 0;
      for (int a = 0; a <= m; ++a) acquired += c.vintages[r.vintage_index(a, m - a, v)];
      t[vintage_table_index(r, 0, m, v)] = portfolio_vintage(r, c, m, v) - (v == kVintOpened ? 0 : acquired);
    }
  return t;
}

std::string cohort_name(int cohort) { return cohort == 0 ? "opening book" : "month " + std::to_string(cohort); }

VintagePoint vintage_point(const RunResults& r, const std::vector<std::int64_t>& table, int cohort, int mob) {
  VintagePoint p;
  const double paths = r.paths;
  auto at = [&](int k, int v) { return static_cast<double>(table[vintage_table_index(r, cohort, k, v)]); };
  const double opened = at(0, kVintOpened);
  double cum_co = 0.0, cum_loss = 0.0;
  for (int k = 0; k <= mob; ++k) {
    cum_co += at(k, kVintChargeoffCount);
    cum_loss += at(k, kVintChargeoffLoss);
  }
  p.opened = opened / paths;
  p.active = at(mob, kVintActive) / paths;
  p.balance = at(mob, kVintBalance) / paths / kCents;
  p.mean_line = at(mob, kVintActive) > 0 ? at(mob, kVintLimit) / at(mob, kVintActive) / kCents : 0.0;
  p.overdue30_count = at(mob, kVintActive) > 0 ? at(mob, kVintOverdue30Count) / at(mob, kVintActive) : 0.0;
  p.overdue30_balance = at(mob, kVintBalance) > 0 ? at(mob, kVintOverdue30Balance) / at(mob, kVintBalance) : 0.0;
  p.cum_chargeoff_rate = opened > 0 ? cum_co / opened : 0.0;
  p.cum_net_loss = cum_loss / paths / kCents;
  return p;
}

std::string vintage_text(const RunResults& r, const ComboSums& c, int step) {
  const std::vector<std::int64_t> t = vintage_table(r, c);
  if (t.empty()) return "  (no vintages: the run acquires nobody; see [acquisition] in docs/config.md)\n";
  std::vector<int> mobs;
  for (int k : {0, 3, 6, 12, 18, 24, 36, 48, 60})
    if (k < r.months) mobs.push_back(k);
  std::string out;
  char line[512];
  auto block = [&](const char* title, auto value, const char* fmt) {
    out += std::string("  ") + title + "\n";
    std::snprintf(line, sizeof line, "  %-14s %10s", "cohort", "opened");
    out += line;
    for (int k : mobs) {
      std::snprintf(line, sizeof line, " %10s", ("mob " + std::to_string(k)).c_str());
      out += line;
    }
    out += "\n";
    for (int cohort = 0; cohort <= r.months; ++cohort) {
      if (cohort > 0 && (cohort - 1) % step != 0) continue;
      const VintagePoint p0 = vintage_point(r, t, cohort, 0);
      if (p0.opened <= 0.0) continue;
      std::snprintf(line, sizeof line, "  %-14s %10.1f", cohort_name(cohort).c_str(), p0.opened);
      out += line;
      for (int k : mobs) {
        if (cohort > 0 && cohort - 1 + k >= r.months) break;
        std::snprintf(line, sizeof line, fmt, value(vintage_point(r, t, cohort, k)));
        out += line;
      }
      out += "\n";
    }
  };
  block("open accounts (mean over paths)", [](const VintagePoint& p) { return p.active; }, " %10.1f");
  block("mean line per open account", [](const VintagePoint& p) { return p.mean_line; }, " %10.2f");
  block("30+ days past due, share of open accounts", [](const VintagePoint& p) { return 100.0 * p.overdue30_count; },
        " %9.2f%%");
  block("cumulative charge-offs, share of accounts opened",
        [](const VintagePoint& p) { return 100.0 * p.cum_chargeoff_rate; }, " %9.2f%%");
  block("cumulative net loss (currency, mean over paths)", [](const VintagePoint& p) { return p.cum_net_loss; },
        " %10.0f");
  return out;
}

}  // namespace limitsim
