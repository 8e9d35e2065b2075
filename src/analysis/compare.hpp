// Policy comparison on common random numbers (docs/metrics.md, "Comparison").
//
// Every policy of a run is simulated on the same customers with the same random
// numbers, so path p of two policies differs only by the policy. A difference
// is therefore estimated from the per-path differences (a paired comparison),
// whose spread is far below that of two independent runs when the policies'
// paths are correlated. Each difference carries the measured narrowing:
// the half-width of the paired 95% interval over the half-width an unpaired
// (independent-runs) interval would have had.
//
// The same pairing gives the stress view: every scenario against the run's
// first (baseline) scenario, policy by policy, since scenarios share the draws
// too. Under importance sampling every path carries its likelihood ratio w_p
// (the same for every scenario and policy), and a per-path difference is
// weighted by it: d_p = w_p (x_p − base_p).
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "src/engine/results.hpp"
#include "src/analysis/summary.hpp"

namespace limitsim {

inline constexpr double kCompareConfidence = 0.95;  // two-sided level of every interval

// The baseline asked for (on the command line or in the file) is not a policy of the run.
class UnknownBaseline : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// One compared figure (definitions: docs/metrics.md, "Comparison").
struct CompareFigure {
  const char* name;         // e.g. "net_income", "var_99.9", "overdue30_count"
  const char* unit;         // "currency", "share", "accounts" or "account-months"
  const char* description;
  bool monthly;             // compared at every report month (else once, at the horizon)
  bool bootstrap;           // UL/VaR/ES: intervals and se by bootstrap (else mean over paths, t interval)
};
// Every figure, in output order, with VaR and ES at the given tail levels (at
// kTailLevels by default). The table lives as long as the program.
const std::vector<CompareFigure>& compare_figures(const std::vector<TailLevel>& levels = default_tail_levels(),
                                                  bool raroc = false);

// policy − baseline, estimated on the same paths. NaN where it cannot be estimated
// (fewer than two paths; pairing_ratio also where both unpaired spreads are 0).
struct PairedDifference {
  double diff = std::numeric_limits<double>::quiet_NaN();
  double lo = std::numeric_limits<double>::quiet_NaN();   // 95% interval
  double hi = std::numeric_limits<double>::quiet_NaN();
  // Half-width of this interval / half-width of the unpaired interval (below 1:
  // pairing narrowed it).
  double pairing_ratio = std::numeric_limits<double>::quiet_NaN();
};

struct ComparedValue {
  std::size_t figure = 0;     // index into Comparison::figures (compare_figures at the run's tail levels)
  const CompareFigure* info = nullptr;  // that figure (lives as long as the program)
  std::int32_t month = 0;     // the report month of a monthly figure; 0 for a horizon figure
  Estimate value;             // this policy: mean over paths ± se (UL/VaR/ES: estimate ± bootstrap se)
  PairedDifference vs_baseline;  // against the baseline policy (in Comparison::stress: the baseline scenario)
};

struct PolicyComparison {
  std::string scenario;
  std::string policy;
  bool is_baseline = false;           // the baseline policy (in Comparison::stress: the baseline scenario)
  std::vector<ComparedValue> values;  // figures in Comparison::figures order, months ascending

  // The value of `figure` at `month` (0 for a horizon figure); throws std::out_of_range.
  const ComparedValue& at(const std::string& figure, std::int32_t month = 0) const;
};

struct Comparison {
  std::int32_t paths = 0;
  std::int32_t months = 0;
  // compare_figures at the run's tail levels (run_tail_levels); lives as long as the program.
  const std::vector<CompareFigure>* figures = &compare_figures();
  std::string baseline;                     // the policy every other is compared with
  std::size_t baseline_index = 0;           // its index in RunResults::policy_names
  std::string baseline_scenario;            // the scenario every other is compared with in `stress` (the first)
  double cost_of_funds = 0.0;               // annual rate used for cost_of_funds and net_income
  PnlConfig pnl;                            // the run's other P&L parameters (r.meta.pnl; docs/pnl.md)
  bool weighted = false;                    // paths weighted by importance-sampling likelihood ratios
  double importance_shift = 0.0;            // RunMetadata::importance_shift (0 = off)
  double t_quantile = std::numeric_limits<double>::quiet_NaN();  // t(0.975, paths − 1); NaN for 1 path
  std::vector<std::int32_t> report_months;  // months of the monthly figures; always ends with `months`
  std::vector<PolicyComparison> combos;     // same order as RunResults::combos
  // The stress view: (scenario s, policy q) against (baseline scenario, q), on
  // the same paths; same order as combos; is_baseline marks the baseline scenario.
  std::vector<PolicyComparison> stress;
};

struct CompareOptions {
  std::string baseline;                 // "": RunMetadata::baseline_policy, and if that is empty the first policy
  std::optional<double> cost_of_funds;  // overrides RunMetadata::cost_of_funds (what-if)
  // Adds the figure "raroc": mean net_income / (VaR 99.9% − EL) of net_loss over
  // the horizon, with paired bootstrap intervals (docs/regulatory.md). Off by
  // default, so the comparison written by `run` is unchanged.
  bool raroc = false;
};

// The baseline policy's name: `requested` if given, else r.meta.baseline_policy,
// else the first policy. Throws UnknownBaseline, listing the policies, when the
// chosen name is not one of them.
std::string resolve_baseline(const RunResults& r, const std::string& requested);

// Every figure of every (scenario, policy), compared with the baseline policy
// of the same scenario, at the run's report months (r.meta.report_months,
// normalised like the summary's) and the horizon; and in `stress`, with the
// baseline scenario under the same policy. Paths are weighted by r.path_weight.
// Throws UnknownBaseline, std::invalid_argument for results without paths,
// months or segments or with sums of the wrong size, or for a cost of funds
// that is not finite.
Comparison compute_comparison(const RunResults& r, const CompareOptions& opt = {});

// The policies of scenario `scenario` (an index into RunResults::scenario_names)
// ranked by net income (the full P&L, docs/pnl.md), best first: indices into
// Comparison::combos. Ties keep run order. Throws std::out_of_range for a
// scenario the comparison does not have.
std::vector<std::size_t> rank_by_net_income(const Comparison& c, std::size_t scenario);

// ---- the statistics, exposed for tests (student_t_quantile and student_t_cdf: risk.hpp)

// Paired difference of per-path values x (the policy) and base (the baseline),
// same length n >= 1, with path weights w (empty: all 1): d_p = w_p (x_p − base_p),
// diff = mean(d), interval diff ± t(0.975, n−1)·sd(d)/√n,
// pairing_ratio = sd(d) / sqrt(var(w x) + var(w base)).
PairedDifference paired_difference(const std::vector<double>& x, const std::vector<double>& base,
                                   const std::vector<double>& w = {});

// Per-path values x_p of a figure that is a mean over paths (not VaR or ES) for
// one combo of r, at report month `month` (ignored for horizon figures), with the
// annual cost-of-funds rate `cost_of_funds` and the run's other P&L parameters
// (r.meta.pnl). Throws std::invalid_argument for an unknown or bootstrap figure
// or a month outside 1..months.
std::vector<double> figure_per_path(const RunResults& r, const ComboSums& c, const std::string& figure,
                                    std::int32_t month, double cost_of_funds);

// ---- output

// Which comparison a table or CSV shows.
enum class CompareView {
  kPolicies,  // every policy against the baseline policy (the CSV's default)
  kStress,    // every scenario against the baseline scenario
  kBoth,      // both, policies first (the table's default; the stress part only with several scenarios)
};

// Readable fixed-width text, grouped by scenario, then figure (the stress view:
// by policy, then figure).
std::string format_comparison_table(const RunResults& r, const Comparison& c,
                                    CompareView view = CompareView::kBoth);
// One tidy row per (scenario, policy, figure, month); header
// scenario,policy,figure,month,unit,value,se,diff,diff_lo,diff_hi,pairing_ratio.
// Horizon figures have an empty month; NaN is an empty field. kStress: the
// stress view's rows (diff against the baseline scenario); kBoth is refused
// (std::invalid_argument): one CSV holds one table.
std::string format_comparison_csv(const Comparison& c, CompareView view = CompareView::kPolicies);
// A JSON document (docs/metrics.md, "Comparison output") with both views; NaN is null.
std::string format_comparison_json(const RunResults& r, const Comparison& c);

}  // namespace limitsim
