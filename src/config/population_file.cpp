// The population file ([population]): its keys, and the checks that tie a file population to its mapping.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "src/config/mapping.hpp"
#include "src/config/schema.hpp"

namespace limitsim {
namespace fields {

// Score bands and regions: the reporting segments of either kind of population.
template <class IO>
void segment_fields(IO& t, PopulationConfig& c);

template <class IO>
void population_fields(IO& t, PopulationConfig& c) {
  t.choice("kind", c.kind, {"synthetic", "file"});
  if (c.kind == "file") {
    // A real population: the data decide the customers and the regions (docs/data.md).
    t.need("file");
    t.need("mapping");
    t.text("file", c.file);
    t.check(!c.file.empty(), "file", "must name the data file (CSV or HDF5)");
    t.text("mapping", c.mapping);
    t.check(!c.mapping.empty(), "mapping", "must name the mapping file (TOML)");
    t.text("as_of", c.as_of);
    t.choice("on_bad_row", c.on_bad_row, {"error", "skip"});
    t.text("sha256", c.sha256);
    t.check(c.sha256.empty() || (c.sha256.size() == 64 && c.sha256.find_first_not_of("0123456789abcdef") ==
                                                             std::string::npos),
            "sha256", "must be 64 lower-case hex digits, got " + quote(c.sha256));
    t.number("score_mean", c.score_mean, closed(350, 950));
    t.number("score_sd", c.score_sd, above(0));
    segment_fields(t, c);
    return;
  }
  t.integer("customers", c.customers, kCustomersRange);
  t.number("score_mean", c.score_mean, closed(350, 950));
  t.number("score_sd", c.score_sd, above(0));
  t.number("income_median", c.income_median, above(0));
  t.number("income_log_sd", c.income_log_sd, at_least(0));
  t.number("income_score_corr", c.income_score_corr, closed(-1, 1));
  t.number("risk_score_corr", c.risk_score_corr, closed(-1, 1));
  t.number("transactor_logit_intercept", c.transactor_logit_intercept, any_number());
  t.number("transactor_logit_slope", c.transactor_logit_slope, any_number());
  t.number("spend_propensity_median", c.spend_propensity_median, at_least(0));
  t.number("spend_propensity_log_sd", c.spend_propensity_log_sd, at_least(0));
  t.number("activity_logit_mean", c.activity_logit_mean, any_number());
  t.number("activity_logit_sd", c.activity_logit_sd, at_least(0));
  t.number("revolve_shape_median", c.revolve_shape_median, above(0));
  t.number("revolve_shape_log_sd", c.revolve_shape_log_sd, at_least(0));
  t.number("new_account_share", c.new_account_share, closed(0, 1));
  t.integer("mob_max", c.mob_max, closed(1, kInt32Max));
  t.number("existing_line_income_multiple", c.existing_line_income_multiple, at_least(0));
  t.number("existing_line_log_sd", c.existing_line_log_sd, at_least(0));
  t.money("existing_line_min", c.existing_line_min, at_least(0));
  t.money("existing_line_max", c.existing_line_max, at_least(0));
  t.check(c.existing_line_min <= c.existing_line_max, "existing_line_max",
          "must be >= existing_line_min (" + fmt_money(c.existing_line_min) + "), got " + fmt_money(c.existing_line_max));
  t.money("existing_line_rounding", c.existing_line_rounding, above(0));
  t.number("opening_util_logit_mean_transactor", c.opening_util_logit_mean_transactor, any_number());
  t.number("opening_util_logit_mean_revolver", c.opening_util_logit_mean_revolver, any_number());
  t.number("opening_util_logit_sd", c.opening_util_logit_sd, at_least(0));

  t.numbers("opening_bucket_shares", c.opening_bucket_shares, exactly(kMaxBuckets), at_least(0));
  double sum = 0.0;
  for (const double s : c.opening_bucket_shares) sum += s;
  t.check(std::fabs(sum - 1.0) <= kSumTolerance, "opening_bucket_shares", "must sum to 1, got " + fmt_double(sum));
  segment_fields(t, c);
}

template <class IO>
void segment_fields(IO& t, PopulationConfig& c) {
  t.numbers("segment_edges", c.segment_edges, at_most(kMaxSegments - 1), open_closed(350, 950));
  for (std::size_t i = 1; i < c.segment_edges.size(); ++i)
    t.check(c.segment_edges[i] > c.segment_edges[i - 1], "segment_edges",
            "must be strictly ascending, got " + fmt_double(c.segment_edges[i]) + " after " +
                fmt_double(c.segment_edges[i - 1]),
            static_cast<int>(i));
  t.texts("segment_names", c.segment_names, non_empty(kMaxSegments));
  t.check(c.segment_names.size() == c.segment_edges.size() + 1, "segment_names",
          "must have one name more than segment_edges has edges (" + std::to_string(c.segment_edges.size() + 1) +
              "), got " + std::to_string(c.segment_names.size()));
  for (std::size_t i = 0; i < c.segment_names.size(); ++i) {
    const auto& n = c.segment_names[i];
    const bool repeated = std::count(c.segment_names.begin(), c.segment_names.begin() + i, n) > 0;
    t.check(!n.empty() && !repeated, "segment_names", "names must be non-empty and unique, got " + quote(n),
            static_cast<int>(i));
  }

  if (c.kind == "file") return;  // regions come from the mapping, and are checked when the data load
  t.texts("regions", c.region_names, non_empty(kMaxRegions));
  for (std::size_t i = 0; i < c.region_names.size(); ++i) {
    const auto& n = c.region_names[i];
    const bool repeated = std::count(c.region_names.begin(), c.region_names.begin() + i, n) > 0;
    t.check(!n.empty() && !repeated && n.find('/') == std::string::npos, "regions",
            "names must be non-empty, unique and free of '/', got " + quote(n), static_cast<int>(i));
  }
  const std::size_t cells = c.segment_names.size() * c.region_names.size();
  t.check(cells <= static_cast<std::size_t>(kMaxCells), "regions",
          "score bands x regions must be at most " + std::to_string(kMaxCells) + " reporting segments, got " +
              std::to_string(c.segment_names.size()) + " x " + std::to_string(c.region_names.size()));
  if (c.region_shares.size() != c.region_names.size() && c.region_names.size() == 1) c.region_shares = {1.0};
  t.numbers("region_shares", c.region_shares, non_empty(kMaxRegions), closed(0, 1));
  t.check(c.region_shares.size() == c.region_names.size(), "region_shares",
          "must have one share per region (" + std::to_string(c.region_names.size()) + "), got " +
              std::to_string(c.region_shares.size()));
  double share_sum = 0.0;
  for (const double x : c.region_shares) share_sum += x;
  t.check(std::fabs(share_sum - 1.0) <= kSumTolerance, "region_shares", "must sum to 1, got " + fmt_double(share_sum));
}

void set_file_regions(PopulationConfig& pc, const Value& at) {
  const Mapping m = load_mapping(pc.mapping);
  pc.region_names = m.region_names.empty() ? std::vector<std::string>{"all"} : m.region_names;
  pc.region_shares.assign(pc.region_names.size(), 1.0 / static_cast<double>(pc.region_names.size()));
  const std::size_t cells = pc.segment_names.size() * pc.region_names.size();
  if (cells > static_cast<std::size_t>(kMaxCells))
    fail_at(at, "population.mapping",
            "its " + std::to_string(pc.region_names.size()) + " regions x " + std::to_string(pc.segment_names.size()) +
                " score bands make more than " + std::to_string(kMaxCells) + " reporting segments");
}

void check_score_scale(const RunConfig& cfg) {
  const CalibrationInfo& c = cfg.behaviour.calibration;
  const PopulationConfig& p = cfg.population;
  if (p.kind != "file" || c.score_sd <= 0.0) return;
  if (c.score_mean == p.score_mean && c.score_sd == p.score_sd) return;
  throw ConfigError((p.source.empty() ? cfg.source : p.source) + ": population.score_mean, score_sd: " +
                    fmt_double(p.score_mean) + ", " + fmt_double(p.score_sd) + " differ from the " +
                    fmt_double(c.score_mean) + ", " + fmt_double(c.score_sd) + " that the behaviour " +
                    (cfg.behaviour.source.empty() ? std::string("") : "(" + cfg.behaviour.source + ") ") +
                    "was calibrated with (behaviour.calibration): its risk coefficients would act on another "
                    "scale; use the same values, or calibrate again with --score-mean and --score-sd");
}

template void population_fields<Reader>(Reader&, PopulationConfig&);
template void population_fields<Writer>(Writer&, PopulationConfig&);

}  // namespace fields
}  // namespace limitsim
