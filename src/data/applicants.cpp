// Applicants of the living book (applicants.hpp).
#include "src/data/applicants.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "kernels/rng.hpp"
#include "kernels/special.hpp"

namespace limitsim {

std::uint64_t applicant_id(int month, std::int64_t index) {
  return kApplicantIdBit | (static_cast<std::uint64_t>(month) << 40) | static_cast<std::uint64_t>(index);
}

std::vector<std::int64_t> configured_volume(const RunConfig& cfg) {
  const AcquisitionConfig& a = cfg.acquisition;
  std::vector<std::int64_t> v(static_cast<std::size_t>(cfg.months), 0);
  if (!a.enabled || a.constant_book) return a.enabled ? std::vector<std::int64_t>{} : v;
  for (int m = a.first_month - 1, k = 0; m < cfg.months; ++m, ++k) {
    const double x = !a.monthly_applicants.empty()
                         ? a.monthly_applicants[std::min<std::size_t>(static_cast<std::size_t>(k), a.monthly_applicants.size() - 1)]
                         : a.monthly_share * static_cast<double>(cfg.population.customers);
    v[static_cast<std::size_t>(m)] = std::llround(x);
  }
  return v;
}

ApplicantPlan plan_applicants(const RunConfig& cfg, const std::vector<std::int64_t>& volume) {
  ApplicantPlan p;
  for (int m = 0; m < cfg.months; ++m) {
    double h = 1.0;
    for (const ScenarioConfig& s : cfg.scenarios) h = std::max(h, s.months[static_cast<std::size_t>(m)].applicant_mult);
    const std::int64_t v = static_cast<std::size_t>(m) < volume.size() ? volume[static_cast<std::size_t>(m)] : 0;
    // The pool is rounded up, never past what the headroom asks for by more than one applicant.
    const std::int64_t pool = v == 0 ? 0 : static_cast<std::int64_t>(std::ceil(static_cast<double>(v) * h - 1e-9));
    p.headroom.push_back(h);
    p.pool.push_back(pool);
    p.total += pool;
  }
  return p;
}

PopulationConfig applicant_mix(const RunConfig& cfg) {
  PopulationConfig mix = cfg.population;
  const AcquisitionConfig& a = cfg.acquisition;
  if (a.score_mean > 0.0) mix.score_mean = a.score_mean;
  if (a.score_sd > 0.0) mix.score_sd = a.score_sd;
  if (a.income_median > 0.0) mix.income_median = a.income_median;
  return mix;
}

Population generate_applicants(const RunConfig& cfg, const ApplicantPlan& plan, int threads) {
  std::vector<std::uint64_t> ids;
  std::vector<std::int32_t> month_of;
  ids.reserve(static_cast<std::size_t>(plan.total));
  for (int m = 0; m < static_cast<int>(plan.pool.size()); ++m)
    for (std::int64_t j = 0; j < plan.pool[static_cast<std::size_t>(m)]; ++j) {
      ids.push_back(applicant_id(m, j));
      month_of.push_back(m);
    }
  Population p = generate_customers(applicant_mix(cfg), cfg.seed, ids, threads);
  const std::size_t n = ids.size();
  p.arrival = month_of;
  p.demand.resize(n);
  p.pool_rank.resize(n);
  p.dti.resize(n);
  const AcquisitionConfig& a = cfg.acquisition;
  const double rho = a.dti_risk_correlation;
  for (std::size_t i = 0; i < n; ++i) {
    // A new account: no line (the policy's initial-line table sets it), no balance, current, no history.
    p.months_on_book[i] = 0;
    p.limit[i] = 0;
    p.balance[i] = 0;
    p.bucket[i] = 0;
    p.months_current[i] = 0;
    p.since_missed[i] = kLongAgo;
    // Demand and debt-to-income: a fifth block of the population stream (block 3 is the region's).
    KeyedPhilox rng(cfg.seed, ids[i], 0, kStreamPopulation, 4);
    const Block4 b = rng.next();
    // Below the headroom as a float too, so that a multiplier equal to it lets every applicant apply.
    const float h = static_cast<float>(plan.headroom[static_cast<std::size_t>(month_of[i])]);
    p.demand[i] = std::min(static_cast<float>(u01(b.x) * h), std::nextafter(h, 0.0f));
    const double z = rho * p.risk[i] + std::sqrt(1.0 - rho * rho) * norm_inv(u01(b.y));
    p.dti[i] = static_cast<float>(a.dti_median * std::exp(a.dti_log_sd * z));
  }
  // Place in the month's pool by score, best first (ties by index).
  std::size_t start = 0;
  for (const std::int64_t pool : plan.pool) {
    std::vector<std::size_t> order(static_cast<std::size_t>(pool));
    std::iota(order.begin(), order.end(), start);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return p.score[x] > p.score[y]; });
    for (std::size_t r = 0; r < order.size(); ++r)
      // Below 1 as a float too (pools past 2^24), so that share 1 approves every applicant.
      p.pool_rank[order[r]] =
          std::min(static_cast<float>(static_cast<double>(r) / static_cast<double>(pool)), std::nextafter(1.0f, 0.0f));
    start += order.size();
  }
  return p;
}

}  // namespace limitsim
