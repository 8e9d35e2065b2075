// What a run will cost (cost.hpp): customer-months, time at the measured speed of its backend, memory.
#include "src/engine/cost.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "kernels/metrics.hpp"
#include "src/data/applicants.hpp"

namespace limitsim {

double physical_memory_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && size > 0 ? static_cast<double>(pages) * static_cast<double>(size) : 0.0;
}

RunCost estimate_cost(const RunConfig& cfg, const std::string& backend, int threads) {
  RunCost c;
  const double customers = static_cast<double>(cfg.population.customers);
  const double pairs = static_cast<double>(cfg.scenarios.size()) * static_cast<double>(cfg.policies.size());
  const double segments =
      static_cast<double>(cfg.population.segment_names.size()) * static_cast<double>(cfg.population.region_names.size());
  c.customer_months = customers * cfg.months * static_cast<double>(cfg.paths) * pairs;
  double vintage_bytes = 0.0;
  if (cfg.acquisition.enabled) {
    // The living book: every applicant is simulated from its arrival month (a constant book's volume is
    // found by a pilot run; here it is estimated as the opening book's attrition, a lower bound).
    std::vector<std::int64_t> volume = configured_volume(cfg);
    if (cfg.acquisition.constant_book) {
      volume.assign(static_cast<std::size_t>(cfg.months), 0);
      for (int m = cfg.acquisition.first_month - 1; m < cfg.months; ++m)
        volume[static_cast<std::size_t>(m)] = static_cast<std::int64_t>(customers * cfg.behaviour.params.attrition_rate);
    }
    const ApplicantPlan plan = plan_applicants(cfg, volume);
    c.applicants = static_cast<double>(plan.total);
    for (int m = 0; m < cfg.months; ++m)
      c.applicant_months += static_cast<double>(plan.pool[static_cast<std::size_t>(m)]) * (cfg.months - m) *
                            static_cast<double>(cfg.paths) * pairs;
    c.customer_months += c.applicant_months;
    vintage_bytes = static_cast<double>(cfg.months) * cfg.months * kNumVintageMetrics * 8.0 * pairs;
  }
  char basis[160];
  if (backend == "cuda") {
    c.rate = kCudaRate;
    std::snprintf(basis, sizeof basis, "the GPU at %.2g customer-months/s (one H200, bench/README.md)", kCudaRate);
  } else {
    const int t = std::max(threads, 1);
    c.rate = kCpuRatePerThread * t;
    std::snprintf(basis, sizeof basis, "%d CPU threads at %.2g customer-months/s each (bench/README.md)", t,
                  kCpuRatePerThread);
  }
  c.basis = basis;
  c.seconds = c.customer_months / c.rate;
  c.sums_bytes = static_cast<double>(cfg.paths) * cfg.months * segments * kNumMetrics * 8.0 * pairs;
  const double batch = std::min(customers, static_cast<double>(std::max<std::int64_t>(cfg.batch_size, 1)));
  c.memory_bytes = c.sums_bytes + batch * kBytesPerCustomer * (backend == "cuda" ? 3.0 : 1.0) +
                   (cfg.population.kind == "file" ? customers * kBytesPerCustomer : 0.0) +
                   c.applicants * (kBytesPerCustomer + 16.0) + vintage_bytes;
  c.file_bytes = c.sums_bytes / 8.0;
  return c;
}

}  // namespace limitsim
