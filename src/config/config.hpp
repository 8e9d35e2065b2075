// Validated run configuration: plain structs built from TOML files by
// src/config/ (run_file.cpp and the *_file.cpp key lists). Nothing reaches a kernel before it has passed through here.
// Money in the TOML files is in currency units (e.g. 6000.0); here it is in
// int64 cents. See docs/config.md for every key, its unit and default.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/params.hpp"

namespace limitsim {

// A configuration or command-line error. what() names the file, line, key and
// reason; main() prints it and exits non-zero.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct PopulationConfig {
  std::string source;                 // file it was read from ("" when inline)
  std::string kind = "synthetic";     // synthetic | file
  std::int64_t customers = 100000;    // synthetic: how many; file: set from the data when it is loaded
  // kind = "file": a real population read through a mapping (docs/data.md).
  // file and mapping are absolute once validated (relative to the file that names them).
  std::string file;                   // data file: CSV, or HDF5 column datasets
  std::string mapping;                // mapping file (TOML)
  std::string as_of;                  // panel month the run starts from; "" = the last
  std::string on_bad_row = "error";   // error | skip
  std::string sha256;                 // when set, the data file must have this SHA-256 (effective configs record it)
  // Credit score: normal(score_mean, score_sd) clamped to [350, 950].
  double score_mean = 680.0;
  double score_sd = 80.0;
  // Monthly income: log-normal with this median (currency units) and log-sd;
  // its log correlates with the score's z-value by income_score_corr.
  double income_median = 6000.0;
  double income_log_sd = 0.6;
  double income_score_corr = 0.4;
  // Latent risk = -risk_score_corr * score_z + sqrt(1 - c^2) * noise.
  double risk_score_corr = 0.7;
  // P(transactor) = logistic(intercept + slope * (score - 650) / 100).
  double transactor_logit_intercept = -0.6;
  double transactor_logit_slope = 0.8;
  // Spend propensity (monthly spend / income): log-normal median and log-sd, capped at 3.
  double spend_propensity_median = 0.25;
  double spend_propensity_log_sd = 0.5;
  // Monthly activity probability: logistic(normal(activity_logit_mean, activity_logit_sd)).
  double activity_logit_mean = 1.5;
  double activity_logit_sd = 1.0;
  // Revolver payment shape gamma: log-normal median and log-sd.
  double revolve_shape_median = 2.0;
  double revolve_shape_log_sd = 0.5;
  // Months on book: a share of new accounts (0), the rest uniform on [1, mob_max].
  double new_account_share = 0.15;
  std::int32_t mob_max = 120;
  // Existing accounts' lines: income x multiple x log-normal noise, clamped, rounded.
  double existing_line_income_multiple = 1.5;
  double existing_line_log_sd = 0.4;
  std::int64_t existing_line_min = 50000;        // cents
  std::int64_t existing_line_max = 5000000;      // cents
  std::int64_t existing_line_rounding = 10000;   // cents
  // Opening utilization of existing accounts: logistic(normal(mean, sd)) per type.
  double opening_util_logit_mean_transactor = -2.0;
  double opening_util_logit_mean_revolver = 0.0;
  double opening_util_logit_sd = 1.0;
  // Opening delinquency of existing accounts: shares of buckets 0..6 (sum 1),
  // assigned by a latent 0.6 * risk + 0.8 * noise so riskier customers are worse.
  std::vector<double> opening_bucket_shares = {0.955, 0.025, 0.009, 0.005, 0.003, 0.002, 0.001};
  // Reporting segments: score bands. edges ascending; names has edges.size()+1 entries.
  std::vector<double> segment_edges = {550, 620, 680, 740, 800};
  std::vector<std::string> segment_names = {"<550", "550-619", "620-679", "680-739", "740-799", "800+"};
  // Regions: each has its own systematic factor (behaviour [factors]); a
  // synthetic customer falls in region g with probability region_shares[g].
  std::vector<std::string> region_names = {"all"};
  std::vector<double> region_shares = {1.0};
};

// The default recovery curve (behaviour loss.recovery_curve): shares of a charge-off's recovery
// collected in the charge-off month and each month after it.
std::vector<double> default_recovery_curve();

// Defaults kept outside BehaviourParams (which holds logit / Beta(a, b) forms).
constexpr double kDefaultMissProbability = 0.008459;  // card_prime, fitted (configs/behaviour/card_prime.toml)
constexpr double kDefaultLgdConcentration = 10.0;

// Where a calibrated behaviour was estimated from ([behaviour.calibration],
// written by `limitsim calibrate`; a record only: the model does not read it).
struct CalibrationInfo {
  std::string source;              // data file; "" = not calibrated (the table is absent)
  std::string sha256;              // of the data file
  std::string mapping;             // mapping file
  std::vector<std::string> months; // panel months used, first to last
  std::int64_t customers = 0;
  std::int64_t transitions = 0;    // customer-month pairs behind the transition estimates
  double score_mean = 0.0;         // risk = -(score - score_mean) / score_sd in the regressions; 0 = not recorded
  double score_sd = 0.0;
  std::string created;             // UTC, ISO 8601
  std::string limitsim_version;
};

struct BehaviourConfig {
  std::string source;
  CalibrationInfo calibration;
  BehaviourParams params{};   // filled with documented defaults by default_behaviour()
  // The file's values behind derived params, kept so effective_toml writes them
  // back exactly: params.miss_intercept = logit(miss_probability); in beta mode
  // lgd_beta_a = lgd * lgd_concentration, lgd_beta_b = (1 - lgd) * lgd_concentration.
  double miss_probability = kDefaultMissProbability;
  double lgd_concentration = 0.0;   // 0 in fixed LGD mode
  // params.recovery_cum is the running sum of these shares of a charge-off's
  // recovery collected in the charge-off month and each month after it (sum 1).
  std::vector<double> recovery_curve = default_recovery_curve();
  // [seasoning] miss_multiplier: params.seasoning, by months on book 0, 1, ... (the last held); empty = off.
  std::vector<double> seasoning;
  // Systematic factors ([behaviour.factors]): one per region of the population.
  double factor_ar1 = 0.0;          // month-to-month persistence of each factor
  double factor_correlation = 1.0;  // correlation of every pair of regions, unless the matrix is given
  std::vector<std::vector<double>> factor_correlation_matrix;  // regions x regions, validated PSD; empty = scalar
  std::int32_t regions = 1;         // context (the population's region count), not a file key
};

// The regions x regions factor correlation matrix (row-major) of a behaviour.
std::vector<double> factor_correlation(const BehaviourConfig& b, int regions);

struct PolicyConfig {
  std::string source;
  std::string name;
  std::string description;
  PolicyParams params{};
};

// A scenario's series as written: one value = every month; several = month 1,
// 2, ..., the last one held. Trailing repeats are trimmed, so 0.0, [0.0] and
// [0.0, 0.0] are the same spec. Kept so a --months override can re-resolve.
struct ScenarioSpec {
  std::vector<double> factor_shift = {0.0};
  std::vector<double> miss_multiplier = {1.0};
  std::vector<double> roll_multiplier = {1.0};
  std::vector<double> spend_multiplier = {1.0};
  std::vector<double> income_shock_probability = {0.0};
  std::vector<double> income_shock_size = {0.0};
  std::vector<double> income_shock_months = {6.0};
  std::vector<double> lgd_multiplier = {1.0};
  std::vector<double> applicant_multiplier = {1.0};  // the living book's applicant volume (docs/model.md "Acquisition")
  std::vector<double> approval_multiplier = {1.0};   // ... and every policy's approval share
  // Unemployment-driven: when unemployment_rate (percent) is given, factor_shift
  // and income_shock_probability are derived from it:
  //   factor_shift_t = -factor_per_point x (U_t - base_rate)
  //   income_shock_probability_t = max(0, U_t - base_rate) / 100 / income_shock_months_t
  std::vector<double> unemployment_rate;  // empty = not unemployment-driven
  double unemployment_base_rate = 0.0;
  double unemployment_factor_per_point = 0.0;
};

// Per-month scenario paths, resolved to exactly `months` entries.
struct ScenarioConfig {
  std::string source;
  std::string name;
  std::string description;
  std::vector<ScenarioMonth> months;
  std::vector<double> unemployment;   // resolved unemployment rate per month (empty unless unemployment-driven)
  ScenarioSpec spec;
};

// Fills s.months with exactly `months` entries from s.spec (an empty series
// counts as neutral).
void resolve_scenario(ScenarioConfig& s, std::int32_t months);

// The living book ([acquisition] in the run file; docs/model.md "Acquisition"): applicants arrive
// every month from first_month on, drawn like the run's synthetic population (with the overrides
// below), and each policy approves some of them (its [approval]).
struct AcquisitionConfig {
  bool enabled = false;                    // the run file has an [acquisition] table
  // Volume: exactly one of the three. Applicants per month (months first_month, first_month + 1, ...,
  // the last value held); or a share of the opening book's customers per month; or a constant book.
  std::vector<double> monthly_applicants;
  double monthly_share = 0.0;
  bool constant_book = false;              // volume set to replace the opening book's run-off (a pilot run)
  std::int32_t first_month = 1;            // 1-based run month of the first arrivals
  // The through-the-door mix: the population's values unless given (0 = the population's).
  double score_mean = 0.0;
  double score_sd = 0.0;
  double income_median = 0.0;
  // Debt-to-income of an applicant: log-normal, median and log-sd; its log correlates with the latent
  // risk by dti_risk_correlation.
  double dti_median = 0.2;
  double dti_log_sd = 0.6;
  double dti_risk_correlation = 0.3;
};

// The P&L's own parameters ([pnl] in the run file; docs/pnl.md). Money per
// account in cents. All zero here: no P&L lines beyond interest, fees, losses
// and the cost of funds (what a result file written before them means);
// default_pnl() holds the documented defaults a run file starts from.
struct PnlConfig {
  double interchange_rate = 0.0;         // share of purchase volume earned by the issuer
  std::int64_t annual_fee = 0;           // cents per open account per year, accrued monthly
  std::int64_t operating_cost = 0;       // cents per open account per year, accrued monthly
  std::int64_t acquisition_cost = 0;     // cents per account opened
  std::int64_t collection_cost = 0;      // cents per delinquent account (bucket >= 1 at month end) per month
};

// A US general-purpose credit card (docs/config.md, "[pnl]": sources and guesses).
inline PnlConfig default_pnl() {
  PnlConfig p;
  p.interchange_rate = 0.02;   // Prager et al. (2009): 1.5-2% of credit-card transaction value
  p.annual_fee = 0;            // guess: most general-purpose cards charge none
  p.operating_cost = 6000;     // guess: 60 a year per open account
  p.acquisition_cost = 20000;  // guess: 200 per new account
  p.collection_cost = 2000;    // guess: 20 per delinquent account per month
  return p;
}

struct RunConfig {
  std::string source;                 // the run file
  std::string name = "run";
  std::uint64_t seed = 1;
  std::int32_t paths = 32;
  std::int32_t months = 36;
  std::string backend = "auto";       // auto | cpu | cuda
  std::int32_t threads = 0;           // CPU threads; 0 = all cores
  std::int64_t batch_size = 1 << 20;  // customers per batch (bounds memory; results do not depend on it)
  std::string output = "results/run.h5";
  std::vector<std::int32_t> report_months;  // months (1-based) shown in summaries besides the horizon
  std::string baseline;               // policy the others are compared against; "" = the first
  double cost_of_funds = 0.03;        // annual rate on month-end balances, charged in net income
  double importance_shift = 0.0;      // importance sampling: mean shift of the factors' innovations, sd of the portfolio factor; 0 = off
  std::vector<double> tail_levels;    // levels of VaR and ES, increasing, in (0, 1); empty = 0.95, 0.99, 0.999
  PnlConfig pnl = default_pnl();      // [pnl]: interchange, annual fees, operating, acquisition and collection costs
  PopulationConfig population;
  AcquisitionConfig acquisition;
  BehaviourConfig behaviour;
  std::vector<PolicyConfig> policies;
  std::vector<ScenarioConfig> scenarios;
};

// Documented defaults (docs/config.md).
BehaviourParams default_behaviour();
PolicyParams default_policy();
ScenarioMonth neutral_scenario_month();

// Reads and validates a run file and every file it names. Throws ConfigError.
RunConfig load_run_config(const std::string& path);

// Reads and validates a behaviour file on its own (as `limitsim calibrate
// --base` does). Its factors are validated for one region. Throws ConfigError.
BehaviourConfig load_behaviour_config(const std::string& path);

// A policy sweep: a run file with exactly one (base) policy and a [sweep]
// table naming policy keys and the values to try. The run's policies become
// the base policy followed by one variant per point of the grid.
struct SweepParameter {
  std::string key;                  // dotted key inside [policy], e.g. "review.raise_pct"
  std::vector<std::string> values;  // as written in the file, e.g. "0.2", "3", "true"
  std::vector<double> numbers;      // the same values as numbers (true = 1, false = 0)
  std::string base_value;           // the base policy's effective value of the key, as TOML text
  double base_number = 0.0;
};

struct SweepConfig {
  RunConfig run;                    // run.policies = {base, variant 1, ..., variant N}
  std::string base_policy;          // name of the base policy (run.policies[0])
  std::vector<SweepParameter> parameters;
  // grid[v][j]: index into parameters[j].values of variant v (run.policies[v + 1]);
  // the last parameter varies fastest.
  std::vector<std::vector<std::int32_t>> grid;
  std::string csv;                  // CSV of the grid's figures and frontiers; "" = the output with .csv
};

// Reads and validates a sweep file; every variant is validated like a policy
// file. Throws ConfigError naming the file, line and key, and the variant.
SweepConfig load_sweep_config(const std::string& path);

// Values given on the command line; unset ones leave the file's value.
struct Overrides {
  std::optional<std::int64_t> customers;
  std::optional<std::int32_t> paths, months, threads;
  std::optional<std::uint64_t> seed;
  std::optional<std::int64_t> batch_size;
  std::optional<std::string> output, backend;
  std::optional<double> importance_shift;
  std::optional<std::string> tail_levels;  // --tail-levels: comma-separated, e.g. "0.95,0.975,0.995"
  // A real population: --population DATA --mapping M [--as-of MONTH] [--on-bad-row error|skip].
  std::optional<std::string> population_file, mapping, as_of, on_bad_row;
};

// The levels of a --tail-levels option ("0.95,0.975,0.995"), validated like
// [run] tail_levels. Throws ConfigError naming the option.
std::vector<double> parse_tail_levels_option(const std::string& text);

// Applies overrides, re-resolves per-month scenario paths to the new horizon
// and re-validates. Throws ConfigError naming the option.
void apply_overrides(RunConfig& cfg, const Overrides& o);

// The whole effective configuration as one self-contained TOML document
// (every file inlined) that load_run_config accepts and that reproduces the run.
std::string effective_toml(const RunConfig& cfg);

}  // namespace limitsim
