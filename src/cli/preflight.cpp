// What the commands check before they commit (preflight.hpp): outputs, seeds, the cost of a run.
#include "src/cli/preflight.hpp"

#include <omp.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

#include "src/analysis/pnl.hpp"
#include "src/analysis/summary.hpp"
#include "src/engine/cost.hpp"
#include "src/engine/engine.hpp"
#include "src/engine/factors.hpp"
#include "src/util/text.hpp"

namespace limitsim {
namespace {

std::string duration_text(double seconds) {
  char buf[64];
  if (seconds < 120) std::snprintf(buf, sizeof buf, "%.0f s", seconds);
  else if (seconds < 2 * 3600) std::snprintf(buf, sizeof buf, "%.0f min", seconds / 60);
  else if (seconds < 3 * 86400) std::snprintf(buf, sizeof buf, "%.1f h", seconds / 3600);
  else if (seconds < 2 * 365.25 * 86400) std::snprintf(buf, sizeof buf, "%.0f days", seconds / 86400);
  else std::snprintf(buf, sizeof buf, "%.3g years", seconds / (365.25 * 86400));
  return buf;
}

std::string gib(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g GiB", bytes / (1024.0 * 1024.0 * 1024.0));
  return buf;
}

// Bytes in MiB below a GiB, else in GiB (a dry run's sizes range from kilobytes to terabytes).
std::string size_text(double bytes) {
  if (bytes >= 1024.0 * 1024.0 * 1024.0) return gib(bytes);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g MiB", bytes / (1024.0 * 1024.0));
  return buf;
}

std::string number(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", x);
  return buf;
}

}  // namespace

std::uint64_t parse_seed(const std::string& text, const std::string& option) {
  std::uint64_t v = 0;
  const char* end = text.data() + text.size();
  if (!text.empty() && text[0] == '-' && text.find_first_not_of("0123456789", 1) == std::string::npos && text.size() > 1)
    throw ConfigError(option + ": must be >= 0, got " + text);
  const auto r = std::from_chars(text.data(), end, v);
  if (text.empty() || r.ptr != end || (r.ec != std::errc() && r.ec != std::errc::result_out_of_range))
    throw ConfigError(option + ": must be a whole number in [0, 9223372036854775807], got '" + text + "'");
  if (r.ec == std::errc::result_out_of_range || v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
    throw ConfigError(option + ": must be <= 9223372036854775807, got " + text);
  return v;
}

std::vector<NamedFile> run_inputs(const RunConfig& cfg) {
  std::vector<NamedFile> in = {{"the run file", cfg.source},
                               {"the population file", cfg.population.source},
                               {"the behaviour file", cfg.behaviour.source}};
  if (cfg.population.kind == "file") {
    in.push_back({"the population data (--population, population.file)", cfg.population.file});
    in.push_back({"the mapping (--mapping, population.mapping)", cfg.population.mapping});
  }
  for (const PolicyConfig& p : cfg.policies) in.push_back({"the policy file of '" + p.name + "'", p.source});
  for (const ScenarioConfig& s : cfg.scenarios) in.push_back({"the scenario file of '" + s.name + "'", s.source});
  return in;
}

void check_command_outputs(const std::vector<NamedFile>& outputs, const std::vector<NamedFile>& inputs,
                           std::uint64_t need_bytes, bool clear_stale) {
  for (const std::string& note : check_outputs(outputs, inputs, need_bytes, clear_stale))
    std::fprintf(stderr, "limitsim: note: %s\n", note.c_str());
}

namespace {

// The CPU threads a run uses on `backend` (0 on the GPU).
int cpu_threads(const RunConfig& cfg, const Backend& backend) {
  return backend.name() == "cpu" ? (cfg.threads > 0 ? cfg.threads : omp_get_max_threads()) : 0;
}

// "N customer-months (customers x months x paths x pairs)".
std::string work_text(const RunConfig& cfg, const RunCost& c) {
  return number(c.customer_months) + " customer-months (" +
         format_number(static_cast<double>(cfg.population.customers), 0) + " customers x " +
         std::to_string(cfg.months) + " months x " + std::to_string(cfg.paths) + " paths x " +
         std::to_string(cfg.scenarios.size() * cfg.policies.size()) + " scenario-policy pairs" +
         (c.applicant_months > 0 ? ", and " + number(c.applicant_months) + " of " +
                                       format_number(c.applicants, 0) + " applicants from their arrival months"
                                 : std::string()) +
         ")";
}

// A run whose memory cannot fit is refused before anything else is said about it.
void check_memory(const RunConfig& cfg, const RunCost& c) {
  const double ram = physical_memory_bytes();
  if (ram > 0 && c.memory_bytes > 0.8 * ram)
    throw ConfigError("the run needs about " + gib(c.memory_bytes) + " of memory (" + gib(c.sums_bytes) +
                      " of exact sums: " + std::to_string(cfg.paths) + " paths x " + std::to_string(cfg.months) +
                      " months x segments x scenario-policy pairs; and a batch of customers), more than this "
                      "machine's " + gib(ram) + " allow; use fewer paths, months, scenarios or policies, or a "
                      "smaller --batch-size");
}

}  // namespace

void check_run_outputs(const RunConfig& cfg, const std::string* sweep_csv, bool clear_stale) {
  std::vector<NamedFile> outputs = {{"--out (run.output)", cfg.output}};
  if (sweep_csv) outputs.push_back({"--csv (sweep.csv)", *sweep_csv});
  const RunCost cost = estimate_cost(cfg, cfg.backend, 1);
  check_memory(cfg, cost);  // the sums are known before a file population is loaded
  check_command_outputs(outputs, run_inputs(cfg), static_cast<std::uint64_t>(cost.file_bytes) + (1u << 20),
                        clear_stale);
}

void check_run_cost(const RunConfig& cfg, const Backend& backend, const CostLimits& limits, bool quiet) {
  const RunCost c = estimate_cost(cfg, backend.name(), cpu_threads(cfg, backend));
  const std::string what = work_text(cfg, c);
  check_memory(cfg, c);  // again, with a loaded file population
  const std::string estimate = what + ", about " + duration_text(c.seconds) + " on " + c.basis + ", " +
                               gib(c.memory_bytes) + " of memory";
  if (c.seconds > limits.max_hours * 3600.0 && !limits.yes)
    throw ConfigError("the run is estimated at " + estimate + ": longer than --max-hours " + number(limits.max_hours) +
                      "; run it with --yes, or use fewer customers, paths, months or scenario-policy pairs");
  if ((!quiet && c.seconds >= 60.0) || c.seconds >= 3600.0)  // an hour or more is said even with --quiet
    std::fprintf(stderr, "limitsim: estimate: %s\n", estimate.c_str());

  // Importance sampling: the path weights are known before the run (they depend on the factor draws only).
  if (cfg.importance_shift > 0.0) {
    const FactorDraws f = systematic_factors(cfg.seed, cfg.paths, cfg.months, factor_model(cfg));
    double sum = 0.0, sum2 = 0.0;
    for (const double w : f.weight) {
      sum += w;
      sum2 += w * w;
    }
    const double mean = sum / cfg.paths, effective = sum2 > 0.0 ? sum * sum / sum2 : 0.0;
    if (few_paths_carry_the_weight(mean, effective, cfg.paths))
      std::fprintf(stderr,
                   "limitsim: warning: importance shift %s over %d paths: the path weights sum to %s (%d expected), "
                   "effective paths %.1f of %d; means over paths (EL, rates, revenue) will be unreliable: use more "
                   "paths or a smaller shift\n",
                   number(cfg.importance_shift).c_str(), cfg.paths, number(sum).c_str(), cfg.paths, effective,
                   cfg.paths);
  }
}

std::string dry_run_text(const RunConfig& cfg, const Backend& backend, const CostLimits& limits,
                         const SweepConfig* sweep) {
  const int threads = cpu_threads(cfg, backend);
  const RunCost c = estimate_cost(cfg, backend.name(), threads);
  const PopulationConfig& pc = cfg.population;
  std::string t = "limitsim: the configuration is valid (nothing was simulated or written)\n\n";
  auto line = [&t](const std::string& key, const std::string& value) {
    t += "  " + key + std::string(key.size() < 14 ? 14 - key.size() : 1, ' ') + value + "\n";
  };
  line("run", "'" + cfg.name + "' from " + cfg.source);
  if (pc.kind == "file") {
    line("population", format_number(static_cast<double>(pc.customers), 0) + " customers loaded from " + pc.file +
                           (pc.as_of.empty() ? std::string() : ", as of " + pc.as_of));
    line("mapping", pc.mapping);
  } else {
    line("population", format_number(static_cast<double>(pc.customers), 0) + " synthetic customers" +
                           (pc.source.empty() ? std::string(" (inline)") : " from " + pc.source));
  }
  line("behaviour", cfg.behaviour.source.empty() ? std::string("inline") : cfg.behaviour.source);
  line("paths", std::to_string(cfg.paths) + (cfg.importance_shift > 0.0
                                                ? " (importance shift " + number(cfg.importance_shift) + ")"
                                                : std::string()));
  line("months", std::to_string(cfg.months));
  line("seed", std::to_string(cfg.seed));
  if (sweep) {
    line("policies", "'" + sweep->base_policy + "' and " + std::to_string(sweep->grid.size()) + " variants over " +
                         std::to_string(sweep->parameters.size()) + " parameters");
    for (const SweepParameter& p : sweep->parameters)
      line("", p.key + ": " + std::to_string(p.values.size()) + " values");
  } else {
    line("policies", std::to_string(cfg.policies.size()));
    for (const PolicyConfig& p : cfg.policies)
      line("", "'" + p.name + "'" + (p.source.empty() ? std::string(" (inline)") : " from " + p.source));
  }
  line("scenarios", std::to_string(cfg.scenarios.size()));
  for (const ScenarioConfig& s : cfg.scenarios)
    line("", "'" + s.name + "'" + (s.source.empty() ? std::string(" (inline)") : " from " + s.source));
  line("P&L", "cost of funds " + format_percent(cfg.cost_of_funds) + " a year  |  " + format_pnl_parameters(cfg.pnl));
  line("backend", backend.name() + (backend.name() == "cpu" ? ", " + std::to_string(threads) + " threads" : std::string()) +
                      " (asked: " + cfg.backend + ")");
  line("output", cfg.output + (sweep ? " and " + sweep->csv : std::string()));
  t += "\n";
  line("work", work_text(cfg, c));
  line("memory", "about " + size_text(c.memory_bytes) + " (" + size_text(c.sums_bytes) + " of exact sums)");
  line("result file", "at least " + size_text(c.file_bytes));
  line("time", "about " + duration_text(c.seconds) + " on " + c.basis);
  if (c.seconds > limits.max_hours * 3600.0 && !limits.yes)
    t += "\nlimitsim: note: longer than --max-hours " + number(limits.max_hours) + ": the run itself will need --yes\n";
  return t;
}

}  // namespace limitsim
