// Command-line overrides of a run file (--customers, --paths, --population, ...), checked like the file's own keys.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <string>
#include <tuple>
#include <vector>

#include "src/config/mapping.hpp"
#include "src/config/schema.hpp"
#include "src/util/linalg.hpp"
#include "src/util/tail_level.hpp"

namespace limitsim {
namespace {

namespace fs = std::filesystem;
using namespace fields;

// An override's value checked against the file key's range.
void check_option(const char* option, double x, Range r) {
  const std::string bad = range_error(x, r, true);
  if (!bad.empty()) throw ConfigError(std::string(option) + ": " + bad);
}

}  // namespace

std::vector<double> parse_tail_levels_option(const std::string& text) {
  std::vector<double> levels;
  std::vector<std::string> items;
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = text.find(',', start);
    const std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    char* end = nullptr;
    const double q = std::strtod(item.c_str(), &end);
    if (item.empty() || end != item.c_str() + item.size())
      throw ConfigError("--tail-levels: expected comma-separated numbers such as 0.95,0.975,0.995, got '" + text +
                        "'");
    levels.push_back(q);
    items.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  int index = -1;
  const std::string bad = tail_levels_error(levels, &index);
  if (!bad.empty())
    throw ConfigError("--tail-levels: " + (index >= 0 ? items[static_cast<std::size_t>(index)] + ": " : std::string()) +
                      bad);
  return levels;
}

void apply_overrides(RunConfig& cfg, const Overrides& o) {
  RunConfig c = cfg;  // all or nothing
  if (o.population_file || o.mapping) {
    if (c.population.kind != "file" && !(o.population_file && o.mapping))
      throw ConfigError(std::string(o.population_file ? "--population" : "--mapping") +
                        ": a real population needs both --population DATA and --mapping MAPPING");
    c.population.kind = "file";
    for (auto [option, given, field] :
         {std::tuple<const char*, const std::optional<std::string>*, std::string*>{"--population", &o.population_file,
                                                                                   &c.population.file},
          {"--mapping", &o.mapping, &c.population.mapping}}) {
      if (!*given) continue;
      std::error_code ec;
      const fs::path f = fs::absolute(fs::path(**given), ec).lexically_normal();
      if (given->value().empty() || !fs::is_regular_file(f, ec))
        throw ConfigError(std::string(option) + ": cannot open " + quote(**given) + ": " + open_error(f.string()));
      *field = f.string();
    }
    if (o.population_file) c.population.sha256.clear();  // another file: the config's checksum is not its
    // The regions are the mapping's; the behaviour's factors must fit them.
    const Mapping m = load_mapping(c.population.mapping);
    const std::string option = o.mapping ? "--mapping" : "--population";
    c.population.region_names = m.region_names.empty() ? std::vector<std::string>{"all"} : m.region_names;
    const int R = static_cast<int>(c.population.region_names.size());
    c.population.region_shares.assign(static_cast<std::size_t>(R), 1.0 / R);
    if (c.population.segment_names.size() * static_cast<std::size_t>(R) > static_cast<std::size_t>(kMaxCells))
      throw ConfigError(option + ": the mapping's " + std::to_string(R) + " regions x " +
                        std::to_string(c.population.segment_names.size()) + " score bands make more than " +
                        std::to_string(kMaxCells) + " reporting segments");
    const BehaviourConfig& b = c.behaviour;
    if (!b.factor_correlation_matrix.empty() && b.factor_correlation_matrix.size() != static_cast<std::size_t>(R))
      throw ConfigError(option + ": the mapping " + m.source + " has " + std::to_string(R) +
                        " regions, but behaviour.factors.correlation is a " +
                        std::to_string(b.factor_correlation_matrix.size()) + " x " +
                        std::to_string(b.factor_correlation_matrix.size()) + " matrix");
    const std::vector<double> ev = symmetric_eigenvalues(factor_correlation(b, R), R);
    if (ev.front() < -1e-10)
      throw ConfigError(option + ": behaviour.factors.correlation is not positive semi-definite for the mapping's " +
                        std::to_string(R) + " regions (smallest eigenvalue " + fmt_short(ev.front()) +
                        "; a common correlation must be >= -1/(regions - 1))");
    c.behaviour.regions = R;
  }
  if ((o.as_of || o.on_bad_row) && c.population.kind != "file")
    throw ConfigError(std::string(o.as_of ? "--as-of" : "--on-bad-row") +
                      ": applies to a real population only (kind = \"file\", or --population and --mapping)");
  if (o.as_of) c.population.as_of = *o.as_of;
  if (o.on_bad_row) {
    const std::string bad = choice_error(*o.on_bad_row, {"error", "skip"});
    if (!bad.empty()) throw ConfigError("--on-bad-row: " + bad);
    c.population.on_bad_row = *o.on_bad_row;
  }
  if (o.customers) {
    if (c.population.kind == "file")
      throw ConfigError("--customers: a real population has the customers of its data file (" + c.population.file +
                        "); select rows in the file instead");
    check_option("--customers", static_cast<double>(*o.customers), kCustomersRange);
    c.population.customers = *o.customers;
  }
  if (o.paths) {
    check_option("--paths", *o.paths, kPathsRange);
    c.paths = *o.paths;
  }
  if (o.months) {
    check_option("--months", *o.months, kMonthsRange);
    c.months = *o.months;
    // Report months past a shortened horizon are dropped; the horizon itself is always reported.
    c.report_months.erase(std::remove_if(c.report_months.begin(), c.report_months.end(),
                                         [&](std::int32_t m) { return m > c.months; }),
                          c.report_months.end());
    for (ScenarioConfig& s : c.scenarios) resolve_scenario(s, c.months);
  }
  if (o.seed) {
    if (*o.seed > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      throw ConfigError("--seed: must be <= " + std::to_string(std::numeric_limits<std::int64_t>::max()) + ", got " +
                        std::to_string(*o.seed));
    c.seed = *o.seed;
  }
  if (o.threads) {
    check_option("--threads", *o.threads, kThreadsRange);
    c.threads = *o.threads;
  }
  if (o.batch_size) {
    check_option("--batch-size", static_cast<double>(*o.batch_size), kBatchRange);
    c.batch_size = *o.batch_size;
  }
  if (o.output) {
    if (o.output->empty()) throw ConfigError("--out: must not be empty");
    c.output = *o.output;
  }
  if (o.importance_shift) {
    const std::string bad = range_error(*o.importance_shift, closed(0, 8), false);
    if (!bad.empty()) throw ConfigError("--importance-shift: " + bad);
    c.importance_shift = *o.importance_shift;
  }
  if (o.tail_levels) c.tail_levels = parse_tail_levels_option(*o.tail_levels);
  if (o.backend) {
    const std::string bad = choice_error(*o.backend, kBackends);
    if (!bad.empty()) throw ConfigError("--backend: " + bad);
    c.backend = *o.backend;
  }
  // The living book's checks across keys, again after the overrides (run_file.cpp makes them on the file).
  if (c.acquisition.enabled && c.acquisition.first_month > c.months)
    throw ConfigError("--months: the run file's [acquisition] first_month (" +
                      std::to_string(c.acquisition.first_month) + ") lies past the last month (" +
                      std::to_string(c.months) + ")");
  if (c.acquisition.enabled && c.population.kind != "synthetic")
    throw ConfigError(std::string(o.population_file ? "--population" : "--mapping") +
                      ": the run file has [acquisition], whose applicants are drawn like a synthetic population; "
                      "a real population's applicants are not supported yet");
  cfg = std::move(c);
}

}  // namespace limitsim
