// CPU backend: the shared model under OpenMP. For each path, threads take
// customers; a customer's draws for every month are generated once and reused
// by every (scenario, policy) pair of the launch. Each thread accumulates into
// a private [pair][month][segment][metric] array; the arrays are merged with
// integer adds, so the result does not depend on the thread count or schedule.
#include <omp.h>

#include <algorithm>
#include <fstream>
#include <vector>

#include "backend.hpp"
#include "model.hpp"
#include "reduce.hpp"

namespace limitsim {

std::atomic<bool>& cancel_flag() {
  static std::atomic<bool> flag{false};
  return flag;
}

namespace {

// The draws of one customer on one path, every month: generated once and
// shared by all (scenario, policy) pairs of the launch.
void customer_path_draws(const ModelView& mv, const Customer& c, int path, MonthDraws* draws) {
  KeyedPhilox rng(mv.seed, c.id, static_cast<std::uint32_t>(path), kStreamCustomerMonth);
  for (int m = 0; m < mv.months; ++m) draws[m] = next_month_draws(rng);
}

// One customer on one path under one pair, all months, into a private
// accumulator acc[month][segment][metric].
void simulate_customer_path(const ModelView& mv, const Customer& c, int path, const MonthDraws* draws, int segments,
                            std::int64_t* acc) {
  AccountState s = init_state(mv, c);
  const double* z = mv.factor + static_cast<std::size_t>(path) * mv.months * mv.factors + c.region;
  for (int m = 0; m < mv.months && s.open; ++m) {
    const MonthOutcome o = step_month(mv, c, s, m, draws[m], z[static_cast<std::size_t>(m) * mv.factors]);
    RowSink sink{acc + (static_cast<std::size_t>(m) * segments + c.segment) * kNumMetrics};
    accumulate(o, sink);
  }
}

// Pairs per pass: bounds each thread's private accumulator to about 32 MiB.
int combos_per_pass(std::size_t stride, int n_combos) {
  const std::size_t budget = std::size_t{32} << 20;
  const std::size_t per = std::max<std::size_t>(1, budget / (stride * sizeof(std::int64_t)));
  return static_cast<int>(std::min<std::size_t>(per, static_cast<std::size_t>(n_combos)));
}

std::string cpu_model_name() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(colon + 2);
    }
  }
  return "unknown CPU";
}

class CpuBackend final : public Backend {
 public:
  explicit CpuBackend(int threads) : threads_(threads > 0 ? threads : omp_get_max_threads()) {}

  std::string name() const override { return "cpu"; }
  std::string device() const override {
    return "CPU: " + cpu_model_name() + " (" + std::to_string(threads_) + " threads)";
  }
  void set_customers(const CustomerView& host) override { customers_ = host; }

  void simulate(const ModelView* mvs, int n_combos, int paths, int segments, std::int64_t* const* sums) override {
    if (n_combos < 1) return;
    const ModelView& mv0 = mvs[0];  // months, seed and factors are common to the launch
    const std::size_t stride = static_cast<std::size_t>(mv0.months) * segments * kNumMetrics;
    const int per_pass = combos_per_pass(stride, n_combos);
    const std::int64_t n = customers_.n;
    const CustomerView cv = customers_;
    bool stop = false;
#pragma omp parallel num_threads(threads_)
    {
      std::vector<std::int64_t> acc(stride * static_cast<std::size_t>(per_pass));
      std::vector<MonthDraws> draws(static_cast<std::size_t>(mv0.months));
      bool quit = false;  // this thread's copy: `stop` may be rewritten by the next single
      for (int p = 0; p < paths && !quit; ++p) {
        for (int k0 = 0; k0 < n_combos; k0 += per_pass) {
          const int k1 = std::min(n_combos, k0 + per_pass);
#pragma omp single
          stop = cancel_flag().load();
          quit = stop;  // every thread reads the same value after the single's barrier
          if (quit) break;
          std::fill(acc.begin(), acc.end(), 0);
#pragma omp for schedule(dynamic, 256)
          for (std::int64_t i = 0; i < n; ++i) {
            const Customer c = load_customer(cv, i);
            customer_path_draws(mv0, c, p, draws.data());
            for (int k = k0; k < k1; ++k)
              simulate_customer_path(mvs[k], c, p, draws.data(), segments,
                                     acc.data() + static_cast<std::size_t>(k - k0) * stride);
          }
#pragma omp critical(limitsim_merge)
          for (int k = k0; k < k1; ++k) {
            std::int64_t* out = sums[k] + static_cast<std::size_t>(p) * stride;
            const std::int64_t* in = acc.data() + static_cast<std::size_t>(k - k0) * stride;
            for (std::size_t j = 0; j < stride; ++j) out[j] += in[j];
          }
#pragma omp barrier
#pragma omp master
          report((p + static_cast<double>(k1) / n_combos) / paths);
        }
      }
    }
  }

 private:
  int threads_;
  CustomerView customers_{};
};

}  // namespace

std::unique_ptr<Backend> make_cpu_backend(int threads) { return std::make_unique<CpuBackend>(threads); }

}  // namespace limitsim
