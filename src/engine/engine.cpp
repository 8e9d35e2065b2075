// The engine (engine.hpp): a run's factor model and LGD table, file populations, the simulation by batches.
#include "src/engine/engine.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <stdexcept>

#include <unistd.h>

#include "kernels/rng.hpp"
#include "kernels/special.hpp"
#include "src/engine/factors.hpp"
#include "src/data/panel.hpp"
#include "src/data/applicants.hpp"
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
void check_memory(const RunResults& r, std::size_t combos, bool vintages = false) {
  const double bytes =
      static_cast<double>(r.cells() + (vintages ? r.vintage_cells() : 0)) * combos * sizeof(std::int64_t);
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
  fm.hold_months = cfg.behaviour.params.rho_horizon_months;
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

namespace {

// The limit counts of every process's share, merged: the whole population's.
LimitCounts merged_limit_counts(const Comm& comm, const Panel& panel) {
  const LimitCounts mine = limit_counts(panel);
  std::string bytes(mine.size() * 2 * sizeof(std::int64_t), '\0');
  for (std::size_t k = 0; k < mine.size(); ++k) {
    std::memcpy(&bytes[(2 * k) * sizeof(std::int64_t)], &mine[k].first, sizeof(std::int64_t));
    std::memcpy(&bytes[(2 * k + 1) * sizeof(std::int64_t)], &mine[k].second, sizeof(std::int64_t));
  }
  std::map<std::int64_t, std::int64_t> all;
  for (const std::string& theirs : comm.gather_all(bytes)) {
    for (std::size_t k = 0; k + 1 < theirs.size() / sizeof(std::int64_t); k += 2) {
      std::int64_t limit = 0, count = 0;
      std::memcpy(&limit, &theirs[k * sizeof(std::int64_t)], sizeof limit);
      std::memcpy(&count, &theirs[(k + 1) * sizeof(std::int64_t)], sizeof count);
      all[limit] += count;
    }
  }
  return LimitCounts(all.begin(), all.end());
}

// The first few skip messages of every process (as many as one keeps), each once, rank 0's first.
std::vector<std::string> merged_examples(const Comm& comm, const std::vector<std::string>& mine) {
  constexpr std::size_t kExamples = 5;
  std::string joined;
  for (const std::string& e : mine) joined += e + '\n';
  std::vector<std::string> all;
  for (const std::string& theirs : comm.gather_all(joined)) {
    for (std::size_t a = 0, b; (b = theirs.find('\n', a)) != std::string::npos; a = b + 1) {
      const std::string e = theirs.substr(a, b - a);
      if (all.size() < kExamples && std::find(all.begin(), all.end(), e) == all.end()) all.push_back(e);
    }
  }
  return all;
}

FilePopulation load_file_share(RunConfig& cfg, const Comm& comm) {
  const auto t0 = std::chrono::steady_clock::now();
  PopulationConfig& pc = cfg.population;
  if (pc.kind != "file") throw std::logic_error("load_file_population: the population is synthetic");
  Mapping m;
  Panel panel;
  const Shard shard{comm.rank(), comm.size()};
  collective_step(comm, [&] {  // a bad row may be one process's alone (a repeated id)
    m = load_mapping(pc.mapping);
    panel = load_panel(pc.file, m, pc.on_bad_row == "skip" ? BadRowPolicy::kSkip : BadRowPolicy::kError,
                       HashMode::kConcurrent, shard);
  });
  if (comm.size() > 1) {
    const std::vector<std::string> hashes = comm.gather_all(panel.sha256);
    for (std::size_t k = 1; k < hashes.size(); ++k)
      if (hashes[k] != hashes[0])
        throw ConfigError(pc.file + ": rank " + std::to_string(k) + " read a file with SHA-256 " + hashes[k] +
                          " but rank 0 one with " + hashes[0] + ": every rank must read the same file");
    if (scores_by_limit_rank(m)) apply_limit_rank_scores(panel, merged_limit_counts(comm, panel), m.score.mean, m.score.sd);
  }
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
  SumAcross sum_across;
  if (comm.size() > 1) sum_across = [&comm](std::vector<__int128>& v) { sum_all_exact(comm, v); };
  fp.customers = population_from_panel(panel, as_of, pc, cfg.behaviour.params, nullptr, sum_across);
  // The whole population's counts (one process: its own).
  std::int64_t counts[3] = {panel.size() - fp.customers.size(), fp.customers.size(), panel.duplicates_skipped};
  comm.sum_all(counts, 3);
  fp.charged_off = counts[0];
  const std::int64_t customers = counts[1];
  // Portfolio sums are exact 64-bit cents (a wrong money_scale is the likely cause of an overflow).
  std::int64_t largest = 0;
  for (std::int64_t i = 0; i < fp.customers.size(); ++i) {
    const auto k = static_cast<std::size_t>(i);
    const std::int64_t b = fp.customers.balance[k] < 0 ? -fp.customers.balance[k] : fp.customers.balance[k];
    largest = std::max({largest, fp.customers.limit[k], b});
  }
  comm.max_all(&largest, 1);
  check_money_fits(largest, customers, pc.file + " (check the mapping's money_scale, " + m.source + ")");
  if (customers == 0)
    throw ConfigError(pc.file + ": every customer is charged off by " +
                      (panel.month_names.empty() ? std::string("the snapshot") : panel.month_names[static_cast<std::size_t>(as_of)]) +
                      ": nothing to simulate");
  fp.as_of = panel.month_names.empty() ? "" : panel.month_names[static_cast<std::size_t>(as_of)];
  fp.rows_read = panel.rows_read;
  fp.rows_skipped = panel.rows_skipped - panel.duplicates_skipped + counts[2];
  fp.skipped_examples = comm.size() > 1 ? merged_examples(comm, panel.skipped_examples) : panel.skipped_examples;
  panel.rows_skipped = fp.rows_skipped;  // the whole file's, for the report
  panel.skipped_examples = fp.skipped_examples;
  fp.report = load_report(panel, fp.customers, pc, sum_across);
  pc.customers = customers;
  pc.sha256 = panel.sha256;
  pc.as_of = fp.as_of;
  fp.load_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return fp;
}

}  // namespace

FilePopulation load_file_population(RunConfig& cfg, const Comm& shared_by) {
  FilePopulation fp;
  // Every later failure is the same on every process, but they must still agree before going on.
  collective_step(shared_by, [&] { fp = load_file_share(cfg, shared_by); });
  return fp;
}

namespace {

// The results' dimensions and labels, without sums.
RunResults empty_results(const RunConfig& cfg) {
  const PopulationConfig& pc = cfg.population;
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
  return r;
}

}  // namespace

void check_run_memory(const RunConfig& cfg) { check_memory(empty_results(cfg), cfg.scenarios.size() * cfg.policies.size()); }

RunShare run_share(const RunConfig& cfg, const Decomposition& d, bool root) {
  RunShare share;
  share.first = slice_begin(cfg.population.customers, d.slice, d.slices);
  share.count = slice_begin(cfg.population.customers, d.slice + 1, d.slices) - share.first;
  share.first_combo = d.first_combo;
  share.end_combo = d.end_combo;
  share.first_path = static_cast<std::int32_t>(slice_begin(cfg.paths, d.path_slice, d.path_slices));
  share.end_path = static_cast<std::int32_t>(slice_begin(cfg.paths, d.path_slice + 1, d.path_slices));
  share.count_customers = d.group == 0 && d.path_slice == 0;
  share.hold_all = root;
  share.slice = d.slice;
  share.slices = d.slices;
  return share;
}

void reduce_results(RunResults& r, const Comm& comm, int root) {
  if (comm.size() == 1) return;
  std::vector<std::int64_t> zeros;  // what a process adds for the pairs it did not simulate
  for (ComboSums& c : r.combos) {
    if (c.sums.empty() && comm.rank() == root) throw std::logic_error("reduce_results: the root must hold every pair");
    if (c.sums.empty() && zeros.empty()) zeros.assign(r.cells(), 0);
    comm.sum_to_root(c.sums.empty() ? zeros.data() : c.sums.data(), r.cells(), root);
  }
  if (!r.meta.applicant_volume.empty()) {  // the living book's vintage sums
    std::vector<std::int64_t> vzeros;
    for (ComboSums& c : r.combos) {
      if (c.vintages.empty() && vzeros.empty()) vzeros.assign(r.vintage_cells(), 0);
      comm.sum_to_root(c.vintages.empty() ? vzeros.data() : c.vintages.data(), r.vintage_cells(), root);
    }
  }
  comm.sum_to_root(r.segment_customers.data(), r.segment_customers.size(), root);
}

namespace {

// A constant book ([acquisition] constant_book): the applicants per month that keep the number of open
// accounts at the opening count, found by a pilot run (docs/model.md "Constant book"): the baseline
// policy in the first scenario, on up to kPilotCustomers of the opening book and as many applicants
// arriving in the first arrival month, over up to kPilotPaths paths. It measures the opening book's
// survival S(m) (open accounts at month end / opening count), the approval rate A and a new cohort's
// survival T(k) by months on book; month by month, V(m) = (N (1 - S(m)) - sum over a < m of
// V(a) A T(m - a)) / (A T(0)) replaces what has run off (never below 0).
constexpr double kMaxMonthlyApplicants = 1e9;  // as [acquisition] monthly_applicants allows

std::vector<std::int64_t> constant_book_volume(const RunConfig& cfg, Backend& backend) {
  constexpr std::int64_t kPilotCustomers = 20000;
  constexpr std::int32_t kPilotPaths = 8;
  const int f = cfg.acquisition.first_month - 1;
  RunConfig pilot = cfg;
  const std::string base = cfg.baseline.empty() ? cfg.policies.front().name : cfg.baseline;
  for (const PolicyConfig& p : cfg.policies)
    if (p.name == base) pilot.policies = {p};
  pilot.scenarios = {cfg.scenarios.front()};
  for (ScenarioMonth& m : pilot.scenarios.front().months) m.applicant_mult = 1.0;  // every pilot applicant applies
  pilot.importance_shift = 0.0;  // plain means over the pilot's paths
  pilot.paths = std::min(cfg.paths, kPilotPaths);
  const std::int64_t sample = std::min(cfg.population.customers, kPilotCustomers);
  pilot.population.customers = sample;
  pilot.acquisition.constant_book = false;
  pilot.acquisition.monthly_share = 0.0;
  pilot.acquisition.first_month = 1;
  pilot.acquisition.monthly_applicants.assign(static_cast<std::size_t>(f) + 2, 0.0);  // one cohort, in month f
  pilot.acquisition.monthly_applicants[static_cast<std::size_t>(f)] = static_cast<double>(sample);
  pilot.months = cfg.months;
  const RunResults r = run_simulation(pilot, backend);
  const ComboSums& c = r.combos.front();
  auto total = [&](int m, int metric) {
    std::int64_t t = 0;
    for (int p = 0; p < r.paths; ++p) t += r.portfolio(c, p, m, metric);
    return static_cast<double>(t);
  };
  const double applied = total(f, kApplicantCount), opened = c.vintages[r.vintage_index(f, 0, kVintOpened)];
  if (applied <= 0.0 || opened <= 0.0)
    throw ConfigError(cfg.source + ": acquisition.constant_book: the baseline policy " + base +
                      " approves none of the pilot's " + std::to_string(static_cast<long long>(applied / r.paths)) +
                      " applicants in month " + std::to_string(f + 1) + ": no volume can keep the book constant");
  const double approval = opened / applied;
  const double n0 = static_cast<double>(cfg.population.customers);
  std::vector<double> survive_new(static_cast<std::size_t>(cfg.months), 0.0);  // T(k)
  for (int k = 0; f + k < cfg.months; ++k)
    survive_new[static_cast<std::size_t>(k)] = c.vintages[r.vintage_index(f, k, kVintActive)] / opened;
  std::vector<std::int64_t> volume(static_cast<std::size_t>(cfg.months), 0);
  std::vector<double> exact(static_cast<std::size_t>(cfg.months), 0.0);
  for (int m = f; m < cfg.months; ++m) {
    // The opening book's survival: open accounts at month end less the pilot cohort's.
    const double open_book = total(m, kActive) - c.vintages[r.vintage_index(f, m - f, kVintActive)];
    const double survive = open_book / (static_cast<double>(sample) * r.paths);
    double need = n0 * (1.0 - survive);
    for (int a = f; a < m; ++a) need -= exact[static_cast<std::size_t>(a)] * approval * survive_new[static_cast<std::size_t>(m - a)];
    const double per = approval * survive_new[0];
    const double want = per > 0.0 ? std::max(0.0, need / per) : 0.0;  // applicants present in the first scenario
    const double mult = cfg.scenarios.front().months[static_cast<std::size_t>(m)].applicant_mult;
    // The volume at multiplier 1 that brings them (none where the scenario lets nobody apply), within the
    // bound of monthly_applicants; what arrives is what later months build on.
    const double v = mult > 0.0 ? std::round(want / mult) : 0.0;
    if (v > kMaxMonthlyApplicants)
      throw ConfigError(cfg.source + ": acquisition.constant_book: month " + std::to_string(m + 1) + " would need " +
                        std::to_string(static_cast<long long>(std::min(v, 9e18))) +
                        " applicants (more than 1e9): the first scenario's applicant_multiplier is too small there");
    volume[static_cast<std::size_t>(m)] = static_cast<std::int64_t>(v);
    exact[static_cast<std::size_t>(m)] = v * mult;
  }
  return volume;
}

}  // namespace

RunResults run_simulation(const RunConfig& cfg, Backend& backend, const ProgressFn& progress,
                          const Population* file, const RunShare* share) {
  const auto t0 = std::chrono::steady_clock::now();
  const PopulationConfig& pc = cfg.population;
  if ((pc.kind == "file") != (file != nullptr))
    throw std::logic_error("run_simulation: a file population must be loaded first (load_file_population)");
  if (file && !share && file->size() != pc.customers)
    throw std::logic_error("run_simulation: the loaded population does not match the configuration");
  if (!file)
    check_money_fits(largest_synthetic_line(cfg), pc.customers,
                     "population.customers x the largest line (population.existing_line_max, policies' max_limit)");
  RunResults r = empty_results(cfg);
  const std::size_t n_combos = cfg.scenarios.size() * cfg.policies.size();
  check_memory(r, n_combos, cfg.acquisition.enabled);
  // The living book: how many applicants arrive each month (a constant book runs a pilot first).
  const bool acquiring = cfg.acquisition.enabled;
  if (acquiring && (cfg.acquisition.first_month < 1 || cfg.acquisition.first_month > cfg.months || file))
    throw std::logic_error("run_simulation: [acquisition] needs a synthetic population and first_month in 1..months");
  if (acquiring) {
    r.meta.applicant_volume =
        cfg.acquisition.constant_book ? constant_book_volume(cfg, backend) : configured_volume(cfg);
    r.meta.constant_book = cfg.acquisition.constant_book;
  }
  const std::size_t own_begin = share ? static_cast<std::size_t>(share->first_combo) : 0;
  const std::size_t own_end = share ? static_cast<std::size_t>(share->end_combo) : n_combos;
  for (const auto& s : cfg.scenarios) {
    for (const auto& p : cfg.policies) {
      const std::size_t k = r.combos.size();
      const bool held = (k >= own_begin && k < own_end) || !share || share->hold_all;
      r.combos.push_back(ComboSums{s.name, p.name, std::vector<std::int64_t>(held ? r.cells() : 0, 0),
                                   std::vector<std::int64_t>(held && acquiring ? r.vintage_cells() : 0, 0)});
    }
  }

  const FactorModel fm = factor_model(cfg);
  const FactorDraws factors = systematic_factors(cfg.seed, cfg.paths, cfg.months, fm);
  r.path_weight = factors.weight;
  const BehaviourParams& bp = cfg.behaviour.params;
  const std::vector<double> lgd = lgd_table(bp);

  // One view per (scenario, policy) pair simulated, scenario-major like r.combos.
  std::vector<ModelView> views;
  std::vector<std::int64_t*> sums, vintages;
  for (std::size_t s = 0; s < cfg.scenarios.size(); ++s) {
    for (std::size_t q = 0; q < cfg.policies.size(); ++q) {
      const std::size_t k = s * cfg.policies.size() + q;
      if (k < own_begin || k >= own_end) continue;
      views.push_back(model_view(bp, cfg.policies[q].params, cfg.scenarios[s].months.data(), factors, fm, lgd,
                                 cfg.seed, cfg.months, cfg.paths));
      sums.push_back(r.combos[k].sums.data());
      vintages.push_back(r.combos[k].vintages.data());
    }
  }

  // The customers simulated here: all, or the share's (synthetic ids from first_id; a file population's shard).
  const std::int64_t n = !share ? pc.customers : file ? file->size() : share->count;
  const std::int64_t first_id = share && !file ? share->first : 0;
  const bool count_customers = !share || share->count_customers;
  // The paths simulated here: all, or the share's (the sums keep every path's place).
  const int first_path = share ? share->first_path : 0;
  const int end_path = share && share->end_path >= 0 ? share->end_path : cfg.paths;
  if (first_path < 0 || end_path > cfg.paths || first_path > end_path)
    throw std::logic_error("run_simulation: the share's paths are outside the run's");
  const std::int64_t batch = std::max<std::int64_t>(1, cfg.batch_size);
  // The living book's applicants, simulated after the opening book: this process's slice of every month's pool.
  ApplicantPlan plan;
  if (acquiring) plan = plan_applicants(cfg, r.meta.applicant_volume);
  r.meta.applicants = plan.total;
  // The vintage sums add balances over every path (the opening book's row, all its customers): they must fit.
  if (acquiring && !file &&
      static_cast<double>(largest_synthetic_line(cfg)) * static_cast<double>(pc.customers + plan.total) * cfg.paths >
          4.6e18)
    throw ConfigError("[acquisition]: customers and applicants x paths x the largest line could overflow the exact "
                      "64-bit vintage sums in cents; use fewer paths or customers");
  const std::int64_t a0 = share ? slice_begin(plan.total, share->slice, share->slices) : 0;
  const std::int64_t a1 = share ? slice_begin(plan.total, share->slice + 1, share->slices) : plan.total;
  const double units = static_cast<double>(n + (a1 - a0));  // progress: customers and applicants
  std::int64_t first = 0, count = 0;
  struct ProgressGuard {  // the callback refers to locals: never leave it behind
    Backend& b;
    ~ProgressGuard() { b.set_progress({}); }
  } guard{backend};
  if (progress)
    backend.set_progress([&](double f) { progress((static_cast<double>(first) + f * count) / units); });
  for (first = 0; first < n; first += batch) {
    if (cancel_flag().load()) throw Cancelled();
    count = std::min(batch, n - first);
    Population generated;
    CustomerView view;
    if (file) {
      view = file->view(first, count);
    } else {
      generated = generate_population(pc, cfg.seed, first_id + first, count, cfg.threads);
      view = generated.view();
    }
    if (count_customers)
      for (std::int64_t i = 0; i < view.n; ++i) ++r.segment_customers[view.segment[i]];
    backend.set_customers(view);
    // (With acquisition, the vintage sums go with every launch: one run for the CUDA backend.)
    backend.simulate(views.data(), static_cast<int>(views.size()), end_path, r.segments, sums.data(), first_path,
                     acquiring ? vintages.data() : nullptr);
    if (cancel_flag().load()) throw Cancelled();
  }
  if (acquiring && a1 > a0) {
    const Population all = generate_applicants(cfg, plan, cfg.threads);
    for (std::int64_t at = a0; at < a1; at += batch) {
      if (cancel_flag().load()) throw Cancelled();
      first = n + (at - a0);
      count = std::min(batch, a1 - at);
      const CustomerView view = all.view(at, count);
      backend.set_customers(view);
      backend.simulate(views.data(), static_cast<int>(views.size()), end_path, r.segments, sums.data(), first_path,
                       vintages.data());
      if (cancel_flag().load()) throw Cancelled();
    }
  }
  backend.finish();  // an asynchronous backend (CUDA) completes the sums here
  if (cancel_flag().load()) throw Cancelled();

  r.meta.name = cfg.name;
  r.meta.backend = backend.name();
  r.meta.device = backend.device();
  r.meta.seed = cfg.seed;
  r.meta.customers = pc.customers;
  r.meta.threads = cfg.threads;
  r.meta.batch_size = cfg.batch_size;
  r.meta.cost_of_funds = cfg.cost_of_funds;
  r.meta.pnl = cfg.pnl;
  r.meta.baseline_policy = cfg.baseline.empty() ? cfg.policies.front().name : cfg.baseline;
  r.meta.importance_shift = cfg.importance_shift;
  r.meta.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace limitsim
