// CPU throughput benchmark: customer-months per second on the quickstart model.
//   limitsim_bench [CONFIG] [--sweep] [--threads K ...] [--customers N] [--paths P] [--json FILE]
// --sweep reads CONFIG as a sweep file (base policy + grid variants) and also
// reports the cost per policy variant.
// Customer-months counts every (customer, path, month, scenario, policy) cell,
// closed accounts included (they are skipped, which is part of the model's cost).
#include <omp.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "src/config/config.hpp"
#include "src/engine/engine.hpp"
#include "src/analysis/summary.hpp"

using namespace limitsim;

int main(int argc, char** argv) {
  std::string config = "configs/quickstart.toml", json;
  std::vector<int> thread_counts;
  Overrides o;
  int repeats = 3;
  bool sweep = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) { std::fprintf(stderr, "%s needs a value\n", a.c_str()); std::exit(2); }
      return argv[++i];
    };
    if (a == "--threads") thread_counts.push_back(std::stoi(next()));
    else if (a == "--customers") o.customers = std::stoll(next());
    else if (a == "--paths") o.paths = std::stoi(next());
    else if (a == "--months") o.months = std::stoi(next());
    else if (a == "--repeats") repeats = std::stoi(next());
    else if (a == "--json") json = next();
    else if (a == "--sweep") sweep = true;
    else config = a;
  }
  if (thread_counts.empty()) thread_counts = {1, omp_get_max_threads()};
  try {
    RunConfig cfg = sweep ? load_sweep_config(config).run : load_run_config(config);
    apply_overrides(cfg, o);
    const double cm = static_cast<double>(cfg.population.customers) * cfg.paths * cfg.months *
                      cfg.scenarios.size() * cfg.policies.size();
    std::string rows;
    const std::size_t policies = cfg.policies.size();
    std::printf("%zu policies x %zu scenarios, %lld customers, %d paths, %d months\n", policies, cfg.scenarios.size(),
                static_cast<long long>(cfg.population.customers), cfg.paths, cfg.months);
    std::printf("%-8s %-12s %-16s %-22s %-14s\n", "threads", "best_s", "cust-months/s", "cust-months/s/thread",
                "s/policy");
    double summary_s = 0.0;
    for (int t : thread_counts) {
      cfg.threads = t;
      auto backend = make_cpu_backend(t);
      double best = 1e300;
      for (int r = 0; r < repeats; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        const RunResults res = run_simulation(cfg, *backend);
        best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        if (r == 0 && t == thread_counts.back()) {  // the host-side derivation (tail figures, bootstrap), once
          const auto s0 = std::chrono::steady_clock::now();
          const Summary sum = compute_summary(res);
          (void)sum;
          summary_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - s0).count();
        }
      }
      const double per_policy = best / static_cast<double>(policies * cfg.scenarios.size());
      std::printf("%-8d %-12.3f %-16.3e %-22.3e %-14.3f\n", t, best, cm / best, cm / best / t, per_policy);
      char buf[320];
      std::snprintf(buf, sizeof buf,
                    "%s{\"threads\": %d, \"best_seconds\": %.4f, \"customer_months_per_s\": %.4e, "
                    "\"seconds_per_policy_variant\": %.4f}",
                    rows.empty() ? "" : ", ", t, best, cm / best, per_policy);
      rows += buf;
    }
    std::printf("summary (host, single thread): %.3f s\n", summary_s);
    if (!json.empty()) {
      std::ofstream out(json);
      out << "{\"config\": \"" << config << "\", \"customers\": " << cfg.population.customers << ", \"paths\": "
          << cfg.paths << ", \"months\": " << cfg.months << ", \"policies\": " << policies << ", \"scenarios\": "
          << cfg.scenarios.size() << ", \"customer_months\": " << cm << ", \"summary_seconds\": " << summary_s
          << ", \"runs\": [" << rows
          << "]}\n";
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
