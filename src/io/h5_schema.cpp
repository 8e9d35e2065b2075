// The result file's schema tables (h5_schema.hpp), and the check of what a file can hold before it is written.
#include "src/io/h5_schema.hpp"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <stdexcept>
#include <utility>

#include "src/io/h5_pnl.hpp"

namespace limitsim {
namespace h5 {

const std::vector<MetricGroup>& metric_groups() {
  static const std::vector<MetricGroup> groups = [] {
    std::vector<MetricGroup> g;
    for (int m = 0; m < kNumMetrics; ++m) {
      const MetricInfo* mi = &metric_info(m);
      if (!g.empty() && g.back().info == mi)
        ++g.back().width;
      else
        g.push_back({m, 1, mi});
    }
    return g;
  }();
  return groups;
}

std::string bucket_labels() {
  std::string s = "current";
  for (int b = 1; b < kMaxBuckets; ++b) s += "," + std::to_string(30 * (b - 1) + 1) + "-" + std::to_string(30 * b);
  return s;
}

std::string bin_labels() {
  static_assert(kUtilBins == 12, "util_bin: [0], ten 10% bins, >100%");
  std::string s = "0";
  for (int b = 1; b < kUtilBins - 1; ++b)
    s += ",(" + std::to_string(10 * (b - 1)) + "-" + std::to_string(10 * b) + "%]";
  return s + ",>100%";
}

ExtraDim extra_dim(const MetricGroup& g) {
  if (g.first == kBucketCount0 || g.first == kBucketBalance0) return {"bucket", bucket_labels()};
  if (g.first == kUtilHist0) return {"bin", bin_labels()};
  if (g.width != 1) throw std::logic_error(std::string("h5io: no dimension for metric group ") + g.info->name);
  return {nullptr, ""};
}

const char* metric_description(const char* name) {
  static const std::pair<const char*, const char*> table[] = {
      {"active", "accounts open at month end"},
      {"bucket_count", "open accounts by delinquency bucket at month end"},
      {"bucket_balance", "balances of open accounts by delinquency bucket at month end"},
      {"chargeoff_count", "accounts charged off this month"},
      {"chargeoff_exposure", "gross charge-offs this month: balance at charge-off less the reversal"},
      {"chargeoff_loss", "net charge-off loss this month (gross charge-off x LGD)"},
      {"chargeoff_recovery", "eventual recovery of this month's charge-offs (gross charge-off - net loss)"},
      {"attrited_count", "accounts closed voluntarily this month"},
      {"limit", "total line of open accounts at month end"},
      {"balance", "total balance of open accounts at month end"},
      {"spend", "purchases this month"},
      {"payment", "payments received this month"},
      {"interest", "interest charged this month"},
      {"fees", "late fees charged this month"},
      {"missed_count", "payments missed this month"},
      {"limit_increase_count", "line increases this month"},
      {"limit_increase_amount", "amount added by line increases this month"},
      {"freeze_count", "lines newly frozen this month"},
      {"frozen_count", "open accounts frozen at month end"},
      {"utilization_sum", "sum over open accounts of balance / line at month end"},
      {"limit_decrease_count", "line decreases this month"},
      {"limit_decrease_amount", "amount removed by line decreases this month"},
      {"trigger_increase_count", "event-triggered line increases this month (included in limit_increase_count)"},
      {"temp_limit_count", "open accounts holding a temporary raise this month"},
      {"temp_limit_amount", "temporary extra line of those accounts this month"},
      {"signal_count", "open accounts whose borrowing-frequency signal is on at month end"},
      {"draw_count", "separate draws (transactions) this month"},
      {"shock_start_count", "income shocks that started this month"},
      {"shocked_count", "accounts in an income shock this month"},
      {"reversal", "interest and fees reversed at charge-off this month (schema 1.4)"},
      {"recovery", "recoveries collected this month, from this or earlier months' charge-offs (schema 1.4)"},
      {"declined_count", "open accounts past the authorisation bucket at month end: purchases declined (schema 1.4)"},
      {"partial_cure_count", "delinquent accounts that moved back one or two buckets, not to current (schema 1.4)"},
      {"applicant_count", "applicants arriving this month, approved or not (schema 1.5)"},
      {"new_account_count", "accounts opened this month: approved applicants (schema 1.5)"},
      {"runoff_count", "open accounts at month end running off after attrition: no new spending (schema 1.5)"},
      {"inactive_count", "open accounts at month end that made no purchase this month (schema 1.5)"},
      {"utilization_histogram", "open accounts by utilization bin at month end"},
  };
  for (const auto& e : table)
    if (std::strcmp(e.first, name) == 0) return e.second;
  throw std::logic_error(std::string("h5io: no description for metric ") + name);
}

const char* vintage_metric_description(int metric) {
  static const char* const d[] = {
      "accounts the cohort opened with (months on book 0; the opening book: its customers), summed over paths",
      "open accounts at month end, summed over paths",
      "balances of open accounts at month end, summed over paths",
      "lines of open accounts at month end (a temporary raise included), summed over paths",
      "open accounts more than 30 days past due at month end (bucket 31-60 and worse), summed over paths",
      "balances of those accounts, summed over paths",
      "accounts charged off this month, summed over paths",
      "gross charge-offs this month (as chargeoff_exposure), summed over paths",
      "net loss booked this month (as chargeoff_loss), summed over paths",
  };
  static_assert(sizeof(d) / sizeof(d[0]) == kNumVintageMetrics, "one description per vintage metric");
  return d[metric];
}

std::string group_name(const std::string& name) {
  std::string out;
  for (char ch : name) out += ch == '%' ? "%25" : ch == '/' ? "%2F" : std::string(1, ch);
  return out == "." ? "%2E" : out;
}

std::string combo_path(const std::string& scenario, const std::string& policy) {
  return "/results/" + group_name(scenario) + "/" + group_name(policy);
}

void validate_for_write(const RunResults& r, const Summary& s, const Comparison& cmp, const std::string& path) {
  auto bad = [&](const std::string& what) { throw std::runtime_error("cannot write '" + path + "': " + what); };
  if (r.paths < 1 || r.months < 1 || r.segments < 1) bad("need at least one path, month and segment");
  if (r.segment_names.size() != static_cast<std::size_t>(r.segments) ||
      r.segment_customers.size() != static_cast<std::size_t>(r.segments))
    bad("segment names / customers do not match the segment count");
  for (const auto* names : {&r.scenario_names, &r.policy_names}) {
    std::vector<std::string> sorted = *names;
    std::sort(sorted.begin(), sorted.end());
    if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) bad("duplicate scenario or policy name");
    if (!sorted.empty() && sorted.front().empty()) bad("empty scenario or policy name");
  }
  const std::size_t n_policies = r.policy_names.size();
  if (r.combos.size() != r.scenario_names.size() * n_policies) bad("combo count != scenarios x policies");
  if (s.combos.size() != r.combos.size()) bad("the summary does not match the results (combo count)");
  for (std::size_t i = 0; i < r.combos.size(); ++i) {
    const ComboSums& c = r.combos[i];
    const ComboSummary& cs = s.combos[i];
    const std::string label = "combo " + c.scenario + " / " + c.policy;
    if (c.scenario != r.scenario_names[i / n_policies] || c.policy != r.policy_names[i % n_policies])
      bad(label + " is not in scenario-major run order");
    if (c.sums.size() != r.cells()) bad(label + " has " + std::to_string(c.sums.size()) + " sums, expected " +
                                        std::to_string(r.cells()));
    if (cs.scenario != c.scenario || cs.policy != c.policy || cs.months.size() != static_cast<std::size_t>(r.months) ||
        cs.tail.size() != s.levels.size())
      bad("the summary does not match the results (" + label + ")");
    if (cmp.combos.size() != r.combos.size() || cmp.combos[i].scenario != c.scenario ||
        cmp.combos[i].policy != c.policy || cmp.combos[i].values.size() != cmp.combos[0].values.size())
      bad("the comparison does not match the results (" + label + ")");
  }
  if (cmp.paths != r.paths || cmp.months != r.months)
    bad("the comparison does not match the results (paths or months)");
  if (cmp.stress.size() != cmp.combos.size()) bad("the comparison's stress view does not match the results");
  for (std::size_t i = 0; i < cmp.stress.size(); ++i)
    if (cmp.stress[i].scenario != cmp.combos[i].scenario || cmp.stress[i].policy != cmp.combos[i].policy ||
        cmp.stress[i].values.size() != cmp.combos[i].values.size())
      bad("the comparison's stress view does not match the results (combo " + std::to_string(i) + ")");
  try {
    const SegmentCells cells = segment_cells(r);
    if (cells.band_names != s.cells.band_names || cells.region_names != s.cells.region_names ||
        cells.segment_band != s.cells.segment_band || cells.segment_region != s.cells.segment_region)
      bad("the summary's bands and regions are not those of the results");
    check_weights(r.path_weight, static_cast<std::size_t>(r.paths), "path weights");
  } catch (const std::invalid_argument& e) {
    bad(e.what());
  }
  for (const ComboSummary& cs : s.combos) {
    const std::size_t G = static_cast<std::size_t>(r.segments);
    if (cs.by_segment.expected_loss.size() != G || cs.by_segment.var.size() != s.levels.size() ||
        cs.by_segment.var_rank.size() != s.levels.size() ||
        cs.by_band.expected_loss.size() != s.cells.band_names.size() ||
        cs.by_region.expected_loss.size() != s.cells.region_names.size() || cs.convergence.empty())
      bad("the summary's contributions or convergence bands do not match the results (" + cs.scenario + " / " +
          cs.policy + ")");
  }
  if (!std::isfinite(r.meta.cost_of_funds)) bad("the cost of funds is not finite");
  for (const PnlAttribute& a : pnl_attributes()) {
    PnlConfig copy;
    const std::string reason = a.set(copy, a.get(r.meta.pnl));
    if (!reason.empty()) bad(std::string("the P&L parameter ") + a.name + " " + reason);
  }
}

}  // namespace h5
}  // namespace limitsim
