// Policy comparison on common random numbers (definitions: docs/metrics.md, "Comparison").
#include "src/analysis/compare.hpp"

#include "src/analysis/pnl.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <sstream>

namespace limitsim {
namespace {

constexpr double kCentsPerUnit = 100.0;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Upper quantile of the two-sided interval: 0.975 for 95%.
constexpr double kUpperQuantile = 0.5 + kCompareConfidence / 2.0;
static_assert(kCompareConfidence == kRiskConfidence, "the comparison and the summary use the same level");

// The loss statistics that are not means over paths, compared by bootstrap:
// UL, then VaR and ES at each tail level (kTailLevels unless chosen).
constexpr std::size_t kUlStat = 0;
constexpr std::size_t var_stat(std::size_t level) { return 1 + 2 * level; }
constexpr std::size_t es_stat(std::size_t level) { return 2 + 2 * level; }
constexpr std::size_t num_loss_stats(std::size_t levels) { return 1 + 2 * levels; }

// ================================================================ statistics

double mean_of(const std::vector<double>& x) {
  double s = 0.0;
  for (double v : x) s += v;
  return s / static_cast<double>(x.size());
}

// Sample variance (divisor n − 1); NaN for fewer than two values. The values
// are shifted by the first one before the mean is taken, so equal values give
// exactly 0 (the plain mean of three 0.1s is not 0.1, which would leave a
// spread of 1e-17 and a meaningless pairing ratio where there is no spread).
double sample_var(const std::vector<double>& x) {
  const std::size_t n = x.size();
  if (n < 2) return kNaN;
  double shift_sum = 0.0;
  for (double v : x) shift_sum += v - x[0];
  const double shifted_mean = shift_sum / static_cast<double>(n);
  double ss = 0.0;
  for (double v : x) ss += ((v - x[0]) - shifted_mean) * ((v - x[0]) - shifted_mean);
  return ss / static_cast<double>(n - 1);
}

// Mean over paths with se = sd / sqrt(n), as the summary's (NaN se for one path); the
// mean is summed exactly as the summary's, so the two print the same value.
Estimate mean_estimate(const std::vector<double>& x) {
  const double m = mean_of(x);
  return {m, std::sqrt(sample_var(x)) / std::sqrt(static_cast<double>(x.size()))};
}

double ratio(double num, double den) { return den == 0.0 ? 0.0 : num / den; }

// w_p x_p, or x itself when w is empty (no importance sampling).
std::vector<double> weighted(const std::vector<double>& x, const std::vector<double>& w) {
  if (w.empty()) return x;
  std::vector<double> y(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) y[i] = w[i] * x[i];
  return y;
}

// Paired difference with a given t quantile (t is the same for every figure of
// a run), on d_p = w_p (x_p − base_p); w empty = 1.
PairedDifference paired_difference_t(const std::vector<double>& x, const std::vector<double>& base, double t,
                                     const std::vector<double>& w = {}) {
  const std::size_t n = x.size();
  std::vector<double> d(n);
  for (std::size_t i = 0; i < n; ++i) d[i] = w.empty() ? x[i] - base[i] : w[i] * (x[i] - base[i]);
  PairedDifference out;
  out.diff = mean_of(d);
  if (n < 2) return out;
  const double sqrt_n = std::sqrt(static_cast<double>(n));
  const double half = t * std::sqrt(sample_var(d)) / sqrt_n;
  out.lo = out.diff - half;
  out.hi = out.diff + half;
  // An unpaired comparison (independent runs of n paths each) would see
  // var(x)/n + var(base)/n; the same t quantile keeps the ratio a pure effect of pairing.
  const double unpaired_half = t * std::sqrt(sample_var(weighted(x, w)) / static_cast<double>(n) +
                                             sample_var(weighted(base, w)) / static_cast<double>(n));
  out.pairing_ratio = unpaired_half > 0.0 ? half / unpaired_half : kNaN;
  return out;
}

// ================================================================ per-path figures

using Row = PortfolioRow;

// What the overdue figures need of one path at one report month.
struct MonthPoint {
  std::int64_t active = 0, balance = 0;
  std::int64_t count30 = 0, count90 = 0;      // accounts in buckets >= 2 (31-60 DPD), >= 4 (91-120 DPD)
  std::int64_t balance30 = 0, balance90 = 0;  // their balances, cents
};

MonthPoint month_point(const Row& row) {
  MonthPoint m;
  m.active = row[kActive];
  m.balance = row[kBalance];
  for (int b = 2; b < kMaxBuckets; ++b) {
    m.count30 += row[kBucketCount0 + b];
    m.balance30 += row[kBucketBalance0 + b];
  }
  for (int b = 4; b < kMaxBuckets; ++b) {
    m.count90 += row[kBucketCount0 + b];
    m.balance90 += row[kBucketBalance0 + b];
  }
  return m;
}

// One path: totals over months 1..T and the points at the report months.
struct PathData {
  PnlSums pnl;                     // the P&L's sums (net loss, revenue, balances, ...)
  std::int64_t increases = 0, triggered = 0, decreases = 0, freezes = 0, temp_limits = 0;
  double utilization_sum = 0.0;    // Σ_t balance / line (0 for a month without line)
  std::vector<MonthPoint> points;  // [report month]
};

struct Rates {
  PnlRates pnl;                  // cost of funds and [pnl]
  double months;                 // T
};

double cents(std::int64_t x) { return static_cast<double>(x) / kCentsPerUnit; }
// One line of the path's P&L over months 1..T (src/analysis/pnl.hpp: the one definition).
double pnl_line(const PathData& d, const Rates& rt, PnlLine line) {
  return pnl_values(d.pnl, rt.pnl)[static_cast<std::size_t>(line)];
}

struct FigureDef {
  CompareFigure info;
  double (*value)(const PathData&, std::size_t report, const Rates&);
  int stat;  // bootstrap figures: index of the loss statistic (kUlStat, var_stat, es_stat); -1 otherwise
};

double path_loss(const PathData& d, std::size_t, const Rates&) { return cents(d.pnl.loss); }

// The figures before the tail figures (VaR and ES at each level, built by
// figure_table), then those after them. Bucket 2 = 31-60 DPD, so "30+" is
// buckets >= 2 and "90+" buckets >= 4 (docs/metrics.md).
const FigureDef kHeadDefs[] = {
    {{"net_loss", "currency", "cumulative net charge-off loss at the horizon", false, false}, path_loss, -1},
    {{"unexpected_loss", "currency", "UL: standard deviation of net_loss over paths", false, true}, path_loss,
     static_cast<int>(kUlStat)},
};
const FigureDef kRestDefs[] = {
    {{"revenue", "currency", "interest + late fees - reversals at charge-off, months 1..T", false, false},
     [](const PathData& d, std::size_t, const Rates&) { return cents(d.pnl.revenue()); }, -1},
    {{"cost_of_funds", "currency", "cost_of_funds / 12 x sum over months 1..T of the month-end balance", false,
      false},
     [](const PathData& d, std::size_t, const Rates& rt) { return pnl_line(d, rt, kPnlCostOfFunds); }, -1},
    {{"interchange", "currency", "interchange_rate x purchase volume, months 1..T", false, false},
     [](const PathData& d, std::size_t, const Rates& rt) { return pnl_line(d, rt, kPnlInterchange); }, -1},
    {{"annual_fees", "currency", "annual_fee / 12 x open accounts at month end, months 1..T", false, false},
     [](const PathData& d, std::size_t, const Rates& rt) { return pnl_line(d, rt, kPnlAnnualFees); }, -1},
    {{"operating_cost", "currency", "operating_cost / 12 x open accounts at month end, months 1..T", false, false},
     [](const PathData& d, std::size_t, const Rates& rt) { return pnl_line(d, rt, kPnlOperatingCost); }, -1},
    {{"acquisition_cost", "currency", "acquisition_cost x accounts opened, months 1..T", false, false},
     [](const PathData& d, std::size_t, const Rates& rt) { return pnl_line(d, rt, kPnlAcquisitionCost); }, -1},
    {{"collection_cost", "currency", "collection_cost x accounts in bucket >= 1 at month end, months 1..T", false,
      false},
     [](const PathData& d, std::size_t, const Rates& rt) { return pnl_line(d, rt, kPnlCollectionCost); }, -1},
    {{"net_income", "currency",
      "revenue + interchange + annual_fees - cost_of_funds - operating_cost - acquisition_cost - collection_cost "
      "- net_loss (docs/pnl.md)",
      false, false},
     [](const PathData& d, std::size_t, const Rates& rt) { return pnl_line(d, rt, kPnlNetIncome); }, -1},
    {{"risk_adjusted_margin", "share",
      "12 x net_income / sum over months 1..T of the month-end balance: net income a year over the mean balance",
      false, false},
     [](const PathData& d, std::size_t, const Rates& rt) { return pnl_line(d, rt, kPnlRiskAdjustedMargin); }, -1},
    {{"average_utilization", "share", "total balance / total line at month end, averaged over months 1..T",
      false, false},
     [](const PathData& d, std::size_t, const Rates& rt) { return d.utilization_sum / rt.months; }, -1},
    {{"overdue30_count", "share", "accounts 30+ days past due (buckets >= 31-60) / open accounts", true, false},
     [](const PathData& d, std::size_t k, const Rates&) {
       return ratio(static_cast<double>(d.points[k].count30), static_cast<double>(d.points[k].active));
     },
     -1},
    {{"overdue90_count", "share", "accounts 90+ days past due (buckets >= 91-120) / open accounts", true, false},
     [](const PathData& d, std::size_t k, const Rates&) {
       return ratio(static_cast<double>(d.points[k].count90), static_cast<double>(d.points[k].active));
     },
     -1},
    {{"overdue30_balance", "share", "balance of accounts 30+ days past due / total balance", true, false},
     [](const PathData& d, std::size_t k, const Rates&) {
       return ratio(static_cast<double>(d.points[k].balance30), static_cast<double>(d.points[k].balance));
     },
     -1},
    {{"overdue90_balance", "share", "balance of accounts 90+ days past due / total balance", true, false},
     [](const PathData& d, std::size_t k, const Rates&) {
       return ratio(static_cast<double>(d.points[k].balance90), static_cast<double>(d.points[k].balance));
     },
     -1},
    {{"limit_increases", "accounts", "line increases, months 1..T", false, false},
     [](const PathData& d, std::size_t, const Rates&) { return static_cast<double>(d.increases); }, -1},
    {{"trigger_increases", "accounts", "event-triggered line increases (part of limit_increases), months 1..T",
      false, false},
     [](const PathData& d, std::size_t, const Rates&) { return static_cast<double>(d.triggered); }, -1},
    {{"limit_decreases", "accounts", "line decreases, months 1..T", false, false},
     [](const PathData& d, std::size_t, const Rates&) { return static_cast<double>(d.decreases); }, -1},
    {{"freezes", "accounts", "lines newly frozen, months 1..T", false, false},
     [](const PathData& d, std::size_t, const Rates&) { return static_cast<double>(d.freezes); }, -1},
    {{"temp_limit_months", "account-months",
      "sum over months 1..T of the open accounts holding a temporary raise", false, false},
     [](const PathData& d, std::size_t, const Rates&) { return static_cast<double>(d.temp_limits); }, -1},
};
constexpr std::size_t kNetLossFigure = 0;

// The figures of a comparison at given tail levels: kHeadDefs, then VaR and ES
// at each level, then kRestDefs. Tables are built once per set of levels and
// live as long as the program, so CompareFigure's names may point into them.
struct FigureTable {
  std::deque<std::string> text;     // names and descriptions of the tail figures
  std::vector<FigureDef> defs;
  std::vector<CompareFigure> info;  // defs' info, in order
};

// 0.999 -> "0.999": the level as written.
std::string level_decimal(const TailLevel& l) {
  std::string digits = std::to_string(l.num);
  std::size_t k = 0;
  for (std::int64_t d = l.den; d > 1; d /= 10) ++k;
  return "0." + std::string(k - std::min(k, digits.size()), '0') + digits;
}

// The RAROC figure (CompareOptions::raroc): its value and intervals come from raroc_comparison.
constexpr int kRarocStat = -2;
const FigureDef kRarocDef{{"raroc", "share",
                           "RAROC: mean net_income / economic capital, the capital being VaR 99.9% - EL of net_loss "
                           "over the horizon; intervals by paired bootstrap",
                           false, true},
                          path_loss, kRarocStat};

const FigureTable& figure_table(const std::vector<TailLevel>& levels, bool raroc = false) {
  static std::mutex mutex;
  static std::map<std::vector<std::pair<std::int64_t, std::int64_t>>, std::unique_ptr<FigureTable>> tables;
  std::vector<std::pair<std::int64_t, std::int64_t>> key;
  for (const TailLevel& l : levels) key.emplace_back(l.num, l.den);
  if (raroc) key.emplace_back(-1, -1);
  const std::lock_guard<std::mutex> lock(mutex);
  std::unique_ptr<FigureTable>& t = tables[key];
  if (t) return *t;
  t = std::make_unique<FigureTable>();
  auto keep = [&](std::string x) { return t->text.emplace_back(std::move(x)).c_str(); };
  for (const FigureDef& d : kHeadDefs) t->defs.push_back(d);
  for (std::size_t l = 0; l < levels.size(); ++l) {
    const std::string pct = tail_level_percent(levels[l]);
    t->defs.push_back({{keep("var_" + pct), "currency",
                        keep("VaR " + pct + "% of net_loss over paths: order statistic ceil(" +
                             level_decimal(levels[l]) + " P) (weighted: mass rule)"),
                        false, true},
                       path_loss, static_cast<int>(var_stat(l))});
    t->defs.push_back({{keep("es_" + pct), "currency",
                        keep("ES " + pct + "% of net_loss: mean of the losses at or beyond VaR " + pct + "%"), false,
                        true},
                       path_loss, static_cast<int>(es_stat(l))});
  }
  for (const FigureDef& d : kRestDefs) t->defs.push_back(d);
  if (raroc) t->defs.push_back(kRarocDef);
  for (const FigureDef& d : t->defs) t->info.push_back(d.info);
  return *t;
}

// One compared value: a figure, at a report month for a monthly one.
struct Slot {
  std::size_t figure;
  std::int32_t month;   // 0 for a horizon figure
  std::size_t report;   // index into the report months (monthly figures)
};

std::vector<Slot> slots(const std::vector<FigureDef>& defs, const std::vector<std::int32_t>& report) {
  std::vector<Slot> out;
  for (std::size_t f = 0; f < defs.size(); ++f) {
    if (!defs[f].info.monthly) {
      out.push_back({f, 0, 0});
      continue;
    }
    for (std::size_t k = 0; k < report.size(); ++k) out.push_back({f, report[k], k});
  }
  return out;
}

// Per-path values of every slot: [slot][path].
std::vector<std::vector<double>> per_path_values(const RunResults& r, const ComboSums& c,
                                                 const std::vector<std::int32_t>& report,
                                                 const std::vector<FigureDef>& defs,
                                                 const std::vector<Slot>& layout, const PnlRates& pnl) {
  const std::size_t P = static_cast<std::size_t>(r.paths);
  const Rates rates{pnl, static_cast<double>(r.months)};
  std::vector<std::vector<double>> out(layout.size(), std::vector<double>(P));
  for (std::size_t p = 0; p < P; ++p) {
    PathData d;
    d.points.resize(report.size());
    std::size_t k = 0;
    for (int t = 0; t < r.months; ++t) {
      const Row row = r.portfolio_row(c, static_cast<int>(p), t);
      d.pnl.add(row.data());
      d.increases += row[kLimitIncreaseCount];
      d.triggered += row[kTriggerIncreaseCount];
      d.decreases += row[kLimitDecreaseCount];
      d.freezes += row[kFreezeCount];
      d.temp_limits += row[kTempLimitCount];
      d.utilization_sum += ratio(static_cast<double>(row[kBalance]), static_cast<double>(row[kLimit]));
      if (k < report.size() && report[k] == t + 1) d.points[k++] = month_point(row);
    }
    for (std::size_t i = 0; i < layout.size(); ++i)
      out[i][p] = defs[layout[i].figure].value(d, layout[i].report, rates);
  }
  return out;
}

// ================================================================ UL, VaR and ES by bootstrap

double sample_sd(const std::vector<double>& v) { return std::sqrt(sample_var(v)); }

// The loss statistics of x (UL, then VaR and ES at each level), where path i
// occurs counts[i] times (nullptr: once) and has weight w[i] (nullptr: the
// unweighted rules); `order` lists the paths by ascending x.
std::vector<double> loss_stats(const std::vector<double>& x, const std::vector<std::size_t>& order,
                               const std::vector<std::uint32_t>* counts, const std::vector<double>* w,
                               const std::vector<TailLevel>& levels) {
  const auto n = static_cast<std::int64_t>(x.size());
  std::vector<double> out(num_loss_stats(levels.size()));
  out[kUlStat] = weighted_sd(x, counts, w, n, weighted_mean(x, counts, w, n));
  const auto tp = tail_points(x, &order, counts, w, n, levels);
  for (std::size_t l = 0; l < levels.size(); ++l) {
    out[var_stat(l)] = tp[l].var;
    out[es_stat(l)] = tp[l].es;
  }
  return out;
}

struct LossComparison {
  std::vector<Estimate> value;            // [statistic]
  std::vector<PairedDifference> diff;     // [statistic]
};

// UL, VaR and ES of the losses x and their differences from the losses base of
// the same paths (w: the path weights, empty when unweighted). Intervals: the
// percentile interval of a paired bootstrap (one draw of path indices for both;
// a path keeps its weight); the ratio's denominator: the same interval from an
// unpaired bootstrap (independent draws). One std::mt19937_64(kBootstrapSeed)
// serves the B paired resamples, then the B unpaired ones (x's indices first,
// then base's).
LossComparison compare_loss(const std::vector<double>& x, const std::vector<double>& base,
                            const std::vector<double>& w, const std::vector<TailLevel>& levels) {
  const std::size_t P = x.size(), kNumLossStats = num_loss_stats(levels.size());
  const std::vector<double>* wp = w.empty() ? nullptr : &w;
  const std::vector<std::size_t> order_x = ascending_order(x), order_b = ascending_order(base);
  LossComparison out;
  out.value.resize(kNumLossStats);
  out.diff.resize(kNumLossStats);
  const auto sx = loss_stats(x, order_x, nullptr, wp, levels), sb = loss_stats(base, order_b, nullptr, wp, levels);
  for (std::size_t k = 0; k < kNumLossStats; ++k) {
    out.value[k] = {sx[k], kNaN};
    out.diff[k].diff = sx[k] - sb[k];
  }
  if (P < 2) return out;

  std::mt19937_64 gen(kBootstrapSeed);
  using Replicates = std::vector<std::vector<double>>;
  Replicates stat_x(kNumLossStats), paired(kNumLossStats), unpaired(kNumLossStats);
  for (auto* rep : {&stat_x, &paired, &unpaired})
    for (auto& v : *rep) v.resize(kBootstrapResamples);
  std::vector<std::uint32_t> counts(P), counts_b(P);
  auto draw = [&](std::vector<std::uint32_t>& c) {
    std::fill(c.begin(), c.end(), 0u);
    for (std::size_t j = 0; j < P; ++j) ++c[uniform_index(gen, P)];
  };
  for (int b = 0; b < kBootstrapResamples; ++b) {
    draw(counts);
    const auto rx = loss_stats(x, order_x, &counts, wp, levels), rb = loss_stats(base, order_b, &counts, wp, levels);
    for (std::size_t k = 0; k < kNumLossStats; ++k) {
      paired[k][b] = rx[k] - rb[k];
      stat_x[k][b] = rx[k];
    }
  }
  for (int b = 0; b < kBootstrapResamples; ++b) {
    draw(counts);
    draw(counts_b);
    const auto rx = loss_stats(x, order_x, &counts, wp, levels),
               rb = loss_stats(base, order_b, &counts_b, wp, levels);
    for (std::size_t k = 0; k < kNumLossStats; ++k) unpaired[k][b] = rx[k] - rb[k];
  }
  for (std::size_t k = 0; k < kNumLossStats; ++k) {
    out.value[k].se = sample_sd(stat_x[k]);
    const Interval pi = percentile_interval(paired[k]);
    const Interval ui = percentile_interval(unpaired[k]);
    PairedDifference& d = out.diff[k];
    d.lo = pi.lo;
    d.hi = pi.hi;
    const double unpaired_width = ui.hi - ui.lo;
    d.pairing_ratio = unpaired_width > 0.0 ? (pi.hi - pi.lo) / unpaired_width : kNaN;
  }
  return out;
}

// RAROC = mean income / (VaR 99.9% − EL) of the loss, where path i occurs
// counts[i] times (nullptr: once) with weight w[i] (nullptr: 1); NaN when the
// capital is not positive.
double raroc_of(const std::vector<double>& income, const std::vector<double>& loss,
                const std::vector<std::size_t>& order, const std::vector<std::uint32_t>* counts,
                const std::vector<double>* w) {
  const auto n = static_cast<std::int64_t>(loss.size());
  const double el = weighted_mean(loss, counts, w, n);
  const double capital = tail_point(loss, &order, counts, w, n, TailLevel{999, 1000}).var - el;
  return capital > 0.0 ? weighted_mean(income, counts, w, n) / capital : kNaN;
}

struct RarocComparison {
  Estimate value;
  PairedDifference diff;
};

// RAROC of (income x, loss lx) against (income b, loss lb) on the same paths:
// the paired and unpaired percentile intervals of the difference and the se
// of x's value, as compare_loss does for the loss statistics, from their own
// std::mt19937_64(kBootstrapSeed) (so asking for RAROC changes no other figure).
RarocComparison raroc_comparison(const std::vector<double>& x, const std::vector<double>& lx,
                                 const std::vector<double>& b, const std::vector<double>& lb,
                                 const std::vector<double>& w) {
  const std::size_t P = x.size();
  const std::vector<double>* wp = w.empty() ? nullptr : &w;
  const std::vector<std::size_t> order_x = ascending_order(lx), order_b = ascending_order(lb);
  RarocComparison out;
  const double rx = raroc_of(x, lx, order_x, nullptr, wp), rb = raroc_of(b, lb, order_b, nullptr, wp);
  out.value = {rx, kNaN};
  out.diff.diff = rx - rb;
  if (P < 2) return out;
  std::mt19937_64 gen(kBootstrapSeed);
  std::vector<std::uint32_t> counts(P), counts_b(P);
  auto draw = [&](std::vector<std::uint32_t>& c) {
    std::fill(c.begin(), c.end(), 0u);
    for (std::size_t j = 0; j < P; ++j) ++c[uniform_index(gen, P)];
  };
  std::vector<double> own, paired, unpaired;
  for (int k = 0; k < kBootstrapResamples; ++k) {
    draw(counts);
    const double a = raroc_of(x, lx, order_x, &counts, wp);
    own.push_back(a);
    paired.push_back(a - raroc_of(b, lb, order_b, &counts, wp));
  }
  for (int k = 0; k < kBootstrapResamples; ++k) {
    draw(counts);
    draw(counts_b);
    unpaired.push_back(raroc_of(x, lx, order_x, &counts, wp) - raroc_of(b, lb, order_b, &counts_b, wp));
  }
  out.value.se = sample_sd(own);
  const Interval pi = percentile_interval(paired), ui = percentile_interval(unpaired);
  out.diff.lo = pi.lo;
  out.diff.hi = pi.hi;
  out.diff.pairing_ratio = ui.hi - ui.lo > 0.0 ? (pi.hi - pi.lo) / (ui.hi - ui.lo) : kNaN;
  return out;
}

// A (scenario, policy) compared with itself, from its row of the policy view
// (same values, same bootstrap draws): diff 0, interval [0, 0], and pairing
// ratio 0, or NaN where the figure has no spread (se 0): what the full
// computation gives, without its bootstrap. One path: no interval or ratio.
PolicyComparison self_comparison(const PolicyComparison& pc, std::int32_t paths) {
  PolicyComparison out = pc;
  out.is_baseline = true;
  for (ComparedValue& v : out.values) {
    PairedDifference& d = v.vs_baseline;
    d = PairedDifference{};
    d.diff = v.value.value - v.value.value;  // 0, or NaN for a figure without a value (UL of one path)
    if (paths < 2) continue;
    d.lo = d.hi = 0.0;
    d.pairing_ratio = v.value.se > 0.0 ? 0.0 : kNaN;
  }
  return out;
}

// ================================================================ checks

void check_results(const RunResults& r) {
  auto bad = [](const std::string& what) { throw std::invalid_argument("compute_comparison: " + what); };
  if (r.paths < 1 || r.months < 1 || r.segments < 1)
    bad("need at least one path, month and segment (got paths=" + std::to_string(r.paths) +
        ", months=" + std::to_string(r.months) + ", segments=" + std::to_string(r.segments) + ")");
  const std::size_t Q = r.policy_names.size();
  if (Q == 0 || r.scenario_names.empty()) bad("the run has no policies or no scenarios");
  if (r.combos.size() != r.scenario_names.size() * Q)
    bad("combo count " + std::to_string(r.combos.size()) + " != scenarios x policies (" +
        std::to_string(r.scenario_names.size()) + " x " + std::to_string(Q) + ")");
  for (std::size_t i = 0; i < r.combos.size(); ++i) {
    const ComboSums& c = r.combos[i];
    if (c.scenario != r.scenario_names[i / Q] || c.policy != r.policy_names[i % Q])
      bad("combo " + c.scenario + " / " + c.policy + " is not in scenario-major run order");
    if (c.sums.size() != r.cells())
      bad("combo " + c.scenario + " / " + c.policy + " has " + std::to_string(c.sums.size()) +
          " sums, expected " + std::to_string(r.cells()));
  }
}

}  // namespace

// ================================================================ public

const std::vector<CompareFigure>& compare_figures(const std::vector<TailLevel>& levels, bool raroc) {
  return figure_table(levels, raroc).info;
}

const ComparedValue& PolicyComparison::at(const std::string& figure, std::int32_t month) const {
  for (const ComparedValue& v : values)
    if (figure == v.info->name && v.month == month) return v;
  throw std::out_of_range("no compared figure '" + figure + "' at month " + std::to_string(month) + " for " +
                          scenario + " / " + policy);
}

PairedDifference paired_difference(const std::vector<double>& x, const std::vector<double>& base,
                                   const std::vector<double>& w) {
  if (x.empty() || x.size() != base.size())
    throw std::invalid_argument("paired_difference: need two samples of the same non-zero length (got " +
                                std::to_string(x.size()) + " and " + std::to_string(base.size()) + ")");
  check_weights(w, x.size(), "paired_difference");
  const double t = student_t_quantile(kUpperQuantile, static_cast<double>(x.size()) - 1.0);
  return paired_difference_t(x, base, t, w);
}

std::vector<double> figure_per_path(const RunResults& r, const ComboSums& c, const std::string& figure,
                                    std::int32_t month, double cost_of_funds) {
  const std::vector<FigureDef>& defs = figure_table(run_tail_levels(r)).defs;
  for (std::size_t f = 0; f < defs.size(); ++f) {
    const CompareFigure& info = defs[f].info;
    if (figure != info.name) continue;
    if (info.bootstrap)
      throw std::invalid_argument("figure_per_path: " + figure + " is not a mean over paths (use net_loss)");
    if (info.monthly && (month < 1 || month > r.months))
      throw std::invalid_argument("figure_per_path: month " + std::to_string(month) + " is outside 1.." +
                                  std::to_string(r.months));
    const std::vector<std::int32_t> report = info.monthly ? std::vector<std::int32_t>{month}
                                                          : std::vector<std::int32_t>{};
    const std::vector<Slot> one{{f, info.monthly ? month : 0, 0}};
    return per_path_values(r, c, report, defs, one, {cost_of_funds, r.meta.pnl}).at(0);
  }
  throw std::invalid_argument("figure_per_path: unknown figure '" + figure + "'");
}

std::string resolve_baseline(const RunResults& r, const std::string& requested) {
  if (r.policy_names.empty()) throw std::invalid_argument("the run has no policies to compare");
  const bool from_file = requested.empty() && !r.meta.baseline_policy.empty();
  const std::string name = !requested.empty() ? requested : from_file ? r.meta.baseline_policy : r.policy_names[0];
  if (std::find(r.policy_names.begin(), r.policy_names.end(), name) != r.policy_names.end()) return name;
  std::string list;
  for (const std::string& p : r.policy_names) list += (list.empty() ? "'" : ", '") + p + "'";
  throw UnknownBaseline(std::string(from_file ? "the run's baseline_policy" : "baseline policy") + " '" + name +
                        "' is not a policy of this run; its policies are " + list);
}

std::vector<std::size_t> rank_by_net_income(const Comparison& c, std::size_t scenario) {
  std::vector<std::size_t> idx;
  for (std::size_t i = 0; i < c.combos.size(); ++i)
    if (c.combos[i].scenario == c.combos.at(0).scenario) idx.push_back(i);
  const std::size_t Q = idx.size();
  if (Q == 0 || (scenario + 1) * Q > c.combos.size())
    throw std::out_of_range("rank_by_net_income: no scenario " + std::to_string(scenario) + " in the comparison");
  for (std::size_t& i : idx) i += scenario * Q;
  std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
    return c.combos[a].at("net_income").value.value > c.combos[b].at("net_income").value.value;
  });
  return idx;
}

Comparison compute_comparison(const RunResults& r, const CompareOptions& opt) {
  check_results(r);
  const double cof = opt.cost_of_funds.value_or(r.meta.cost_of_funds);
  if (!std::isfinite(cof)) throw std::invalid_argument("compute_comparison: the cost of funds is not finite");
  Comparison out;
  out.paths = r.paths;
  out.months = r.months;
  out.baseline = resolve_baseline(r, opt.baseline);
  out.baseline_index = static_cast<std::size_t>(
      std::find(r.policy_names.begin(), r.policy_names.end(), out.baseline) - r.policy_names.begin());
  out.baseline_scenario = r.scenario_names.at(0);
  out.cost_of_funds = cof;
  out.pnl = r.meta.pnl;
  out.importance_shift = r.meta.importance_shift;
  const std::vector<double> w = effective_path_weights(r);  // empty: unweighted
  out.weighted = !w.empty();
  out.report_months = normalize_report_months(r.meta.report_months, r.months);
  out.t_quantile = student_t_quantile(kUpperQuantile, static_cast<double>(r.paths) - 1.0);  // NaN for 1 path

  const std::vector<TailLevel> levels = run_tail_levels(r);
  const FigureTable& table = figure_table(levels, opt.raroc);
  out.figures = &table.info;
  const std::vector<Slot> layout = slots(table.defs, out.report_months);
  const std::size_t loss_slot = [&] {
    for (std::size_t i = 0; i < layout.size(); ++i)
      if (layout[i].figure == kNetLossFigure) return i;
    throw std::logic_error("compute_comparison: no net_loss slot");
  }();
  const std::size_t income_slot = [&] {
    for (std::size_t i = 0; i < layout.size(); ++i)
      if (std::strcmp(table.defs[layout[i].figure].info.name, "net_income") == 0) return i;
    throw std::logic_error("compute_comparison: no net_income slot");
  }();
  // x against base, path by path (both [slot][path]).
  auto compare_pair = [&](const ComboSums& c, const std::vector<std::vector<double>>& x,
                          const std::vector<std::vector<double>>& base, bool is_baseline) {
    const LossComparison loss = compare_loss(x[loss_slot], base[loss_slot], w, levels);
    PolicyComparison pc;
    pc.scenario = c.scenario;
    pc.policy = c.policy;
    pc.is_baseline = is_baseline;
    for (std::size_t i = 0; i < layout.size(); ++i) {
      const FigureDef& def = table.defs[layout[i].figure];
      ComparedValue v;
      v.figure = layout[i].figure;
      v.info = &table.info[layout[i].figure];
      v.month = layout[i].month;
      if (def.stat == kRarocStat) {
        const RarocComparison rc = raroc_comparison(x[income_slot], x[loss_slot], base[income_slot], base[loss_slot], w);
        v.value = rc.value;
        v.vs_baseline = rc.diff;
      } else if (def.info.bootstrap) {
        v.value = loss.value[static_cast<std::size_t>(def.stat)];
        v.vs_baseline = loss.diff[static_cast<std::size_t>(def.stat)];
      } else {
        v.value = mean_estimate(weighted(x[i], w));
        v.vs_baseline = paired_difference_t(x[i], base[i], out.t_quantile, w);
      }
      pc.values.push_back(v);
    }
    return pc;
  };
  auto values_of = [&](std::size_t s, std::size_t q) {
    return per_path_values(r, r.combo(static_cast<int>(s), static_cast<int>(q)), out.report_months, table.defs,
                           layout, PnlRates{cof, r.meta.pnl});
  };

  const std::size_t Q = r.policy_names.size(), N = r.scenario_names.size();
  // Every policy against the baseline policy, within each scenario.
  for (std::size_t s = 0; s < N; ++s) {
    const auto base = values_of(s, out.baseline_index);
    for (std::size_t q = 0; q < Q; ++q) {
      const bool is_base = q == out.baseline_index;
      out.combos.push_back(compare_pair(r.combo(static_cast<int>(s), static_cast<int>(q)),
                                        is_base ? base : values_of(s, q), base, is_base));
    }
  }
  // The stress view: every scenario against the baseline scenario, within each policy.
  out.stress.resize(out.combos.size());
  for (std::size_t q = 0; q < Q; ++q) {
    out.stress[q] = self_comparison(out.combos[q], r.paths);
    if (N < 2) continue;
    const auto base = values_of(0, q);
    for (std::size_t s = 1; s < N; ++s)
      out.stress[s * Q + q] = compare_pair(r.combo(static_cast<int>(s), static_cast<int>(q)), values_of(s, q), base,
                                           false);
  }
  return out;
}

}  // namespace limitsim
