// CPU backend: the shared model under OpenMP. Each thread accumulates into a
// private [month][segment][metric] array for the current path; the arrays are
// merged with integer adds, so the result does not depend on the thread count
// or the schedule.
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

// One customer on one path, all months, into a private accumulator
// acc[month][segment][metric].
void simulate_customer_path(const ModelView& mv, const Customer& c, int path, int segments, std::int64_t* acc) {
  KeyedPhilox rng(mv.seed, c.id, static_cast<std::uint32_t>(path), kStreamCustomerMonth);
  AccountState s = init_state(mv, c);
  const double* z = mv.factor + static_cast<std::size_t>(path) * mv.months;
  for (int m = 0; m < mv.months && s.open; ++m) {
    const MonthDraws d = next_month_draws(rng);
    const MonthOutcome o = step_month(mv, c, s, m, d, z[m]);
    RowSink sink{acc + (static_cast<std::size_t>(m) * segments + c.segment) * kNumMetrics};
    accumulate(o, sink);
  }
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

  void simulate(const ModelView& mv, int paths, int segments, std::int64_t* sums) override {
    const std::size_t stride = static_cast<std::size_t>(mv.months) * segments * kNumMetrics;
    const std::int64_t n = customers_.n;
    const CustomerView cv = customers_;
    bool stop = false;
#pragma omp parallel num_threads(threads_)
    {
      std::vector<std::int64_t> acc(stride);
      for (int p = 0; p < paths; ++p) {
#pragma omp single
        stop = cancel_flag().load();
        if (stop) break;  // every thread read the same value after the single's barrier
        std::fill(acc.begin(), acc.end(), 0);
#pragma omp for schedule(dynamic, 512)
        for (std::int64_t i = 0; i < n; ++i) {
          simulate_customer_path(mv, load_customer(cv, i), p, segments, acc.data());
        }
        std::int64_t* out = sums + static_cast<std::size_t>(p) * stride;
#pragma omp critical(limitsim_merge)
        for (std::size_t k = 0; k < stride; ++k) out[k] += acc[k];
#pragma omp barrier
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
