// Derived figures from the exact integer sums (definitions: docs/metrics.md); their text, CSV and JSON
// forms are in summary_output.cpp.
#include "src/analysis/summary.hpp"

#include "src/util/text.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <iterator>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace limitsim {
namespace {

constexpr double kCentsPerUnit = 100.0;

double ratio(double num, double den) { return den == 0.0 ? 0.0 : num / den; }

// ---------------------------------------------------------------- portfolio rows

using Row = PortfolioRow;

// Per path: the sum over all months and segments of the given metrics, less those of `less`.
std::vector<std::int64_t> horizon_totals(const RunResults& r, const ComboSums& c, const std::vector<int>& metrics,
                                         const std::vector<int>& less = {}) {
  std::vector<std::int64_t> out(static_cast<std::size_t>(r.paths), 0);
  for (int p = 0; p < r.paths; ++p)
    for (int t = 0; t < r.months; ++t) {
      for (int m : metrics) out[p] += r.portfolio(c, p, t, m);
      for (int m : less) out[p] -= r.portfolio(c, p, t, m);
    }
  return out;
}

std::vector<double> scaled(const std::vector<std::int64_t>& x, double divisor) {
  std::vector<double> out(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) out[i] = static_cast<double>(x[i]) / divisor;
  return out;
}

// ---------------------------------------------------------------- month figures

// What a month figure sees of one path: this month's portfolio row and running totals.
struct PathMonth {
  const Row& v;
  std::int64_t cum_loss_cents;  // kChargeoffLoss, months 1..t
  std::int64_t cum_chargeoffs;  // kChargeoffCount, months 1..t
};

// Sum of a bucketed metric (first = kBucketCount0 or kBucketBalance0) over buckets >= from.
double buckets_from(const PathMonth& x, int first, int from) {
  std::int64_t s = 0;
  for (int b = from; b < kMaxBuckets; ++b) s += x.v[first + b];
  return static_cast<double>(s);
}
double active(const PathMonth& x) { return static_cast<double>(x.v[kActive]); }
double money(const PathMonth& x, int metric) { return static_cast<double>(x.v[metric]) / kCentsPerUnit; }
double net_chargeoffs(const PathMonth& x) {
  return static_cast<double>(x.v[kChargeoffExposure] - x.v[kRecovery]) / kCentsPerUnit;
}
double balance(const PathMonth& x) { return static_cast<double>(x.v[kBalance]); }
template <int kFrom>
double overdue_count(const PathMonth& x) { return ratio(buckets_from(x, kBucketCount0, kFrom), active(x)); }
template <int kFrom>
double overdue_balance(const PathMonth& x) { return ratio(buckets_from(x, kBucketBalance0, kFrom), balance(x)); }

struct MonthFigureDef {
  FigureInfo<MonthFigures> info;
  double (*value)(const PathMonth&);
};

// Bucket 2 = 31-60 DPD, so "30+" is buckets >= 2, "60+" >= 3, "90+" >= 4.
const MonthFigureDef kMonthFigureDefs[] = {
    {{"active", "accounts", "accounts open at month end", &MonthFigures::active}, active},
    {{"overdue30_count", "share", "accounts 30+ days past due (buckets >= 31-60) / open accounts",
      &MonthFigures::overdue30_count}, overdue_count<2>},
    {{"overdue60_count", "share", "accounts 60+ days past due (buckets >= 61-90) / open accounts",
      &MonthFigures::overdue60_count}, overdue_count<3>},
    {{"overdue90_count", "share", "accounts 90+ days past due (buckets >= 91-120) / open accounts",
      &MonthFigures::overdue90_count}, overdue_count<4>},
    {{"overdue30_balance", "share", "balance of accounts 30+ days past due / total balance",
      &MonthFigures::overdue30_balance}, overdue_balance<2>},
    {{"overdue60_balance", "share", "balance of accounts 60+ days past due / total balance",
      &MonthFigures::overdue60_balance}, overdue_balance<3>},
    {{"overdue90_balance", "share", "balance of accounts 90+ days past due / total balance",
      &MonthFigures::overdue90_balance}, overdue_balance<4>},
    {{"utilization", "share", "total balance / total line of open accounts", &MonthFigures::utilization},
     [](const PathMonth& x) { return ratio(balance(x), static_cast<double>(x.v[kLimit])); }},
    {{"mean_utilization", "share", "mean over open accounts of balance / line",
      &MonthFigures::mean_utilization},
     [](const PathMonth& x) { return ratio(static_cast<double>(x.v[kUtilizationSumPpm]) / 1e6, active(x)); }},
    {{"cumulative_net_loss", "currency", "net charge-off loss, months 1..month",
      &MonthFigures::cumulative_net_loss},
     [](const PathMonth& x) { return static_cast<double>(x.cum_loss_cents) / kCentsPerUnit; }},
    {{"cumulative_chargeoffs", "accounts", "accounts charged off, months 1..month",
      &MonthFigures::cumulative_chargeoffs},
     [](const PathMonth& x) { return static_cast<double>(x.cum_chargeoffs); }},
    {{"gross_chargeoffs", "currency", "charged off this month (balance less the reversed interest and fees)",
      &MonthFigures::gross_chargeoffs},
     [](const PathMonth& x) { return money(x, kChargeoffExposure); }},
    {{"recoveries", "currency", "recoveries collected this month", &MonthFigures::recoveries},
     [](const PathMonth& x) { return money(x, kRecovery); }},
    {{"net_chargeoffs", "currency", "gross charge-offs - recoveries, this month", &MonthFigures::net_chargeoffs},
     net_chargeoffs},
    {{"net_chargeoff_rate", "share", "12 x net charge-offs / month-end balance (a rate a year)",
      &MonthFigures::net_chargeoff_rate},
     [](const PathMonth& x) { return ratio(12.0 * net_chargeoffs(x), balance(x) / kCentsPerUnit); }},
};
// Every Estimate of MonthFigures must have a row above.
static_assert(sizeof(MonthFigures) ==
                  offsetof(MonthFigures, active) + std::size(kMonthFigureDefs) * sizeof(Estimate),
              "kMonthFigureDefs must list every Estimate of MonthFigures");

std::vector<MonthFigures> month_figures(const RunResults& r, const ComboSums& c, const std::vector<double>& w) {
  const std::size_t P = static_cast<std::size_t>(r.paths);
  std::vector<std::int64_t> cum_loss(P, 0), cum_chargeoffs(P, 0);
  std::vector<std::vector<double>> values(std::size(kMonthFigureDefs), std::vector<double>(P));
  std::vector<MonthFigures> out;
  out.reserve(static_cast<std::size_t>(r.months));
  for (int t = 0; t < r.months; ++t) {
    for (std::size_t p = 0; p < P; ++p) {
      const Row row = r.portfolio_row(c, static_cast<int>(p), t);
      cum_loss[p] += row[kChargeoffLoss];
      cum_chargeoffs[p] += row[kChargeoffCount];
      const PathMonth x{row, cum_loss[p], cum_chargeoffs[p]};
      for (std::size_t f = 0; f < std::size(kMonthFigureDefs); ++f) values[f][p] = kMonthFigureDefs[f].value(x);
    }
    MonthFigures mf;
    mf.month = t + 1;
    for (std::size_t f = 0; f < std::size(kMonthFigureDefs); ++f)
      mf.*(kMonthFigureDefs[f].info.field) = weighted_mean_estimate(values[f], w);
    out.push_back(mf);
  }
  return out;
}

// ---------------------------------------------------------------- horizon totals

struct TotalDef {
  FigureInfo<ComboSummary> info;
  std::vector<int> metrics;
  double divisor;  // kCentsPerUnit for money, 1 for counts
  std::vector<int> less = {};  // subtracted
};

const FigureInfo<ComboSummary> kExpectedLossInfo{
    "expected_loss", "currency", "mean over paths of the cumulative net loss at the horizon",
    &ComboSummary::expected_loss};
const FigureInfo<ComboSummary> kUnexpectedLossInfo{
    "unexpected_loss", "currency", "sample standard deviation over paths of the cumulative net loss (se: bootstrap)",
    &ComboSummary::unexpected_loss};

const TotalDef kTotalDefs[] = {
    {{"exposure_at_chargeoff", "currency", "exposure at charge-off, all months",
      &ComboSummary::exposure_at_chargeoff}, {kChargeoffExposure}, kCentsPerUnit},
    {{"revenue", "currency", "interest + late fees charged - reversals at charge-off, all months",
      &ComboSummary::revenue},
     {kInterest, kFees}, kCentsPerUnit, {kReversal}},
    {{"reversals", "currency", "interest and fees reversed at charge-off, all months", &ComboSummary::reversals},
     {kReversal}, kCentsPerUnit},
    {{"limit_increases", "accounts", "line increases granted, all months", &ComboSummary::limit_increases},
     {kLimitIncreaseCount}, 1.0},
    {{"freezes", "accounts", "lines newly frozen, all months", &ComboSummary::freezes}, {kFreezeCount}, 1.0},
};

// ---------------------------------------------------------------- loss figures

// Per path: the cumulative net loss of each segment, currency units ([segment][path]).
std::vector<std::vector<double>> segment_losses(const RunResults& r, const ComboSums& c) {
  std::vector<std::vector<double>> out(static_cast<std::size_t>(r.segments),
                                       std::vector<double>(static_cast<std::size_t>(r.paths)));
  for (int p = 0; p < r.paths; ++p)
    for (int g = 0; g < r.segments; ++g) {
      std::int64_t cents = 0;
      for (int t = 0; t < r.months; ++t) cents += c.sums[r.cell_index(p, t, g, kChargeoffLoss)];
      out[static_cast<std::size_t>(g)][static_cast<std::size_t>(p)] = static_cast<double>(cents) / kCentsPerUnit;
    }
  return out;
}

ComboSummary combo_summary(const RunResults& r, const ComboSums& c, const std::vector<std::int32_t>& report,
                           const std::vector<double>& w, const SegmentCells& cells,
                           const std::vector<TailLevel>& levels) {
  ComboSummary cs;
  cs.scenario = c.scenario;
  cs.policy = c.policy;
  cs.path_loss = scaled(horizon_totals(r, c, {kChargeoffLoss}), kCentsPerUnit);
  const LossRisk risk = loss_risk(cs.path_loss, w, kBootstrapResamples, levels);
  cs.expected_loss = risk.expected_loss;
  cs.expected_loss_ci = risk.expected_loss_ci;
  cs.unexpected_loss = risk.unexpected_loss;
  cs.unexpected_loss_ci = risk.unexpected_loss_ci;
  cs.tail = risk.tail;
  cs.by_segment = risk_contributions(cs.path_loss, segment_losses(r, c), w, risk);
  cs.by_band = aggregate_contributions(cs.by_segment, cells.segment_band, cells.band_names.size());
  cs.by_region = aggregate_contributions(cs.by_segment, cells.segment_region, cells.region_names.size());
  cs.convergence = convergence_bands(cs.path_loss, w, risk);
  for (const TotalDef& d : kTotalDefs)
    cs.*(d.info.field) = weighted_mean_estimate(scaled(horizon_totals(r, c, d.metrics, d.less), d.divisor), w);
  cs.pnl = pnl_horizon(r, c, run_pnl_rates(r), w);
  cs.months = month_figures(r, c, w);
  cs.report_months = report;
  return cs;
}

void check_shape(const RunResults& r) {
  if (r.paths < 1 || r.months < 1 || r.segments < 1)
    throw std::invalid_argument("compute_summary: need at least one path, month and segment (got paths=" +
                                std::to_string(r.paths) + ", months=" + std::to_string(r.months) +
                                ", segments=" + std::to_string(r.segments) + ")");
  for (const ComboSums& c : r.combos)
    if (c.sums.size() != r.cells())
      throw std::invalid_argument("compute_summary: combo " + c.scenario + " / " + c.policy + " has " +
                                  std::to_string(c.sums.size()) + " sums, expected " + std::to_string(r.cells()));
}

}  // namespace

// ---------------------------------------------------------------- public helpers

SegmentCells segment_cells(const RunResults& r) {
  auto bad = [](const std::string& what) { throw std::invalid_argument("segment cells: " + what); };
  const auto G = static_cast<std::size_t>(std::max(r.segments, 0));
  if (r.segment_names.size() != G)
    bad(std::to_string(r.segment_names.size()) + " segment names for " + std::to_string(G) + " segments");
  SegmentCells c;
  c.segment_names = r.segment_names;
  auto axis = [&](const char* what, const std::vector<std::string>& names, const std::vector<std::int32_t>& of,
                  std::vector<std::string>& out_names, std::vector<std::int32_t>& out_of, bool by_segment) {
    if (names.empty()) {
      if (!of.empty()) bad(std::string("a segment_") + what + " mapping without " + what + " names");
      if (by_segment) {
        out_names = r.segment_names;
        for (std::size_t g = 0; g < G; ++g) out_of.push_back(static_cast<std::int32_t>(g));
      } else {
        out_names = {"all"};
        out_of.assign(G, 0);
      }
      return;
    }
    if (of.size() != G)
      bad(std::to_string(of.size()) + " entries in segment_" + what + " for " + std::to_string(G) + " segments");
    for (std::int32_t k : of)
      if (k < 0 || static_cast<std::size_t>(k) >= names.size())
        bad(std::string(what) + " index " + std::to_string(k) + " outside 0.." + std::to_string(names.size() - 1));
    out_names = names;
    out_of = of;
  };
  axis("band", r.band_names, r.segment_band, c.band_names, c.segment_band, true);
  axis("region", r.region_names, r.segment_region, c.region_names, c.segment_region, false);
  return c;
}

bool few_paths_carry_the_weight(double mean_weight, double effective_paths, std::int32_t paths) {
  return effective_paths < 0.1 * paths || std::fabs(mean_weight - 1.0) > 0.5;
}

std::vector<TailLevel> run_tail_levels(const RunResults& r) {
  if (r.meta.tail_levels.empty()) return default_tail_levels();
  return tail_levels_of(r.meta.tail_levels);
}

std::vector<double> effective_path_weights(const RunResults& r) {
  check_weights(r.path_weight, static_cast<std::size_t>(std::max(r.paths, 0)), "path weights");
  return all_unit_weights(r.path_weight) ? std::vector<double>{} : r.path_weight;
}

std::vector<std::int32_t> normalize_report_months(const std::vector<std::int32_t>& requested,
                                                  std::int32_t months) {
  std::vector<std::int32_t> out;
  for (std::int32_t m : requested)
    if (m >= 1 && m <= months) out.push_back(m);
  if (months >= 1) out.push_back(months);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

const std::vector<FigureInfo<MonthFigures>>& month_figure_info() {
  static const std::vector<FigureInfo<MonthFigures>> info = [] {
    std::vector<FigureInfo<MonthFigures>> v;
    for (const MonthFigureDef& d : kMonthFigureDefs) v.push_back(d.info);
    return v;
  }();
  return info;
}

const std::vector<FigureInfo<ComboSummary>>& combo_figure_info() {
  static const std::vector<FigureInfo<ComboSummary>> info = [] {
    std::vector<FigureInfo<ComboSummary>> v{kExpectedLossInfo, kUnexpectedLossInfo};
    for (const TotalDef& d : kTotalDefs) v.push_back(d.info);
    return v;
  }();
  return info;
}

Summary compute_summary(const RunResults& r, const std::vector<std::int32_t>& report_months) {
  check_shape(r);
  Summary s;
  s.paths = r.paths;
  s.months = r.months;
  s.customers = r.meta.customers;
  s.importance_shift = r.meta.importance_shift;
  s.cells = segment_cells(r);
  s.levels = run_tail_levels(r);
  const std::vector<double> w = effective_path_weights(r);
  s.weighted = !w.empty();
  s.effective_paths = r.paths;
  if (s.weighted) {
    double sum = 0.0, sum2 = 0.0;
    for (const double x : w) {
      sum += x;
      sum2 += x * x;
    }
    s.mean_weight = sum / static_cast<double>(w.size());
    s.effective_paths = sum2 > 0.0 ? sum * sum / sum2 : 0.0;
  }
  const std::vector<std::int32_t> report = normalize_report_months(report_months, r.months);
  s.combos.reserve(r.combos.size());
  for (const ComboSums& c : r.combos) s.combos.push_back(combo_summary(r, c, report, w, s.cells, s.levels));
  return s;
}

}  // namespace limitsim
