// Per-customer monthly outcomes on the host (src/engine/trace.hpp), from the same model code as the backends.
#include "src/engine/trace.hpp"

#include <omp.h>

#include <vector>

#include "kernels/model.hpp"

namespace limitsim {

void trace_customers(const ModelView& mv, const CustomerView& cv, int paths, int threads, const TraceFn& fn) {
  const int nt = threads > 0 ? threads : omp_get_max_threads();
  const std::int64_t n = cv.n;
  const std::int64_t jobs = n * paths;
#pragma omp parallel num_threads(nt)
  {
    std::vector<MonthOutcome> out(static_cast<std::size_t>(mv.months));
#pragma omp for schedule(dynamic, 256)
    for (std::int64_t j = 0; j < jobs; ++j) {
      const std::int64_t i = j / paths;
      const int path = static_cast<int>(j % paths);
      const Customer c = load_customer(cv, i);
      // The same stream and factor indexing as the CPU backend (kernels/cpu_backend.cpp).
      KeyedPhilox rng(mv.seed, c.id, static_cast<std::uint32_t>(path), kStreamCustomerMonth);
      AccountState s = init_state(mv, c);
      const double* z = mv.factor + static_cast<std::size_t>(path) * mv.months * mv.factors + c.region;
      for (int m = 0; m < mv.months; ++m) {
        const MonthDraws d = next_month_draws(rng);
        out[static_cast<std::size_t>(m)] = step_month(mv, c, s, m, d, z[static_cast<std::size_t>(m) * mv.factors]);
      }
      fn(i, path, out.data());
    }
  }
}

}  // namespace limitsim
