// Derived figures from the exact integer sums (definitions: docs/metrics.md).
#include "summary.hpp"

#include "text.hpp"

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
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kCiZ = 1.96;  // two-sided 95% normal quantile for the VaR rank interval

// ---------------------------------------------------------------- statistics

double mean_of(const std::vector<double>& x) {
  double s = 0.0;
  for (double v : x) s += v;
  return s / static_cast<double>(x.size());
}

// Sample standard deviation (n - 1); NaN for fewer than two values.
double sample_sd(const std::vector<double>& x, double mean) {
  if (x.size() < 2) return kNaN;
  double ss = 0.0;
  for (double v : x) ss += (v - mean) * (v - mean);
  return std::sqrt(ss / static_cast<double>(x.size() - 1));
}

// Mean over paths with se = sd / sqrt(P) (NaN when P == 1).
Estimate mean_estimate(const std::vector<double>& x) {
  const double m = mean_of(x);
  return {m, sample_sd(x, m) / std::sqrt(static_cast<double>(x.size()))};
}

double ratio(double num, double den) { return den == 0.0 ? 0.0 : num / den; }

// ---------------------------------------------------------------- portfolio rows

using Row = PortfolioRow;

// Per path: the sum over all months and segments of the given metrics.
std::vector<std::int64_t> horizon_totals(const RunResults& r, const ComboSums& c,
                                         const std::vector<int>& metrics) {
  std::vector<std::int64_t> out(static_cast<std::size_t>(r.paths), 0);
  for (int p = 0; p < r.paths; ++p)
    for (int t = 0; t < r.months; ++t)
      for (int m : metrics) out[p] += r.portfolio(c, p, t, m);
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
};
// Every Estimate of MonthFigures must have a row above.
static_assert(sizeof(MonthFigures) ==
                  offsetof(MonthFigures, active) + std::size(kMonthFigureDefs) * sizeof(Estimate),
              "kMonthFigureDefs must list every Estimate of MonthFigures");

std::vector<MonthFigures> month_figures(const RunResults& r, const ComboSums& c) {
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
      mf.*(kMonthFigureDefs[f].info.field) = mean_estimate(values[f]);
    out.push_back(mf);
  }
  return out;
}

// ---------------------------------------------------------------- horizon totals

struct TotalDef {
  FigureInfo<ComboSummary> info;
  std::vector<int> metrics;
  double divisor;  // kCentsPerUnit for money, 1 for counts
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
    {{"revenue", "currency", "interest + late fees charged, all months", &ComboSummary::revenue},
     {kInterest, kFees}, kCentsPerUnit},
    {{"limit_increases", "accounts", "line increases granted, all months", &ComboSummary::limit_increases},
     {kLimitIncreaseCount}, 1.0},
    {{"freezes", "accounts", "lines newly frozen, all months", &ComboSummary::freezes}, {kFreezeCount}, 1.0},
};

// ---------------------------------------------------------------- tail and bootstrap

struct TailPoint {
  double var;
  double es;
};

// VaR and ES of the ascending losses x where x_i occurs counts[i] times (n in all):
// walks the top n - k + 1 values down from the largest.
TailPoint tail_point(const std::vector<double>& x, const std::vector<std::uint32_t>* counts, std::int64_t n,
                     const TailLevel& level) {
  const std::int64_t tail_size = n - tail_rank(level, n) + 1;
  std::int64_t left = tail_size;
  double sum = 0.0, var = kNaN;
  for (std::size_t i = x.size(); i-- > 0 && left > 0;) {
    const std::int64_t take = std::min<std::int64_t>(counts ? (*counts)[i] : 1, left);
    if (take == 0) continue;
    sum += static_cast<double>(take) * x[i];
    left -= take;
    var = x[i];
  }
  return {var, sum / static_cast<double>(tail_size)};
}

// Distribution-free 95% CI for the q-quantile from order statistics, ranks by
// the normal approximation to the binomial; NaN for a side outside 1..P.
std::pair<double, double> var_ci(const std::vector<double>& sorted, double q) {
  const double P = static_cast<double>(sorted.size());
  const double half = kCiZ * std::sqrt(P * q * (1.0 - q));
  const double lo = std::floor(P * q - half);
  const double hi = std::ceil(P * q + half) + 1.0;
  auto at = [&](double rank) { return rank >= 1.0 && rank <= P ? sorted[static_cast<std::size_t>(rank) - 1] : kNaN; };
  return {at(lo), at(hi)};
}

struct BootstrapSe {
  double sd = kNaN;
  std::vector<double> var, es;  // [level]
};

// Nonparametric bootstrap of sd, VaR and ES. Each resample draws P indices into
// the ascending losses with uniform_index on one std::mt19937_64(kBootstrapSeed);
// the resample is kept as counts per sorted value, so no sort is needed.
BootstrapSe bootstrap_se(const std::vector<double>& sorted) {
  const std::size_t P = sorted.size();
  const std::size_t L = std::size(kTailLevels);
  BootstrapSe out;
  out.var.assign(L, kNaN);
  out.es.assign(L, kNaN);
  if (P < 2) return out;

  std::mt19937_64 gen(kBootstrapSeed);
  std::vector<std::uint32_t> counts(P);
  std::vector<double> sds(kBootstrapResamples);
  std::vector<std::vector<double>> vars(L, std::vector<double>(kBootstrapResamples)), ess = vars;
  for (int b = 0; b < kBootstrapResamples; ++b) {
    std::fill(counts.begin(), counts.end(), 0u);
    for (std::size_t j = 0; j < P; ++j) ++counts[uniform_index(gen, P)];
    double sum = 0.0;
    for (std::size_t i = 0; i < P; ++i) sum += counts[i] * sorted[i];
    const double mean = sum / static_cast<double>(P);
    double ss = 0.0;
    for (std::size_t i = 0; i < P; ++i) ss += counts[i] * (sorted[i] - mean) * (sorted[i] - mean);
    sds[b] = std::sqrt(ss / static_cast<double>(P - 1));
    for (std::size_t l = 0; l < L; ++l) {
      const TailPoint tp = tail_point(sorted, &counts, static_cast<std::int64_t>(P), kTailLevels[l]);
      vars[l][b] = tp.var;
      ess[l][b] = tp.es;
    }
  }
  out.sd = sample_sd(sds, mean_of(sds));
  for (std::size_t l = 0; l < L; ++l) {
    out.var[l] = sample_sd(vars[l], mean_of(vars[l]));
    out.es[l] = sample_sd(ess[l], mean_of(ess[l]));
  }
  return out;
}

void loss_figures(ComboSummary& cs) {
  std::vector<double> sorted = cs.path_loss;
  std::sort(sorted.begin(), sorted.end());
  const BootstrapSe boot = bootstrap_se(sorted);
  cs.expected_loss = mean_estimate(cs.path_loss);
  cs.unexpected_loss = {sample_sd(cs.path_loss, cs.expected_loss.value), boot.sd};
  const auto P = static_cast<std::int64_t>(sorted.size());
  for (std::size_t l = 0; l < std::size(kTailLevels); ++l) {
    const TailPoint tp = tail_point(sorted, nullptr, P, kTailLevels[l]);
    const auto ci = var_ci(sorted, kTailLevels[l].value());
    cs.tail.push_back({kTailLevels[l].value(), tp.var, ci.first, ci.second, boot.var[l], tp.es, boot.es[l]});
  }
}

ComboSummary combo_summary(const RunResults& r, const ComboSums& c, const std::vector<std::int32_t>& report) {
  ComboSummary cs;
  cs.scenario = c.scenario;
  cs.policy = c.policy;
  cs.path_loss = scaled(horizon_totals(r, c, {kChargeoffLoss}), kCentsPerUnit);
  loss_figures(cs);
  for (const TotalDef& d : kTotalDefs)
    cs.*(d.info.field) = mean_estimate(scaled(horizon_totals(r, c, d.metrics), d.divisor));
  cs.months = month_figures(r, c);
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

// ---------------------------------------------------------------- text formatting

// Shared with compare and sweep tables (src/text.hpp), so numbers print alike.
std::string fmt_num(double v, int decimals) { return format_number(v, decimals); }
std::string fmt_pct(double share) { return format_percent(share); }

std::string header_line(const RunResults& r, const Summary& s) {
  std::ostringstream o;
  o << "limitsim run '" << r.meta.name << "'  |  customers " << fmt_num(static_cast<double>(r.meta.customers), 0)
    << "  |  paths " << fmt_num(s.paths, 0) << "  |  months " << s.months << "  |  backend "
    << (r.meta.backend.empty() ? "n/a" : r.meta.backend) << "  |  threads " << r.meta.threads << "  |  wall "
    << fmt_num(r.meta.wall_seconds, 1) << " s\n";
  return o.str();
}

std::string month_table(const ComboSummary& cs) {
  TextTable t("rrrrrrrrrr");
  t.add({"month", "active", "30+ n", "60+ n", "90+ n", "30+ bal", "60+ bal", "90+ bal", "util", "cum net loss"});
  for (std::int32_t m : cs.report_months) {
    const MonthFigures& f = cs.months[static_cast<std::size_t>(m) - 1];
    t.add({std::to_string(m), fmt_num(f.active.value, 1), fmt_pct(f.overdue30_count.value),
           fmt_pct(f.overdue60_count.value), fmt_pct(f.overdue90_count.value), fmt_pct(f.overdue30_balance.value),
           fmt_pct(f.overdue60_balance.value), fmt_pct(f.overdue90_balance.value), fmt_pct(f.utilization.value),
           fmt_num(f.cumulative_net_loss.value, 2)});
  }
  return t.render("  ");
}

std::string ci_text(const TailEstimate& te) {
  if (std::isnan(te.var_lo) && std::isnan(te.var_hi)) return "95% CI n/a";
  return "95% CI [" + fmt_num(te.var_lo, 2) + ", " + fmt_num(te.var_hi, 2) + "]";
}

std::string figure_table(const ComboSummary& cs) {
  TextTable t("lrlrl");
  auto add = [&](const std::string& label, const Estimate& e, int decimals, std::string note = "") {
    t.add({label, fmt_num(e.value, decimals), "\u00b1", fmt_num(e.se, decimals), std::move(note)});
  };
  add("expected loss", cs.expected_loss, 2);
  add("unexpected loss (sd)", cs.unexpected_loss, 2);
  for (const TailEstimate& te : cs.tail) {
    char pct[32];
    std::snprintf(pct, sizeof pct, "%g%%", 100.0 * te.level);
    add(std::string("VaR ") + pct, {te.var, te.var_se}, 2, ci_text(te));
    add(std::string("ES ") + pct, {te.es, te.es_se}, 2);
  }
  add("exposure at charge-off", cs.exposure_at_chargeoff, 2);
  add("revenue (interest + fees)", cs.revenue, 2);
  add("limit increases", cs.limit_increases, 1);
  add("freezes", cs.freezes, 1);
  return t.render("  ");
}

}  // namespace

// ---------------------------------------------------------------- public helpers

std::int64_t tail_rank(const TailLevel& level, std::int64_t paths) {
  return std::max<std::int64_t>(1, (level.num * paths + level.den - 1) / level.den);
}

std::uint64_t uniform_index(std::mt19937_64& gen, std::uint64_t n) {
  if (n == 0) throw std::invalid_argument("uniform_index: n must be >= 1");
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
  const std::uint64_t rem = (kMax % n + 1) % n;  // 2^64 mod n
  const std::uint64_t max_ok = kMax - rem;      // [0, max_ok] holds a whole multiple of n values
  for (;;) {
    const std::uint64_t x = gen();
    if (x <= max_ok) return x % n;
  }
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
  const std::vector<std::int32_t> report = normalize_report_months(report_months, r.months);
  s.combos.reserve(r.combos.size());
  for (const ComboSums& c : r.combos) s.combos.push_back(combo_summary(r, c, report));
  return s;
}

std::string format_summary_table(const RunResults& r, const Summary& s) {
  std::string out = header_line(r, s);
  out += "money in currency units; figures are means over paths \u00b1 standard error; "
         "overdue shares of open accounts (n) and of balances (bal)\n";
  for (const ComboSummary& cs : s.combos) {
    out += "\n" + cs.scenario + " / " + cs.policy + "\n";
    out += month_table(cs);
    out += "\n";
    out += figure_table(cs);
  }
  return out;
}

}  // namespace limitsim
