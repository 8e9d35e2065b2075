// CPU backend: the shared model under OpenMP. The work is split into tasks of
// (path, block of customers), so that runs with few customers and many paths
// keep every core busy without a barrier per path. A customer's draws for a
// path are generated once and reused by every (scenario, policy) pair of the
// launch. Each thread accumulates into a private [pair][month][segment][metric]
// array for the path it is working on and adds it into the path's sums, under
// that path's lock, when it moves to another path. Integer adds: the result
// does not depend on the thread count, the task size or the schedule.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <mutex>
#include <vector>

#include "backend.hpp"
#include "model.hpp"
#include "reduce.hpp"
#include "roofline.hpp"

namespace limitsim {

std::atomic<bool>& cancel_flag() {
  static std::atomic<bool> flag{false};
  return flag;
}

namespace {

constexpr std::int64_t kTaskCustomers = 256;  // customers per (path, block) task

// The draws of one customer on one path, every month it is simulated in
// (draws[k] is month first_month(c) + k): generated once and shared by all
// (scenario, policy) pairs of the launch.
void customer_path_draws(const ModelView& mv, const Customer& c, int path, MonthDraws* draws) {
  KeyedPhilox rng(mv.seed, c.id, static_cast<std::uint32_t>(path), kStreamCustomerMonth);
  for (int k = 0; k < mv.months - first_month(c); ++k) draws[k] = next_month_draws(rng);
}

// One customer on one path under one pair, all months, into a private
// accumulator acc[month][segment][metric], and an applicant's account also
// into vint[cohort][months on book][vintage metric] (vint may be null otherwise).
void simulate_customer_path(const ModelView& mv, const Customer& c, int path, const MonthDraws* draws, int segments,
                            std::int64_t* acc, std::int64_t* vint) {
  AccountState s = init_state(mv, c);
  const double* z = mv.factor + static_cast<std::size_t>(path) * mv.months * mv.factors + c.region;
  const int m0 = first_month(c);
  // A closed account stops, unless a charge-off's recovery is still being collected.
  for (int m = m0; m < mv.months && (m == m0 || s.open || s.recovery_total > 0); ++m) {
    const MonthOutcome o = customer_month(mv, c, s, m, draws[m - m0], z[static_cast<std::size_t>(m) * mv.factors]);
    RowSink sink{acc + (static_cast<std::size_t>(m) * segments + c.segment) * kNumMetrics};
    accumulate(o, sink);
    if (c.applicant && vint != nullptr) {
      RowSink vs{vint + (static_cast<std::size_t>(c.arrival) * mv.months + (m - m0)) * kNumVintageMetrics};
      accumulate_vintage(o, vs);
    }
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

  void simulate(const ModelView* mvs, int n_combos, int paths, int segments, std::int64_t* const* sums,
                int first_path = 0, std::int64_t* const* vintages = nullptr) override {
    if (n_combos < 1 || first_path < 0 || paths <= first_path || customers_.n == 0) return;
    const ModelView& mv0 = mvs[0];  // months, seed and factors are common to the launch
    const std::size_t stride = static_cast<std::size_t>(mv0.months) * segments * kNumMetrics;
    const std::size_t vstride =
        vintages ? static_cast<std::size_t>(mv0.months) * mv0.months * kNumVintageMetrics : 0;
    const int per_pass = combos_per_pass(stride + vstride, n_combos);
    std::mutex vintage_lock;
    const std::int64_t n = customers_.n;
    const CustomerView cv = customers_;
    const std::int64_t blocks = (n + kTaskCustomers - 1) / kTaskCustomers;
    const std::int64_t tasks = blocks * (paths - first_path);
    const int passes = (n_combos + per_pass - 1) / per_pass;
    std::vector<std::mutex> path_lock(static_cast<std::size_t>(paths));
    for (int k0 = 0, pass = 0; k0 < n_combos; k0 += per_pass, ++pass) {
      const int k1 = std::min(n_combos, k0 + per_pass);
      const std::size_t width = stride * static_cast<std::size_t>(k1 - k0);
      std::atomic<std::int64_t> done{0};
#pragma omp parallel num_threads(threads_)
      {
        std::vector<std::int64_t> acc(width, 0);
        std::vector<std::int64_t> vacc(vstride * static_cast<std::size_t>(k1 - k0), 0);  // over all its paths
        std::vector<MonthDraws> draws(static_cast<std::size_t>(mv0.months));
        int held = -1;  // the path whose sums acc holds
        auto merge = [&]() {
          if (held < 0) return;
          {
            const std::lock_guard<std::mutex> lock(path_lock[static_cast<std::size_t>(held)]);
            for (int k = k0; k < k1; ++k) {
              std::int64_t* out = sums[k] + static_cast<std::size_t>(held) * stride;
              const std::int64_t* in = acc.data() + static_cast<std::size_t>(k - k0) * stride;
              for (std::size_t j = 0; j < stride; ++j) out[j] += in[j];
            }
          }
          std::fill(acc.begin(), acc.end(), 0);
          held = -1;
        };
#pragma omp for schedule(dynamic, 1)
        for (std::int64_t t = 0; t < tasks; ++t) {
          if (cancel_flag().load(std::memory_order_relaxed)) continue;  // drain the loop: the run is discarded
          const int p = first_path + static_cast<int>(t / blocks);
          const std::int64_t first = (t % blocks) * kTaskCustomers;
          const std::int64_t last = std::min(n, first + kTaskCustomers);
          if (p != held) {
            merge();
            held = p;
          }
          for (std::int64_t i = first; i < last; ++i) {
            const Customer c = load_customer(cv, i);
            customer_path_draws(mv0, c, p, draws.data());
            for (int k = k0; k < k1; ++k)
              simulate_customer_path(mvs[k], c, p, draws.data(), segments,
                                     acc.data() + static_cast<std::size_t>(k - k0) * stride,
                                     vstride > 0 ? vacc.data() + static_cast<std::size_t>(k - k0) * vstride : nullptr);
          }
          const std::int64_t d = done.fetch_add(1, std::memory_order_relaxed) + 1;
          if (omp_get_thread_num() == 0)  // the progress callback is called from one host thread
            report((pass + static_cast<double>(d) / static_cast<double>(tasks)) / passes);
        }
        merge();
        if (vstride > 0) {
          const std::lock_guard<std::mutex> lock(vintage_lock);
          for (int k = k0; k < k1; ++k)
            for (std::size_t j = 0; j < vstride; ++j) vintages[k][j] += vacc[static_cast<std::size_t>(k - k0) * vstride + j];
        }
      }
    }
  }

  std::uint64_t rng_only(std::uint64_t seed, std::int64_t n, int paths, int months, double* seconds) override {
    const auto t0 = std::chrono::steady_clock::now();
    const std::int64_t cells = n * paths;
    std::uint64_t total = 0;
#pragma omp parallel for schedule(static) reduction(+ : total) num_threads(threads_)
    for (std::int64_t t = 0; t < cells; ++t) {
      const std::uint32_t path = static_cast<std::uint32_t>(t / n);
      const std::uint64_t id = static_cast<std::uint64_t>(t % n) + 1;
      total += rng_only_customer_path(seed, id, path, months);
    }
    if (seconds) *seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return total;
  }

 private:
  int threads_;
  CustomerView customers_{};
};

}  // namespace

std::unique_ptr<Backend> make_cpu_backend(int threads) { return std::make_unique<CpuBackend>(threads); }

std::unique_ptr<Backend> make_backend(const std::string& which, int threads, std::string* note) {
  if (note) note->clear();
  if (which == "cpu") return make_cpu_backend(threads);
  if (which == "cuda") return make_cuda_backend();
  bool gpu = false;
  const std::string why = cuda_device_description(&gpu);
  if (gpu) return make_cuda_backend();
  // A GPU that is present but unusable deserves a note; "no device" or "not built" does not.
  if (note && cuda_built() && why.find("no kernel image") != std::string::npos)
    *note = "--backend auto: using the CPU: " + why;
  return make_cpu_backend(threads);
}

}  // namespace limitsim
