// Throughput benchmark of either backend: customer-months per second of the
// full model, and of the RNG-only roofline (kernels/roofline.hpp).
//   limitsim_bench [CONFIG] [--sweep] [--backend cpu|cuda] [--threads K ...] [--customers N] [--paths P]
//                  [--months T] [--batch-size B] [--repeats R] [--time-box S] [--rng-only] [--no-summary]
//                  [--json FILE]
// Customer-months counts every (customer, path, month, scenario, policy) cell
// (and, in a run that acquires, every applicant's cell from its arrival month),
// closed accounts included (they are skipped, which is part of the model's
// cost); the open ones (accounts open at the start of the month) are reported
// too. End-to-end time covers generating the population, uploading it,
// simulating and reducing, not the HDF5 write; on the GPU, kernel time is
// measured with CUDA events.
// --time-box S: a pilot run at 1 path estimates the cost, and the measured
// runs use the most paths (up to the requested number) that fit in S seconds;
// the JSON then says which share of the requested work was measured.
// --sweep reads CONFIG as a sweep file (base policy + grid variants).
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "src/config/config.hpp"
#include "src/data/applicants.hpp"
#include "src/engine/engine.hpp"
#include "src/analysis/summary.hpp"

using namespace limitsim;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Customer-months on accounts open at the start of the month, all pairs.
double open_customer_months(const RunResults& r) {
  double total = 0.0;
  for (const ComboSums& c : r.combos)
    for (int p = 0; p < r.paths; ++p)
      for (int t = 0; t < r.months; ++t) {
        const PortfolioRow row = r.portfolio_row(c, p, t);
        total += static_cast<double>(row[kActive] + row[kChargeoffCount] + row[kAttritedCount]);
      }
  return total;
}

struct Measured {
  double best_wall = 1e300, best_kernel = 1e300, open_cm = 0.0, summary_s = 0.0;
};

Measured measure(const RunConfig& cfg, Backend& backend, int repeats, bool summary) {
  Measured m;
  for (int r = 0; r < repeats; ++r) {
    const double k0 = backend.kernel_seconds();
    const auto t0 = std::chrono::steady_clock::now();
    const RunResults res = run_simulation(cfg, backend);
    m.best_wall = std::min(m.best_wall, seconds_since(t0));
    m.best_kernel = std::min(m.best_kernel, backend.kernel_seconds() - k0);
    if (r == 0) {
      m.open_cm = open_customer_months(res);
      if (summary) {  // the host-side derivation (tail figures, bootstrap), once
        const auto s0 = std::chrono::steady_clock::now();
        const Summary sum = compute_summary(res);
        (void)sum;
        m.summary_s = seconds_since(s0);
      }
    }
  }
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  std::string config = "configs/quickstart.toml", json, backend_name = "cpu";
  std::vector<int> thread_counts;
  Overrides o;
  int repeats = 3;
  double time_box = 0.0;
  bool sweep = false, rng_only = false, summary = true;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) { std::fprintf(stderr, "%s needs a value\n", a.c_str()); std::exit(2); }
      return argv[++i];
    };
    try {
      if (a == "--threads") thread_counts.push_back(std::stoi(next()));
      else if (a == "--customers") o.customers = std::stoll(next());
      else if (a == "--paths") o.paths = std::stoi(next());
      else if (a == "--months") o.months = std::stoi(next());
      else if (a == "--batch-size") o.batch_size = std::stoll(next());
      else if (a == "--repeats") repeats = std::stoi(next());
      else if (a == "--time-box") time_box = std::stod(next());
      else if (a == "--backend") backend_name = next();
      else if (a == "--json") json = next();
      else if (a == "--sweep") sweep = true;
      else if (a == "--rng-only") rng_only = true;
      else if (a == "--no-summary") summary = false;
      else if (!a.empty() && a[0] == '-') { std::fprintf(stderr, "unknown option %s\n", a.c_str()); return 2; }
      else config = a;
    } catch (const std::exception&) {
      std::fprintf(stderr, "%s: not a number\n", a.c_str());
      return 2;
    }
  }
  if (backend_name != "cpu" && backend_name != "cuda") { std::fprintf(stderr, "--backend: cpu or cuda\n"); return 2; }
  if (repeats < 1) { std::fprintf(stderr, "--repeats: at least 1\n"); return 2; }
  if (thread_counts.empty()) thread_counts = backend_name == "cpu" ? std::vector<int>{1, omp_get_max_threads()}
                                                                   : std::vector<int>{omp_get_max_threads()};
  try {
    RunConfig cfg = sweep ? load_sweep_config(config).run : load_run_config(config);
    apply_overrides(cfg, o);
    const int requested_paths = cfg.paths;
    const std::size_t combos = cfg.scenarios.size() * cfg.policies.size();
    // The RNG-only roofline draws once per (customer, path, month), as one pair of the model does.
    const double pairs = rng_only ? 1.0 : static_cast<double>(combos);
    // The living book: every applicant counts from its arrival month (a constant book's pilot is not counted).
    double applicant_cells = 0.0;  // sum over months of (applicants drawn) x (months simulated from the arrival)
    if (cfg.acquisition.enabled && !cfg.acquisition.constant_book) {
      const ApplicantPlan plan = plan_applicants(cfg, configured_volume(cfg));
      for (int m = 0; m < cfg.months; ++m)
        applicant_cells += static_cast<double>(plan.pool[static_cast<std::size_t>(m)]) * (cfg.months - m);
    }
    auto cm_of = [&](int paths) {
      return (static_cast<double>(cfg.population.customers) * cfg.months + (rng_only ? 0.0 : applicant_cells)) * paths *
             pairs;
    };
    std::string rows;
    std::printf("%s backend, %s: %zu policies x %zu scenarios, %lld customers, %d paths, %d months\n",
                backend_name.c_str(), rng_only ? "RNG-only roofline" : "full model", cfg.policies.size(),
                cfg.scenarios.size(), static_cast<long long>(cfg.population.customers), cfg.paths, cfg.months);
    std::printf("%-8s %-7s %-11s %-13s %-16s %-16s %-14s\n", "threads", "paths", "wall_s", "kernel_s",
                "cust-months/s", "per-thread", "kernel cm/s");
    std::string device;
    double summary_s = 0.0;
    for (int t : thread_counts) {
      cfg.threads = t;
      auto backend = backend_name == "cpu" ? make_cpu_backend(t) : make_cuda_backend();
      device = backend->device();
      // Pilots at 1 and 2 paths: warm the device up and size the time box. A
      // run costs about fixed + paths x per_path (on the GPU the fixed part,
      // generating the population on the host, can dominate one path).
      if (time_box > 0.0) {
        auto pilot = [&](int paths) {
          RunConfig p = cfg;
          p.paths = paths;
          double s = 0.0;
          const auto t0 = std::chrono::steady_clock::now();
          if (rng_only) backend->rng_only(cfg.seed, cfg.population.customers, paths, cfg.months, &s);
          else run_simulation(p, *backend);
          return seconds_since(t0);
        };
        const double t1 = pilot(1);
        const double t2 = t1 < time_box / 4 ? pilot(2) : 2 * t1;
        const double per_path = std::max(t2 - t1, std::max(t1, 1e-6) / 64);
        const double fixed = std::max(0.0, t1 - per_path);
        const int fit = static_cast<int>(std::floor((time_box / repeats - fixed) / per_path));
        cfg.paths = std::max(1, std::min(requested_paths, fit));
      }
      double wall = 0.0, kernel = 0.0, open_cm = 0.0;
      std::uint64_t checksum = 0;
      if (rng_only) {
        wall = kernel = 1e300;
        for (int r = 0; r < repeats; ++r) {
          double s = 0.0;
          const auto t0 = std::chrono::steady_clock::now();
          checksum = backend->rng_only(cfg.seed, cfg.population.customers, cfg.paths, cfg.months, &s);
          wall = std::min(wall, seconds_since(t0));
          kernel = std::min(kernel, s);
        }
      } else {
        const Measured m = measure(cfg, *backend, repeats, summary && t == thread_counts.back());
        wall = m.best_wall;
        kernel = backend_name == "cuda" ? m.best_kernel : m.best_wall;
        open_cm = m.open_cm;
        if (m.summary_s > 0.0) summary_s = m.summary_s;
      }
      const double cm = cm_of(cfg.paths);
      const double per_variant = wall / static_cast<double>(combos);
      std::printf("%-8d %-7d %-11.4f %-13.4f %-16.4e %-16.4e %-14.4e\n", t, cfg.paths, wall, kernel, cm / wall,
                  cm / wall / (backend_name == "cpu" ? t : 1), cm / kernel);
      char buf[700];
      std::snprintf(buf, sizeof buf,
                    "%s{\"threads\": %d, \"paths\": %d, \"customer_months\": %.6e, \"open_customer_months\": %.6e, "
                    "\"best_seconds\": %.6f, \"kernel_seconds\": %.6f, \"customer_months_per_s\": %.6e, "
                    "\"kernel_customer_months_per_s\": %.6e, \"seconds_per_policy_variant\": %.6f, "
                    "\"share_of_requested\": %.6f, \"checksum\": %llu}",
                    rows.empty() ? "" : ", ", t, cfg.paths, cm, open_cm, wall, kernel, cm / wall, cm / kernel,
                    per_variant, cm / cm_of(requested_paths), static_cast<unsigned long long>(checksum));
      rows += buf;
    }
    if (summary && !rng_only) std::printf("summary (host, single thread): %.3f s\n", summary_s);
    if (!json.empty()) {
      std::ofstream out(json);
      out << "{\"config\": \"" << config << "\", \"backend\": \"" << backend_name << "\", \"device\": \"" << device
          << "\", \"mode\": \"" << (rng_only ? "rng_only" : "full_model") << "\", \"customers\": "
          << cfg.population.customers << ", \"requested_paths\": " << requested_paths << ", \"months\": "
          << cfg.months << ", \"policies\": " << cfg.policies.size() << ", \"scenarios\": " << cfg.scenarios.size()
          << ", \"batch_size\": " << cfg.batch_size << ", \"summary_seconds\": " << summary_s << ", \"runs\": ["
          << rows << "]}\n";
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
