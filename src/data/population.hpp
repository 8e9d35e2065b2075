// Customer populations on the host: structure-of-arrays storage and the
// synthetic generator. A customer's attributes depend only on (seed, id), so a
// population can be generated batch by batch (larger than memory) and gives
// the same customers whatever the thread count or batch size.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kernels/customer.hpp"
#include "src/config/config.hpp"

namespace limitsim {

struct Population {
  std::vector<std::uint64_t> id;
  std::vector<float> score, spend_propensity, activity, revolve_shape, risk;
  std::vector<std::int64_t> income, limit, balance;
  std::vector<std::uint8_t> transactor;
  std::vector<std::int32_t> segment, region, months_on_book;
  std::vector<std::int8_t> bucket;
  // Payment history at the start (used when the opening bucket is current):
  // consecutive months current, and months since the last missed payment
  // (kLongAgo: none known). A synthetic customer is current since opening.
  std::vector<std::int32_t> months_current, since_missed;
  // Applicants of the living book (src/data/applicants.hpp); empty for a population without them
  // (the views' arrays are then null).
  std::vector<std::int32_t> arrival;
  std::vector<float> demand, pool_rank, dti;

  std::int64_t size() const { return static_cast<std::int64_t>(id.size()); }
  void resize(std::size_t n);
  CustomerView view() const;
  // Customers [first, first + count) of this population.
  CustomerView view(std::int64_t first, std::int64_t count) const;
};

// The customers at `rows` of pop, in that order.
Population select(const Population& pop, const std::vector<std::int64_t>& rows);

// Segment (score band) of a score: the number of edges at or below it.
int segment_of(double score, const std::vector<double>& edges);

// Region of a synthetic customer: the first region whose cumulative share
// exceeds u (the last one for rounding).
int region_of(double u, const std::vector<double>& shares);

// Portfolio sums are exact int64 cents. Refuses (ConfigError) a population whose largest line or
// balance times its customers could overflow them: largest x customers must stay within 2^62 / 64
// cents, headroom for balances growing past the lines (interest, fees) and for sums over months.
// `what` says where the largest value comes from, for the message. Shared by synthetic and real
// populations.
void check_money_fits(std::int64_t largest_cents, std::int64_t customers, const std::string& what);

// The largest line a synthetic population of cfg can hold: an existing account's is at most
// population.existing_line_max, and no policy raises a line past its max_limit.
std::int64_t largest_synthetic_line(const RunConfig& cfg);

// Customers with ids [first_id, first_id + count).
Population generate_population(const PopulationConfig& cfg, std::uint64_t seed, std::int64_t first_id,
                               std::int64_t count, int threads);

// Customers with the given ids, drawn like generate_population's.
Population generate_customers(const PopulationConfig& cfg, std::uint64_t seed, const std::vector<std::uint64_t>& ids,
                              int threads);

}  // namespace limitsim
