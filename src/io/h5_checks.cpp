// What a result file must satisfy before its sums are used (h5_schema.hpp, check_read_results): counts
// within [0, customers], the bucket and utilization partitions, money sums that fit in 64 bits.
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>

#include "src/io/h5_schema.hpp"

namespace limitsim {
namespace h5 {
namespace {

std::string index_text(std::int32_t path, std::int32_t month, std::int32_t segment, int entry, int width) {
  std::string s = "[" + std::to_string(path) + "," + std::to_string(month) + "," + std::to_string(segment);
  if (width > 1) s += "," + std::to_string(entry);
  return s + "]";
}

const MetricGroup& group_of(int m) {
  for (const MetricGroup& mg : metric_groups())
    if (m >= mg.first && m < mg.first + mg.width) return mg;
  std::abort();  // every metric is in a group
}

std::string dataset_of(const ComboSums& c, int m) {
  return "dataset '" + combo_path(c.scenario, c.policy) + "/by_segment/" + group_of(m).info->name + "'";
}

// The dataset of metric m in a combo, and the index of one of its elements.
std::string where(const ComboSums& c, int m, std::int32_t p, std::int32_t t, std::int32_t g) {
  const MetricGroup& mg = group_of(m);
  return dataset_of(c, m) + " at " + index_text(p, t, g, m - mg.first, mg.width);
}

std::string unit_of(int m) { return metric_info(m).unit; }

enum class Kind : std::uint8_t { kMoney, kCount, kAccounts };

Kind kind_of(int m) {
  const std::string unit = unit_of(m);
  return unit == "accounts" ? Kind::kAccounts : unit == "cents" ? Kind::kMoney : Kind::kCount;  // draws, ppm
}

}  // namespace

std::string check_read_results(const RunResults& r) {
  if (r.meta.customers < 0) return "attribute 'customers' of '/' is negative (" + std::to_string(r.meta.customers) + ")";
  if (r.meta.population_rows_skipped < 0) return "attribute 'population_rows_skipped' of '/' is negative";
  if (r.meta.threads < 0 || r.meta.batch_size < 0) return "attribute 'threads' or 'batch_size' of '/' is negative";
  if (r.meta.applicants < 0) return "attribute 'applicants' of '/' is negative (" + std::to_string(r.meta.applicants) + ")";
  std::int64_t customers = 0;
  for (std::size_t g = 0; g < r.segment_customers.size(); ++g) {
    const std::int64_t n = r.segment_customers[g];
    if (n < 0 || n > r.meta.customers - customers)
      return "dataset '/segments/customers' at [" + std::to_string(g) + "]: " + std::to_string(n) +
             (n < 0 ? " customers: a count cannot be negative"
                    : " customers: the segments hold more than the run's " + std::to_string(r.meta.customers));
    customers += n;
  }
  if (customers != r.meta.customers)
    return "dataset '/segments/customers' sums to " + std::to_string(customers) + " customers, attribute 'customers' "
           "of '/' says " + std::to_string(r.meta.customers);

  constexpr auto kMax = static_cast<unsigned __int128>(std::numeric_limits<std::int64_t>::max());
  Kind kinds[kNumMetrics];
  for (int m = 0; m < kNumMetrics; ++m) kinds[m] = kind_of(m);
  for (const ComboSums& c : r.combos) {
    for (std::int32_t p = 0; p < r.paths; ++p) {
      // Per path, the sum of |value| over months and segments of every metric: every sum the summary
      // and the comparison form (over segments, over months) then fits in int64.
      unsigned __int128 magnitude[kNumMetrics] = {};
      for (std::int32_t t = 0; t < r.months; ++t) {
        for (std::int32_t g = 0; g < r.segments; ++g) {
          const std::int64_t* cell = c.sums.data() + r.cell_index(p, t, g, 0);
          // Accounts of a segment: its customers, and (the living book) at most every applicant.
          const std::int64_t customers_g = r.segment_customers[static_cast<std::size_t>(g)] + r.meta.applicants;
          for (int m = 0; m < kNumMetrics; ++m) {
            const std::int64_t v = cell[m];
            if (kinds[m] != Kind::kMoney && v < 0)
              return where(c, m, p, t, g) + ": " + std::to_string(v) + " " + unit_of(m) + ": a count cannot be negative";
            if (kinds[m] == Kind::kAccounts && v > customers_g)
              return where(c, m, p, t, g) + ": " + std::to_string(v) + " accounts in a segment of " +
                     std::to_string(customers_g) + " customers" + (r.meta.applicants > 0 ? " and applicants" : "");
            if (m > kBucketBalance0 && m < kBucketBalance0 + kMaxBuckets && v < 0)
              return where(c, m, p, t, g) + ": " + std::to_string(v) +
                     " cents: an overdue balance cannot be negative";
            magnitude[m] += static_cast<unsigned __int128>(v < 0 ? -static_cast<__int128>(v) : v);
          }
          // The partitions of the open accounts, and of their balances, behind every share.
          std::int64_t in_buckets = 0, in_bins = 0;
          __int128 balances = 0;
          for (int b = 0; b < kMaxBuckets; ++b) {
            in_buckets += cell[kBucketCount0 + b];
            balances += cell[kBucketBalance0 + b];
          }
          for (int b = 0; b < kUtilBins; ++b) in_bins += cell[kUtilHist0 + b];
          if (in_buckets != cell[kActive])
            return where(c, kBucketCount0, p, t, g) + ": the buckets hold " + std::to_string(in_buckets) +
                   " accounts, dataset 'active' says " + std::to_string(cell[kActive]);
          if (in_bins != cell[kActive])
            return where(c, kUtilHist0, p, t, g) + ": the utilization bins hold " + std::to_string(in_bins) +
                   " accounts, dataset 'active' says " + std::to_string(cell[kActive]);
          if (balances != cell[kBalance])
            return where(c, kBucketBalance0, p, t, g) + ": the buckets' balances do not add up to dataset "
                   "'balance' (" + std::to_string(cell[kBalance]) + " cents)";
        }
      }
      for (int m = 0; m < kNumMetrics; ++m)
        if (magnitude[m] > kMax)
          return dataset_of(c, m) + " on path " + std::to_string(p) + ": its values add up beyond 2^63 - 1 (" +
                 unit_of(m) + "); no run can have written them";
    }
  }
  return "";
}

}  // namespace h5
}  // namespace limitsim
