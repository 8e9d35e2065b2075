// The RNG-only roofline (bench/): a customer's keyed draws on one path, taken
// exactly as the model takes them (two Philox blocks and eight uniforms per
// month), folded into a checksum, and nothing else. Its speed bounds the full
// model's from above on each backend; both backends give the same checksum.
#pragma once

#include <cstdint>

#include "hd.hpp"
#include "model.hpp"
#include "rng.hpp"

namespace limitsim {

LIMITSIM_INLINE std::uint64_t rng_only_customer_path(std::uint64_t seed, std::uint64_t id, std::uint32_t path,
                                                     int months) {
  KeyedPhilox rng(seed, id, path, kStreamCustomerMonth);
  double u = 0.0;  // summed in a fixed order: exact and the same on both backends
  for (int m = 0; m < months; ++m) {
    const MonthDraws d = next_month_draws(rng);
    for (int k = 0; k < kDrawsPerMonth; ++k) u += d.u[k];
  }
  return static_cast<std::uint64_t>(llround(u * 1024.0));
}

}  // namespace limitsim
