// Customer populations on the host (population.hpp): structure-of-arrays storage and the synthetic generator.
#include "src/data/population.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>

#include "kernels/rng.hpp"
#include "kernels/special.hpp"

namespace limitsim {

void Population::resize(std::size_t n) {
  id.resize(n); score.resize(n); spend_propensity.resize(n); activity.resize(n); revolve_shape.resize(n);
  risk.resize(n); income.resize(n); limit.resize(n); balance.resize(n); transactor.resize(n);
  segment.resize(n); region.resize(n); months_on_book.resize(n); bucket.resize(n);
  months_current.resize(n); since_missed.resize(n);
}

CustomerView Population::view() const {
  return CustomerView{id.data(),        score.data(),          income.data(),  spend_propensity.data(),
                      activity.data(),  revolve_shape.data(),  risk.data(),    transactor.data(),
                      segment.data(),   region.data(),         months_on_book.data(), limit.data(),   balance.data(),
                      bucket.data(),    months_current.data(), since_missed.data(),
                      arrival.empty() ? nullptr : arrival.data(), demand.empty() ? nullptr : demand.data(),
                      pool_rank.empty() ? nullptr : pool_rank.data(), dti.empty() ? nullptr : dti.data(), size()};
}

CustomerView Population::view(std::int64_t first, std::int64_t count) const {
  CustomerView v = view();
  const auto f = static_cast<std::size_t>(first);
  v.id += f; v.score += f; v.income += f; v.spend_propensity += f; v.activity += f; v.revolve_shape += f;
  v.risk += f; v.transactor += f; v.segment += f; v.region += f; v.months_on_book += f; v.limit += f;
  v.balance += f; v.bucket += f; v.months_current += f; v.since_missed += f;
  if (v.arrival) {
    v.arrival += f; v.demand += f; v.pool_rank += f; v.dti += f;
  }
  v.n = count;
  return v;
}

Population select(const Population& pop, const std::vector<std::int64_t>& rows) {
  Population out;
  out.resize(rows.size());
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const auto i = static_cast<std::size_t>(rows[k]);
    out.id[k] = pop.id[i]; out.score[k] = pop.score[i]; out.spend_propensity[k] = pop.spend_propensity[i];
    out.activity[k] = pop.activity[i]; out.revolve_shape[k] = pop.revolve_shape[i]; out.risk[k] = pop.risk[i];
    out.income[k] = pop.income[i]; out.limit[k] = pop.limit[i]; out.balance[k] = pop.balance[i];
    out.transactor[k] = pop.transactor[i]; out.segment[k] = pop.segment[i]; out.region[k] = pop.region[i];
    out.months_on_book[k] = pop.months_on_book[i]; out.bucket[k] = pop.bucket[i];
    out.months_current[k] = pop.months_current[i]; out.since_missed[k] = pop.since_missed[i];
  }
  if (!pop.arrival.empty()) {
    for (auto* v : {&out.demand, &out.pool_rank, &out.dti}) v->resize(rows.size());
    out.arrival.resize(rows.size());
    for (std::size_t k = 0; k < rows.size(); ++k) {
      const auto i = static_cast<std::size_t>(rows[k]);
      out.arrival[k] = pop.arrival[i]; out.demand[k] = pop.demand[i]; out.pool_rank[k] = pop.pool_rank[i];
      out.dti[k] = pop.dti[i];
    }
  }
  return out;
}

int segment_of(double score, const std::vector<double>& edges) {
  return static_cast<int>(std::upper_bound(edges.begin(), edges.end(), score) - edges.begin());
}

int region_of(double u, const std::vector<double>& shares) {
  double cum = 0.0;
  for (std::size_t g = 0; g + 1 < shares.size(); ++g) {
    cum += shares[g];
    if (u < cum) return static_cast<int>(g);
  }
  return static_cast<int>(shares.size()) - 1;
}

void check_money_fits(std::int64_t largest_cents, std::int64_t customers, const std::string& what) {
  constexpr double kSumBound = 4611686018427387904.0 / 64.0;  // 2^62 / 64 cents
  if (static_cast<double>(largest_cents) * static_cast<double>(customers) <= kSumBound) return;
  throw ConfigError(what + ": the largest line or balance (" + std::to_string(largest_cents / 100) +
                    " currency units) times " + std::to_string(customers) +
                    " customers could overflow the exact 64-bit sums in cents (at most " +
                    std::to_string(static_cast<long long>(kSumBound / 100)) + " currency units in all)");
}

std::int64_t largest_synthetic_line(const RunConfig& cfg) {
  std::int64_t largest = cfg.population.existing_line_max;
  for (const PolicyConfig& p : cfg.policies) largest = std::max(largest, p.params.max_limit);
  return largest;
}

namespace {

// The twelve uniforms of one synthetic customer: three Philox blocks of the
// population stream keyed by (seed, id).
struct CustomerDraws {
  double u[12];
};

CustomerDraws customer_draws(std::uint64_t seed, std::uint64_t id) {
  KeyedPhilox rng(seed, id, 0, kStreamPopulation);
  CustomerDraws d;
  for (int b = 0; b < 3; ++b) {
    const Block4 x = rng.next();
    d.u[4 * b + 0] = u01(x.x); d.u[4 * b + 1] = u01(x.y); d.u[4 * b + 2] = u01(x.z); d.u[4 * b + 3] = u01(x.w);
  }
  return d;
}

void generate_one(const PopulationConfig& c, std::uint64_t seed, std::uint64_t id, Population& p, std::size_t i) {
  const CustomerDraws d = customer_draws(seed, id);
  const double z_score = norm_inv(d.u[0]);
  const double score = std::clamp(c.score_mean + c.score_sd * z_score, 350.0, 950.0);
  const double zs = (score - c.score_mean) / c.score_sd;  // after clamping
  const double rho_i = c.income_score_corr, rho_r = c.risk_score_corr;
  const double log_income = std::log(c.income_median) +
                            c.income_log_sd * (rho_i * zs + std::sqrt(1.0 - rho_i * rho_i) * norm_inv(d.u[1]));
  constexpr double kMaxMoneyCents = 1e14;  // 1e12 currency units: far inside int64, far beyond any customer
  const std::int64_t income = std::llround(std::min(std::exp(log_income) * 100.0, kMaxMoneyCents));
  const double risk = -rho_r * zs + std::sqrt(1.0 - rho_r * rho_r) * norm_inv(d.u[2]);
  const bool transactor =
      d.u[3] < logistic(c.transactor_logit_intercept + c.transactor_logit_slope * (score - 650.0) / 100.0);
  const double propensity = std::min(3.0, c.spend_propensity_median * std::exp(c.spend_propensity_log_sd * norm_inv(d.u[4])));
  const double activity = logistic(c.activity_logit_mean + c.activity_logit_sd * norm_inv(d.u[5]));
  const double shape = c.revolve_shape_median * std::exp(c.revolve_shape_log_sd * norm_inv(d.u[6]));

  std::int32_t mob = 0;
  std::int64_t line = 0, balance = 0;
  std::int8_t bucket = 0;
  if (d.u[7] >= c.new_account_share) {
    mob = 1 + std::min<std::int32_t>(c.mob_max - 1, static_cast<std::int32_t>(d.u[8] * c.mob_max));
    const double raw = static_cast<double>(income) * c.existing_line_income_multiple *
                       std::exp(c.existing_line_log_sd * norm_inv(d.u[9]) - 0.5 * c.existing_line_log_sd * c.existing_line_log_sd);
    line = std::llround(std::min(raw, kMaxMoneyCents)) / c.existing_line_rounding * c.existing_line_rounding;
    line = std::clamp(line, c.existing_line_min, c.existing_line_max);
    const double mu = transactor ? c.opening_util_logit_mean_transactor : c.opening_util_logit_mean_revolver;
    balance = std::llround(static_cast<double>(line) * logistic(mu + c.opening_util_logit_sd * norm_inv(d.u[10])));
    // Opening bucket: riskier customers take the worse buckets.
    const double q = norm_cdf(0.6 * risk + 0.8 * norm_inv(d.u[11]));
    double cum = 0.0;
    bucket = static_cast<std::int8_t>(c.opening_bucket_shares.size() - 1);
    for (std::size_t b = 0; b < c.opening_bucket_shares.size(); ++b) {
      cum += c.opening_bucket_shares[b];
      if (q <= cum) { bucket = static_cast<std::int8_t>(b); break; }
    }
    if (bucket > 0 && balance == 0) balance = std::min<std::int64_t>(line, 100);  // a delinquent account owes something
  }

  p.id[i] = id;
  p.score[i] = static_cast<float>(score);
  p.income[i] = income;
  p.risk[i] = static_cast<float>(risk);
  p.transactor[i] = transactor ? 1 : 0;
  p.spend_propensity[i] = static_cast<float>(propensity);
  p.activity[i] = static_cast<float>(activity);
  p.revolve_shape[i] = static_cast<float>(shape);
  p.months_on_book[i] = mob;
  p.limit[i] = line;
  p.balance[i] = balance;
  p.bucket[i] = bucket;
  // No history is drawn: a current account has been current since it opened and never missed.
  p.months_current[i] = bucket == 0 ? mob : 0;
  p.since_missed[i] = bucket == 0 ? kLongAgo : 0;
  // Region: a fourth block of the population stream, drawn only when there are
  // several regions, so a one-region population is unchanged by it.
  int region = 0;
  if (c.region_names.size() > 1) {
    KeyedPhilox rng(seed, id, 0, kStreamPopulation, 3);
    region = region_of(u01(rng.next().x), c.region_shares);
  }
  const int regions = static_cast<int>(c.region_names.size());
  p.region[i] = region;
  // Reporting segment: score band (of the stored float score, as the kernels see it) x regions + region.
  p.segment[i] = segment_of(p.score[i], c.segment_edges) * regions + region;
}

}  // namespace

Population generate_population(const PopulationConfig& cfg, std::uint64_t seed, std::int64_t first_id,
                               std::int64_t count, int threads) {
  Population p;
  p.resize(static_cast<std::size_t>(count));
  const int nt = threads > 0 ? threads : omp_get_max_threads();
#pragma omp parallel for schedule(static) num_threads(nt)
  for (std::int64_t i = 0; i < count; ++i) {
    generate_one(cfg, seed, static_cast<std::uint64_t>(first_id + i), p, static_cast<std::size_t>(i));
  }
  return p;
}

Population generate_customers(const PopulationConfig& cfg, std::uint64_t seed, const std::vector<std::uint64_t>& ids,
                              int threads) {
  Population p;
  p.resize(ids.size());
  const int nt = threads > 0 ? threads : omp_get_max_threads();
  const auto count = static_cast<std::int64_t>(ids.size());
#pragma omp parallel for schedule(static) num_threads(nt)
  for (std::int64_t i = 0; i < count; ++i)
    generate_one(cfg, seed, ids[static_cast<std::size_t>(i)], p, static_cast<std::size_t>(i));
  return p;
}

}  // namespace limitsim
