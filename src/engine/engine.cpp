// The engine (engine.hpp): a run's factor model and LGD table, file populations, the simulation by batches.
#include "src/engine/engine.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include <unistd.h>

#include "kernels/rng.hpp"
#include "kernels/special.hpp"
#include "src/engine/factors.hpp"
#include "src/data/panel.hpp"
#include "src/data/population.hpp"

namespace limitsim {

std::vector<double> beta_quantile_table(double a, double b) {
  std::vector<double> q(kLgdTableSize);
  q.front() = 0.0;
  q.back() = 1.0;
  for (int i = 1; i < kLgdTableSize - 1; ++i) {
    const double p = static_cast<double>(i) / (kLgdTableSize - 1);
    double lo = 0.0, hi = 1.0;
    for (int it = 0; it < 100; ++it) {  // bisection: monotone, robust for any a, b > 0
      const double mid = 0.5 * (lo + hi);
      (beta_inc(a, b, mid) < p ? lo : hi) = mid;
    }
    q[i] = 0.5 * (lo + hi);
  }
  return q;
}

namespace {

// The exact sums live in memory for the whole run; refuse up front, naming the
// options, rather than fail later with bad_alloc.
void check_memory(const RunResults& r, std::size_t combos) {
  const double bytes = static_cast<double>(r.cells()) * combos * sizeof(std::int64_t);
  const double ram = static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGE_SIZE));
  if (ram > 0 && bytes > 0.5 * ram) {
    char msg[400];
    std::snprintf(msg, sizeof msg,
                  "--paths/--months: the run's exact sums need %.1f GiB (paths %d x months %d x segments %d x %d "
                  "metrics x 8 bytes x %zu scenario-policy pairs), more than half of this machine's %.1f GiB; "
                  "use fewer paths or months",
                  bytes / (1 << 30), r.paths, r.months, r.segments, kNumMetrics, combos, ram / (1 << 30));
    throw ConfigError(msg);
  }
}

}  // namespace

FactorModel factor_model(const RunConfig& cfg) {
  FactorModel fm;
  fm.regions = static_cast<int>(cfg.population.region_names.size());
  fm.loadings = factor_loadings(factor_correlation(cfg.behaviour, fm.regions), fm.regions);
  fm.ar1 = cfg.behaviour.factor_ar1;
  fm.region_weights = cfg.population.region_shares;
  fm.importance_shift = cfg.importance_shift;
  return fm;
}

std::vector<double> lgd_table(const BehaviourParams& bp) {
  return bp.lgd_mode == LgdMode::kBeta ? beta_quantile_table(bp.lgd_beta_a, bp.lgd_beta_b) : std::vector<double>{};
}

ModelView model_view(const BehaviourParams& bp, const PolicyParams& policy, const ScenarioMonth* scenario,
                     const FactorDraws& factors, const FactorModel& fm, const std::vector<double>& lgd,
                     std::uint64_t seed, std::int32_t months, std::int32_t paths) {
  ModelView mv{};
  mv.behaviour = bp;
  mv.policy = policy;
  mv.scenario = scenario;
  mv.factor = factors.z.data();
  mv.lgd_quantiles = lgd.empty() ? nullptr : lgd.data();
  mv.seed = seed;
  mv.months = months;
  mv.paths_total = paths;
  mv.factors = fm.regions;
  return mv;
}

FilePopulation load_file_population(RunConfig& cfg) {
  const auto t0 = std::chrono::steady_clock::now();
  PopulationConfig& pc = cfg.population;
  if (pc.kind != "file") throw std::logic_error("load_file_population: the population is synthetic");
  const Mapping m = load_mapping(pc.mapping);
  const Panel panel =
      load_panel(pc.file, m, pc.on_bad_row == "skip" ? BadRowPolicy::kSkip : BadRowPolicy::kError);
  if (!pc.sha256.empty() && pc.sha256 != panel.sha256)
    throw ConfigError(pc.file + ": SHA-256 " + panel.sha256 + " differs from the configuration's population.sha256 " +
                      pc.sha256 + ": the data file has changed since the configuration was written");
  std::int32_t as_of = panel.months - 1;
  if (!pc.as_of.empty()) {
    const auto it = std::find(panel.month_names.begin(), panel.month_names.end(), pc.as_of);
    if (it == panel.month_names.end()) {
      std::string names;
      for (const auto& n : panel.month_names) names += (names.empty() ? "" : ", ") + n;
      throw ConfigError("population.as_of (or --as-of): " + m.source + " names no month \"" + pc.as_of + "\" (months: " +
                        (names.empty() ? "none: the mapping has no [panel]" : names) + ")");
    }
    as_of = static_cast<std::int32_t>(it - panel.month_names.begin());
  }
  pc.region_names = panel.region_names.empty() ? std::vector<std::string>{"all"} : panel.region_names;
  pc.region_shares.assign(pc.region_names.size(), 1.0 / static_cast<double>(pc.region_names.size()));
  const std::size_t cells = pc.segment_names.size() * pc.region_names.size();
  if (cells > static_cast<std::size_t>(kMaxCells))
    throw ConfigError(m.source + ": " + std::to_string(pc.region_names.size()) + " regions x " +
                      std::to_string(pc.segment_names.size()) + " score bands is more than " +
                      std::to_string(kMaxCells) + " reporting segments");
  const auto regions = static_cast<std::int32_t>(pc.region_names.size());
  if (!cfg.behaviour.factor_correlation_matrix.empty() &&
      cfg.behaviour.factor_correlation_matrix.size() != static_cast<std::size_t>(regions))
    throw ConfigError("behaviour.factors.correlation: the matrix has " +
                      std::to_string(cfg.behaviour.factor_correlation_matrix.size()) + " rows but the mapping " +
                      m.source + " gives " + std::to_string(regions) + " regions");
  cfg.behaviour.regions = regions;
  FilePopulation fp;
  fp.customers = population_from_panel(panel, as_of, pc, cfg.behaviour.params);
  fp.charged_off = panel.size() - fp.customers.size();
  // Portfolio sums are exact 64-bit cents (a wrong money_scale is the likely cause of an overflow).
  std::int64_t largest = 0;
  for (std::int64_t i = 0; i < fp.customers.size(); ++i) {
    const auto k = static_cast<std::size_t>(i);
    const std::int64_t b = fp.customers.balance[k] < 0 ? -fp.customers.balance[k] : fp.customers.balance[k];
    largest = std::max({largest, fp.customers.limit[k], b});
  }
  check_money_fits(largest, fp.customers.size(), pc.file + " (check the mapping's money_scale, " + m.source + ")");
  if (fp.customers.size() == 0)
    throw ConfigError(pc.file + ": every customer is charged off by " +
                      (panel.month_names.empty() ? std::string("the snapshot") : panel.month_names[static_cast<std::size_t>(as_of)]) +
                      ": nothing to simulate");
  fp.as_of = panel.month_names.empty() ? "" : panel.month_names[static_cast<std::size_t>(as_of)];
  fp.rows_read = panel.rows_read;
  fp.rows_skipped = panel.rows_skipped;
  fp.skipped_examples = panel.skipped_examples;
  pc.customers = fp.customers.size();
  pc.sha256 = panel.sha256;
  pc.as_of = fp.as_of;
  fp.load_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return fp;
}

RunResults run_simulation(const RunConfig& cfg, Backend& backend, const ProgressFn& progress,
                          const Population* file) {
  const auto t0 = std::chrono::steady_clock::now();
  const PopulationConfig& pc = cfg.population;
  if ((pc.kind == "file") != (file != nullptr))
    throw std::logic_error("run_simulation: a file population must be loaded first (load_file_population)");
  if (file && file->size() != pc.customers)
    throw std::logic_error("run_simulation: the loaded population does not match the configuration");
  if (!file)
    check_money_fits(largest_synthetic_line(cfg), pc.customers,
                     "population.customers x the largest line (population.existing_line_max, policies' max_limit)");
  RunResults r;
  r.paths = cfg.paths;
  r.months = cfg.months;
  const auto bands = static_cast<std::int32_t>(pc.segment_names.size());
  const auto regions = static_cast<std::int32_t>(pc.region_names.size());
  r.segments = bands * regions;
  r.band_names = pc.segment_names;
  r.region_names = pc.region_names;
  for (std::int32_t b = 0; b < bands; ++b) {
    for (std::int32_t g = 0; g < regions; ++g) {
      r.segment_band.push_back(b);
      r.segment_region.push_back(g);
      r.segment_names.push_back(regions == 1 ? pc.segment_names[b] : pc.segment_names[b] + "/" + pc.region_names[g]);
    }
  }
  r.segment_customers.assign(r.segments, 0);
  for (const auto& s : cfg.scenarios) r.scenario_names.push_back(s.name);
  for (const auto& p : cfg.policies) r.policy_names.push_back(p.name);
  check_memory(r, cfg.scenarios.size() * cfg.policies.size());
  for (const auto& s : cfg.scenarios) {
    for (const auto& p : cfg.policies) r.combos.push_back(ComboSums{s.name, p.name, std::vector<std::int64_t>(r.cells(), 0)});
  }

  const FactorModel fm = factor_model(cfg);
  const FactorDraws factors = systematic_factors(cfg.seed, cfg.paths, cfg.months, fm);
  r.path_weight = factors.weight;
  const BehaviourParams& bp = cfg.behaviour.params;
  const std::vector<double> lgd = lgd_table(bp);

  // One view per (scenario, policy) pair, scenario-major like r.combos.
  std::vector<ModelView> views;
  std::vector<std::int64_t*> sums;
  for (std::size_t s = 0; s < cfg.scenarios.size(); ++s) {
    for (std::size_t q = 0; q < cfg.policies.size(); ++q) {
      views.push_back(model_view(bp, cfg.policies[q].params, cfg.scenarios[s].months.data(), factors, fm, lgd,
                                 cfg.seed, cfg.months, cfg.paths));
      sums.push_back(r.combos[views.size() - 1].sums.data());
    }
  }

  const std::int64_t n = pc.customers;
  const std::int64_t batch = std::max<std::int64_t>(1, cfg.batch_size);
  std::int64_t first = 0, count = 0;
  struct ProgressGuard {  // the callback refers to locals: never leave it behind
    Backend& b;
    ~ProgressGuard() { b.set_progress({}); }
  } guard{backend};
  if (progress)
    backend.set_progress([&](double f) { progress((static_cast<double>(first) + f * count) / static_cast<double>(n)); });
  for (first = 0; first < n; first += batch) {
    if (cancel_flag().load()) throw Cancelled();
    count = std::min(batch, n - first);
    Population generated;
    CustomerView view;
    if (file) {
      view = file->view(first, count);
    } else {
      generated = generate_population(pc, cfg.seed, first, count, cfg.threads);
      view = generated.view();
    }
    for (std::int64_t i = 0; i < view.n; ++i) ++r.segment_customers[view.segment[i]];
    backend.set_customers(view);
    backend.simulate(views.data(), static_cast<int>(views.size()), cfg.paths, r.segments, sums.data());
    if (cancel_flag().load()) throw Cancelled();
  }
  backend.finish();  // an asynchronous backend (CUDA) completes the sums here
  if (cancel_flag().load()) throw Cancelled();

  r.meta.name = cfg.name;
  r.meta.backend = backend.name();
  r.meta.device = backend.device();
  r.meta.seed = cfg.seed;
  r.meta.customers = n;
  r.meta.threads = cfg.threads;
  r.meta.batch_size = cfg.batch_size;
  r.meta.cost_of_funds = cfg.cost_of_funds;
  r.meta.baseline_policy = cfg.baseline.empty() ? cfg.policies.front().name : cfg.baseline;
  r.meta.importance_shift = cfg.importance_shift;
  r.meta.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace limitsim
