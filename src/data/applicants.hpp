// Applicants of the living book ([acquisition]; docs/model.md "Acquisition"): how many arrive each
// month, and who they are. An applicant is keyed by (seed, arrival month, index in that month's
// pool), so every policy and scenario of a run sees the same applicants with the same draws: policies
// differ only in whom they approve and how they manage them.
#pragma once

#include <cstdint>
#include <vector>

#include "src/config/config.hpp"
#include "src/data/population.hpp"

namespace limitsim {

// Applicant ids have the top bit set (the opening book's synthetic ids are 1..customers):
// bit 63 | arrival month << 40 | index in the month's pool.
constexpr std::uint64_t kApplicantIdBit = std::uint64_t{1} << 63;
std::uint64_t applicant_id(int month, std::int64_t index);

struct ApplicantPlan {
  std::vector<double> headroom;      // [month] max(1, the largest applicant_multiplier of the run's scenarios)
  std::vector<std::int64_t> pool;    // [month] applicants drawn: ceil(volume x headroom)
  std::int64_t total = 0;            // sum of pool
};

// Applicants per month (0-based run months) as the run file gives them: monthly_applicants, or
// round(monthly_share x the opening book's customers); 0 before first_month. Empty for a constant book
// (its volume comes from a pilot run: src/engine/engine.cpp).
std::vector<std::int64_t> configured_volume(const RunConfig& cfg);

// The pools of `volume`: a scenario whose applicant_multiplier in month m is x sees the pool's
// applicants whose demand is below x (demand is uniform on [0, headroom)), volume x x of them on average.
ApplicantPlan plan_applicants(const RunConfig& cfg, const std::vector<std::int64_t>& volume);

// The through-the-door mix: the run's population with [acquisition]'s overrides.
PopulationConfig applicant_mix(const RunConfig& cfg);

// Every applicant of the plan, month by month (index order within a month): a new account of the mix
// (months on book 0, no line yet: the policy's initial-line table gives it), with its arrival month,
// demand, debt-to-income and place in its month's pool by score (pool_rank: the share of the pool
// ranked above it; ties by index).
Population generate_applicants(const RunConfig& cfg, const ApplicantPlan& plan, int threads);

}  // namespace limitsim
