// limitsim calibrate: behaviour parameters estimated from a panel of real accounts, written as a behaviour file.
#include <algorithm>
#include <cmath>
#include <iostream>
#include <memory>
#include <string>

#include "src/analysis/calibrate.hpp"
#include "src/cli/commands.hpp"
#include "src/cli/common.hpp"
#include "src/cli/preflight.hpp"
#include "src/config/config.hpp"
#include "src/data/panel.hpp"
#include "src/io/atomic_file.hpp"

namespace limitsim {
namespace {

struct CalibrateCliOptions {
  std::string data, mapping, out;
  std::string window;                  // "FIRST:LAST" panel month names; "" = every month
  std::string base;                    // behaviour file supplying what the data cannot identify; "" = defaults
  double score_mean = PopulationConfig{}.score_mean;  // risk = -(score - score_mean) / score_sd
  double score_sd = PopulationConfig{}.score_sd;
  std::string on_bad_row = "error";
};

// Index of month `name` in the panel, or a ConfigError naming the option.
std::int32_t panel_month(const Panel& p, const std::string& name) {
  const auto it = std::find(p.month_names.begin(), p.month_names.end(), name);
  if (it == p.month_names.end()) {
    std::string names;
    for (const auto& n : p.month_names) names += (names.empty() ? "" : ", ") + n;
    throw ConfigError("--window: the panel has no month \"" + name + "\" (months: " + names + ")");
  }
  return static_cast<std::int32_t>(it - p.month_names.begin());
}

int calibrate_command(const CalibrateCliOptions& opt) {
  if (opt.out.empty()) throw ConfigError("--out: must name the behaviour file to write");
  if (opt.on_bad_row != "error" && opt.on_bad_row != "skip")
    throw ConfigError("--on-bad-row: must be error or skip, got '" + opt.on_bad_row + "'");
  check_command_outputs({{"--out", opt.out}}, {{"the data file", opt.data}, {"--mapping", opt.mapping}, {"--base", opt.base}});
  const Mapping m = load_mapping(opt.mapping);
  const Panel panel = load_panel(opt.data, m, opt.on_bad_row == "skip" ? BadRowPolicy::kSkip : BadRowPolicy::kError);
  if (panel.months < 2)
    throw ConfigError(opt.mapping + ": calibration needs a [panel] of at least 2 months, got " +
                      std::to_string(panel.months));
  std::int32_t first = 0, last = panel.months - 1;
  if (!opt.window.empty()) {
    const auto colon = opt.window.find(':');
    if (colon == std::string::npos)
      throw ConfigError("--window: must be FIRST:LAST (panel month names), got '" + opt.window + "'");
    first = panel_month(panel, opt.window.substr(0, colon));
    last = panel_month(panel, opt.window.substr(colon + 1));
    if (last <= first) throw ConfigError("--window: LAST must come after FIRST, got '" + opt.window + "'");
  }
  BehaviourConfig base;
  base.params = default_behaviour();
  if (!opt.base.empty()) base = load_behaviour_config(opt.base);
  if (!(opt.score_mean >= 350.0 && opt.score_mean <= 950.0))
    throw ConfigError("--score-mean: must be in [350, 950], got " + std::to_string(opt.score_mean));
  if (!(opt.score_sd > 0.0 && std::isfinite(opt.score_sd)))
    throw ConfigError("--score-sd: must be > 0, got " + std::to_string(opt.score_sd));
  PopulationConfig pc;
  pc.score_mean = opt.score_mean;
  pc.score_sd = opt.score_sd;
  Calibration c = calibrate(panel, first, last, base, pc);
  c.data_file = opt.data;
  c.mapping_file = opt.mapping;
  c.created = utc_now();
  write_text_atomically(opt.out, calibration_toml(c));
  std::cout << calibration_report(c) << "\nwrote " << opt.out << "\n";
  if (panel.rows_skipped > 0)
    std::cerr << "limitsim: skipped " << panel.rows_skipped << " malformed rows of " << panel.rows_read << "\n";
  return 0;
}

}  // namespace

Subcommand setup_calibrate(CLI::App& app) {
  auto opt = std::make_shared<CalibrateCliOptions>();
  CLI::App* calibrate = app.add_subcommand(
      "calibrate", "Estimate behaviour parameters from a monthly panel of real accounts and write a behaviour file");
  calibrate->add_option("data", opt->data, "Data file (CSV or HDF5 columns)")->required();
  calibrate->add_option("--mapping", opt->mapping, "Mapping file (TOML) with a [panel] (docs/data.md)")->required();
  calibrate->add_option("--out", opt->out, "Behaviour file (TOML) to write")->required();
  calibrate->add_option("--window", opt->window, "Panel months to use, FIRST:LAST (default: all)");
  calibrate->add_option("--on-bad-row", opt->on_bad_row, "error (default) or skip");
  calibrate->add_option("--score-mean", opt->score_mean,
                        "Risk proxy: risk = -(score - MEAN) / SD; use the population's score_mean (default 680)");
  calibrate->add_option("--score-sd", opt->score_sd, "... and its score_sd (default 80)");
  calibrate->add_option("--base", opt->base,
                        "Behaviour file whose values stand for what the data cannot identify (default: built-in)");
  return {calibrate, [opt] { return calibrate_command(*opt); }};
}

}  // namespace limitsim
