// limitsim calibrate: behaviour parameters estimated from a panel of real accounts, written as a behaviour file.
#include <algorithm>
#include <cmath>
#include <iostream>
#include <memory>
#include <string>

#include <fstream>
#include <iterator>

#include "kernels/backend.hpp"
#include "src/analysis/calibrate.hpp"
#include "src/analysis/calibrate_targets.hpp"
#include "src/analysis/label_horizon.hpp"
#include "src/analysis/scorecard.hpp"
#include "src/cli/commands.hpp"
#include "src/cli/common.hpp"
#include "src/cli/preflight.hpp"
#include "src/config/config.hpp"
#include "src/config/targets.hpp"
#include "src/config/toml_io.hpp"
#include "src/data/features.hpp"
#include "src/data/panel.hpp"
#include "src/engine/engine.hpp"
#include "src/io/atomic_file.hpp"
#include "version.hpp"

namespace limitsim {
namespace {

using toml_io::toml_double;

struct CalibrateCliOptions {
  std::string data, mapping, out;
  std::string targets;                 // --targets: fit to aggregate targets instead of estimating from a panel
  int threads = 0;
  bool quiet = false;
  std::string window;                  // "FIRST:LAST" panel month names; "" = every month
  std::string base;                    // behaviour file supplying what the data cannot identify; "" = defaults
  double score_mean = PopulationConfig{}.score_mean;  // risk = -(score - score_mean) / score_sd
  double score_sd = PopulationConfig{}.score_sd;
  std::string on_bad_row = "error";
  std::string scorecard;               // --scorecard FILE: fit a behaviour score on the label, write it, use it as risk
  std::int32_t folds = 5;              // its cross-validation folds
  bool label_fit = false;              // --label-fit: fit the miss regression to the label (always for a snapshot)
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

// --targets: the base behaviour's parameters fitted to the targets file's rates by simulation.
int calibrate_targets_command(const CalibrateCliOptions& opt, const std::string& command) {
  if (!opt.data.empty() || !opt.mapping.empty() || !opt.window.empty())
    throw ConfigError("--targets: fits to aggregate rates by simulation; it takes no data file, --mapping or --window");
  if (!opt.scorecard.empty() || opt.label_fit)
    throw ConfigError("--targets: fits to aggregate rates by simulation; --scorecard and --label-fit need a data file");
  if (opt.base.empty()) throw ConfigError("--targets: needs --base BEHAVIOUR.toml, the behaviour to start from");
  const TargetsConfig tc = load_targets_config(opt.targets);
  const BehaviourConfig base = load_behaviour_config(opt.base);
  std::string base_text;
  {
    std::ifstream in(opt.base, std::ios::binary);
    base_text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  auto backend = make_cpu_backend(opt.threads);
  const auto simulate = [&](const RunConfig& cfg) { return run_simulation(cfg, *backend); };
  const auto log = [&](const std::string& line) {
    if (!opt.quiet) std::cerr << line << "\n";
  };
  const TargetFit fit = fit_targets(tc, base, simulate, log);
  const std::string text = targets_behaviour_toml(fit, base_text, command, utc_now(),
                                                     std::string(LIMITSIM_VERSION) + "+" + LIMITSIM_GIT_COMMIT);
  write_text_atomically(opt.out, text);
  load_behaviour_config(opt.out);  // what was written reads back
  std::cout << "limitsim calibrate --targets " << opt.targets << "\n" << targets_report(fit) << "\nwrote " << opt.out
            << "\n";
  return fit.converged ? 0 : 3;
}

int calibrate_command(const CalibrateCliOptions& opt) {
  if (opt.out.empty()) throw ConfigError("--out: must name the behaviour file to write");
  if (opt.data.empty() || opt.mapping.empty())
    throw ConfigError("calibrate: needs a DATA file and --mapping (or --targets TARGETS.toml to fit aggregate rates)");
  if (opt.on_bad_row != "error" && opt.on_bad_row != "skip")
    throw ConfigError("--on-bad-row: must be error or skip, got '" + opt.on_bad_row + "'");
  check_command_outputs({{"--out", opt.out}}, {{"the data file", opt.data}, {"--mapping", opt.mapping}, {"--base", opt.base}});
  const Mapping m = load_mapping(opt.mapping);
  Panel panel = load_panel(opt.data, m, opt.on_bad_row == "skip" ? BadRowPolicy::kSkip : BadRowPolicy::kError);
  const bool snapshot = panel.months < 2;
  if (snapshot && panel.label.empty())
    throw ConfigError(opt.mapping + ": calibration needs a [panel] of at least 2 months, or a snapshot with a label "
                                    "column (fields.label) to fit the miss regression to");
  if (snapshot && !m.label_defined)
    throw ConfigError(opt.mapping + ": label: a snapshot is calibrated on its label, so the mapping must say what the "
                                    "label means ([label] horizon_months and min_bucket)");
  std::int32_t first = 0, last = panel.months - 1;
  if (!opt.window.empty()) {
    if (snapshot) throw ConfigError("--window: a snapshot has no months");
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
  if (!opt.scorecard.empty()) {
    // The behaviour score, fitted on the label from the features as of the window's last month; from here
    // on it is every customer's score, so the miss and roll regressions are estimated on it.
    ScorecardOptions so;
    so.as_of = last;
    so.folds = opt.folds;
    so.protected_attributes = m.allow_protected;
    ScorecardResult sr = fit_scorecard(panel, so);
    sr.card.target = m.columns.count("label") ? m.columns.at("label") : "";
    sr.card.data_file = opt.data;
    write_text_atomically(opt.scorecard,
                          scorecard_toml(sr.card, "# Behaviour score fitted by `limitsim calibrate --scorecard` "
                                                  "(docs/calibration.md, \"The behaviour score\").\n# Use it in a mapping as "
                                                  "score = { scorecard = \"" + opt.scorecard + "\", mean = " +
                                                  toml_double(pc.score_mean) + ", sd = " + toml_double(pc.score_sd) +
                                                  " }.\n\n"));
    std::cout << scorecard_report(sr.card) << "wrote " << opt.scorecard << "\n\n";
    panel.scorecard = std::make_shared<const Scorecard>(sr.card);
    panel.score_mean = pc.score_mean;
    panel.score_sd = pc.score_sd;
    panel.score = scores_at(panel, panel.months - 1);
  }
  std::cout << load_report(panel, population_from_panel(panel, last, pc, base.params), pc) << "\n";
  Calibration c = snapshot ? snapshot_calibration(panel, base, pc) : calibrate(panel, first, last, base, pc);
  if (snapshot || opt.label_fit) apply_label_fit(c, panel, panel.months - 1, pc, label_event(m));
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
  calibrate->add_option("data", opt->data, "Data file (CSV or HDF5 columns)");
  calibrate->add_option("--mapping", opt->mapping, "Mapping file (TOML) with a [panel] (docs/data.md)");
  calibrate->add_option("--targets", opt->targets,
                        "Targets file (TOML): fit the base behaviour's parameters to aggregate rates by simulation "
                        "instead of estimating from a panel (docs/calibration.md)");
  calibrate->add_option("--threads", opt->threads, "--targets: CPU threads of the simulations (default: all cores)");
  calibrate->add_flag("--quiet", opt->quiet, "--targets: no progress lines");
  calibrate->add_option("-o,--out", opt->out, "Behaviour file (TOML) to write")->required();
  calibrate->add_option("--window", opt->window, "Panel months to use, FIRST:LAST (default: all)");
  calibrate->add_option("--on-bad-row", opt->on_bad_row, "error (default) or skip")
      ->check(CLI::IsMember({"error", "skip"}));
  calibrate->add_option("--score-mean", opt->score_mean,
                        "Risk proxy: risk = -(score - MEAN) / SD; use the population's score_mean (default 680)");
  calibrate->add_option("--score-sd", opt->score_sd, "... and its score_sd (default 80)");
  calibrate->add_option("--scorecard", opt->scorecard,
                        "Also fit a behaviour score on the label (cross-validated ridge logistic regression), write it "
                        "here, and estimate the risk sensitivities on it");
  calibrate->add_option("--folds", opt->folds, "Cross-validation folds of --scorecard (2..20, default 5)");
  calibrate->add_flag("--label-fit", opt->label_fit,
                      "Fit the miss regression to the label's event (mapping [label]) instead of the monthly "
                      "transitions (always done for a snapshot)");
  calibrate->add_option("--base", opt->base,
                        "Behaviour file whose values stand for what the data cannot identify (default: built-in)");
  calibrate->footer("Examples:\n  limitsim calibrate ../shared/data/uci-credit-card/uci_credit_card.csv "
                    "--mapping configs/population/uci_credit_card.toml -o uci.toml\n"
                    "  limitsim calibrate --targets configs/calibration/card_prime.toml --base configs/behaviour/card_prime.toml "
                    "-o my_card.toml");
  return {calibrate, [opt, calibrate] {
            if (opt->targets.empty()) return calibrate_command(*opt);
            std::string command = "limitsim calibrate --targets " + opt->targets + " --base " + opt->base + " --out " +
                                  opt->out;
            return calibrate_targets_command(*opt, command);
          }};
}

}  // namespace limitsim
