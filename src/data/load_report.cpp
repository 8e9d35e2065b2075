// load_report (panel.hpp): what a load read, what it filled, and the mix the population starts from.
#include <algorithm>
#include <array>
#include <cstdio>
#include <sstream>
#include <string>

#include "src/data/panel.hpp"

namespace limitsim {
namespace {

std::string count(std::int64_t n) {
  std::string s = std::to_string(n < 0 ? -n : n), out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i > 0 && (s.size() - i) % 3 == 0) out += ',';
    out += s[i];
  }
  return (n < 0 ? "-" : "") + out;
}

std::string share(std::int64_t part, std::int64_t whole) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", whole > 0 ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0.0);
  return buf;
}

void line(std::ostringstream& os, const std::string& name, std::int64_t n, std::int64_t whole) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "    %-24s %12s  %6s\n", name.c_str(), count(n).c_str(), share(n, whole).c_str());
  os << buf;
}

}  // namespace

std::string load_report(const Panel& p, const Population& pop, const PopulationConfig& pc, const SumAcross& sum_across) {
  std::ostringstream os;
  std::int64_t n = pop.size(), kept = p.size();
  static const char* kBuckets[] = {"current", "1-30 DPD", "31-60 DPD", "61-90 DPD", "91-120 DPD", "121-150 DPD", "151-180 DPD"};
  std::array<std::int64_t, kMaxBuckets> buckets{};
  // Utilization bands of the starting balance over the line.
  static const char* kBands[] = {"credit balance", "nothing owed", "(0, 30%]", "(30%, 60%]", "(60%, 90%]", "(90%, 100%]", "over the line"};
  std::array<std::int64_t, 7> bands{};
  const std::size_t regions = std::max<std::size_t>(1, pc.region_names.size());
  std::vector<std::int64_t> segments(pc.segment_names.size() * regions, 0);
  std::int64_t delinquent_nothing_due = 0;
  for (std::int64_t k = 0; k < n; ++k) {
    const auto i = static_cast<std::size_t>(k);
    const int b = pop.bucket[i];
    if (b >= 0 && b < kMaxBuckets) ++buckets[static_cast<std::size_t>(b)];
    const std::int64_t bal = pop.balance[i], lim = pop.limit[i];
    int band = 0;
    if (bal < 0) {
      band = 0;
    } else if (bal == 0) {
      band = 1;
    } else if (lim <= 0 || bal > lim) {
      band = 6;
    } else {
      const double u = static_cast<double>(bal) / static_cast<double>(lim);
      band = u <= 0.3 ? 2 : (u <= 0.6 ? 3 : (u <= 0.9 ? 4 : 5));
    }
    ++bands[static_cast<std::size_t>(band)];
    const auto seg = static_cast<std::size_t>(pop.segment[i]);
    if (seg < segments.size()) ++segments[seg];
    if (b >= 1 && bal <= 0) ++delinquent_nothing_due;
  }
  if (sum_across) {  // the whole population's counts, over every shard
    std::vector<__int128> v = {n, kept, delinquent_nothing_due};
    v.insert(v.end(), buckets.begin(), buckets.end());
    v.insert(v.end(), bands.begin(), bands.end());
    v.insert(v.end(), segments.begin(), segments.end());
    sum_across(v);
    n = static_cast<std::int64_t>(v[0]);
    kept = static_cast<std::int64_t>(v[1]);
    delinquent_nothing_due = static_cast<std::int64_t>(v[2]);
    std::size_t k = 3;
    for (auto& x : buckets) x = static_cast<std::int64_t>(v[k++]);
    for (auto& x : bands) x = static_cast<std::int64_t>(v[k++]);
    for (auto& x : segments) x = static_cast<std::int64_t>(v[k++]);
  }
  os << "loaded " << p.source << ": " << count(p.rows_read) << " rows read, " << count(kept) << " kept, "
     << count(p.rows_skipped) << " skipped as bad rows\n";
  for (const std::string& e : p.skipped_examples) os << "  skipped, e.g. " << e << "\n";
  for (const auto& [what, k] : p.filled)
    os << "  filled: " << what << ": " << count(k) << " rows (" << share(k, kept) << ")\n";
  if (p.ratio_capped > 0) os << "  capped: " << count(p.ratio_capped) << " balance ratios above defaults.balance.max_ratio\n";
  if (kept > n) os << "  left out: " << count(kept - n) << " accounts charged off by the starting month\n";
  os << "  starting mix of " << count(n) << " customers:\n";
  os << "  by bucket:\n";
  for (int b = 0; b < kMaxBuckets; ++b) line(os, kBuckets[b], buckets[static_cast<std::size_t>(b)], n);
  os << "  by utilization (balance / line):\n";
  for (std::size_t b = 0; b < bands.size(); ++b) line(os, kBands[b], bands[b], n);
  os << "  by segment (score band" << (regions > 1 ? " / region" : "") << "):\n";
  for (std::size_t s = 0; s < pc.segment_names.size(); ++s)
    for (std::size_t g = 0; g < regions; ++g)
      line(os, pc.segment_names[s] + (regions > 1 ? "/" + pc.region_names[g] : ""), segments[s * regions + g], n);
  if (delinquent_nothing_due > 0)
    os << "  warning: " << count(delinquent_nothing_due) << " delinquent accounts (" << share(delinquent_nothing_due, n)
       << ") owe nothing (balance <= 0): the model clears their arrears in the first month (docs/data.md, "
          "\"The load report\")\n";
  return os.str();
}

}  // namespace limitsim
