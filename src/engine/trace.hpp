// Per-customer monthly outcomes on the host, from the same model code
// (kernels/model.hpp) and the same keyed draws as the backends. The backends
// keep only sums; calibration round-trips and the backtest need each
// customer's path.
#pragma once

#include <cstdint>
#include <functional>

#include "kernels/customer.hpp"
#include "kernels/params.hpp"

namespace limitsim {

// Called once per (customer, path) with the outcomes of months 0..mv.months-1
// (a closed account's later months have was_open == false). Called from
// several threads at once, never twice for the same (customer, path).
using TraceFn = std::function<void(std::int64_t customer, int path, const MonthOutcome* months)>;

// Simulates paths [0, paths) of every customer of cv under one (scenario,
// policy) view; threads 0 = all cores.
void trace_customers(const ModelView& mv, const CustomerView& cv, int paths, int threads, const TraceFn& fn);

}  // namespace limitsim
