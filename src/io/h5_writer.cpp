// Writing a result file (write_results_h5): every dataset and attribute of docs/hdf5-schema.md, published atomically.
#include "src/io/h5io.hpp"

#include <hdf5.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "src/analysis/vintages.hpp"
#include "src/io/atomic_file.hpp"
#include "src/io/h5_file_writer.hpp"
#include "src/io/h5_handles.hpp"
#include "src/io/h5_pnl.hpp"
#include "src/io/h5_scales.hpp"
#include "src/io/h5_schema.hpp"

namespace limitsim {
namespace {

using namespace h5;

constexpr double kCentsPerUnit = 100.0;
constexpr double kVarCiLevel = 0.95;

// ================================================================ writer

class Writer : FileWriter {
 public:
  Writer(const RunResults& r, const Summary& s, const Comparison& c, const SweepSummary* sweep, const std::string& file)
      : FileWriter(file), r_(r), s_(s), c_(c), sweep_(sweep) {}

  void write() {
    Handle fapl = file_access(ctx_);
    Object root{ctx_.own(H5Fcreate(ctx_.file().c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()), H5Fclose,
                         "cannot create the file"),
                "/"};
    write_root_attrs(root);
    write_string_scalar(root, "config", r_.meta.effective_config,
                        {"none", "", "effective configuration (TOML) that reproduces the run", ""});
    write_segments(root);
    write_paths(root);
    write_strings(root, "scenarios", r_.scenario_names, {"none", "scenario", "scenario names in run order", ""});
    write_strings(root, "policies", r_.policy_names, {"none", "policy", "policy names in run order", ""});
    write_results(root);
    write_comparison(root, "comparison", c_.combos);
    write_comparison(root, "stress", c_.stress);
    if (sweep_) write_sweep(root, *sweep_);
    attach_dimension_scales(ctx_, root.id(), coordinates());  // schema 1.4
    ctx_.ok(H5Fflush(root.id(), H5F_SCOPE_GLOBAL), "cannot flush the file");
    ctx_.ok(root.h.close(), "cannot close the file");
  }

 private:
  // A value dataset and its standard errors (name + "_se"), same shape.
  void write_estimates(const Object& parent, const std::string& name, const std::vector<hsize_t>& shape,
                       const std::vector<Estimate>& e, const DatasetInfo& info) const {
    std::vector<double> value, se;
    for (const Estimate& x : e) {
      value.push_back(x.value);
      se.push_back(x.se);
    }
    write_array(parent, name, shape, value, info);
    write_array(parent, name + "_se", shape, se, {info.units, info.dims, "standard error of " + name, ""});
  }

  // The values along the named dimensions, for their dimension scales.
  std::map<std::string, Coordinate> coordinates() const {
    std::map<std::string, Coordinate> c;
    auto numbers = [&](const char* dim, std::vector<double> v, bool integer, const char* units, const char* what) {
      c[dim] = Coordinate{std::move(v), {}, integer, units, what};
    };
    auto names = [&](const char* dim, const std::vector<std::string>& v, const char* what) {
      c[dim] = Coordinate{{}, v, false, "none", what};
    };
    std::vector<double> v;
    for (int p = 0; p < r_.paths; ++p) v.push_back(p);
    numbers("path", v, true, "none", "Monte Carlo path, 0-based");
    v.clear();
    for (int t = 1; t <= r_.months; ++t) v.push_back(t);
    numbers("month", v, true, "month", "month number; month t is the state at the end of simulated month t");
    names("segment", r_.segment_names, "reporting segment (score band, region)");
    names("band", s_.cells.band_names, "score band");
    names("region", s_.cells.region_names, "region");
    names("scenario", r_.scenario_names, "scenario, in run order");
    names("policy", r_.policy_names, "policy, in run order");
    v.clear();
    for (const TailLevel& l : s_.levels) v.push_back(l.value());
    numbers("level", v, false, "share", "tail level of VaR and ES");
    std::vector<std::string> cohorts;
    for (int k = 0; k <= r_.months; ++k) cohorts.push_back(cohort_name(k));
    names("cohort", cohorts, "vintage cohort: the opening book, or the run month the accounts were acquired in");
    v.clear();
    for (int k = 0; k < r_.months; ++k) v.push_back(k);
    numbers("months_on_book", v, true, "month", "months on book (the opening book: months since the run started)");
    if (!s_.combos.empty()) {
      const ComboSummary& cs = s_.combos.front();  // the same for every pair
      numbers("report", std::vector<double>(cs.report_months.begin(), cs.report_months.end()), true, "month",
              "report month");
      v.clear();
      for (const ConvergencePoint& q : cs.convergence) v.push_back(static_cast<double>(q.paths));
      numbers("point", v, true, "none", "paths used at this point of the convergence grid (the first n paths)");
    }
    return c;
  }

  // ---- file sections

  void write_root_attrs(const Object& root) const {
    write_string_attr(root, "schema_version",
                      std::to_string(kSchemaVersionMajor) + "." + std::to_string(kSchemaVersionMinor));
    for (const MetaString& m : kMetaStrings) write_string_attr(root, m.name, r_.meta.*(m.field));
    write_attr<std::uint64_t>(root, "seed", r_.meta.seed);
    write_attr<std::int64_t>(root, "customers", r_.meta.customers);
    write_attr<std::int32_t>(root, "paths", r_.paths);
    write_attr<std::int32_t>(root, "months", r_.months);
    write_attr<std::int32_t>(root, "segments", r_.segments);
    write_attr<std::int32_t>(root, "threads", r_.meta.threads);
    write_attr<std::int64_t>(root, "batch_size", r_.meta.batch_size);
    write_attr<double>(root, "wall_seconds", r_.meta.wall_seconds);
    write_attr<double>(root, "cost_of_funds", r_.meta.cost_of_funds);
    for (const PnlAttribute& a : pnl_attributes()) write_attr<double>(root, a.name, a.get(r_.meta.pnl));  // 1.5
    write_attr<double>(root, "importance_shift", r_.meta.importance_shift);
    write_string_attr(root, "population_kind", r_.meta.population_kind);
    write_string_attr(root, "population_file", r_.meta.population_file);
    write_string_attr(root, "population_sha256", r_.meta.population_sha256);
    write_attr<std::int64_t>(root, "population_rows_skipped", r_.meta.population_rows_skipped);
    write_attr<std::int32_t>(root, "mpi_ranks", r_.meta.mpi_ranks);
    write_attr<std::int64_t>(root, "applicants", r_.meta.applicants);
    write_attr<std::int32_t>(root, "constant_book", r_.meta.constant_book ? 1 : 0);
    if (!r_.meta.applicant_volume.empty()) {
      Object a = make_group(root, "acquisition");
      write_array(a, "volume", {r_.meta.applicant_volume.size()}, r_.meta.applicant_volume,
                  {"accounts", "month", "applicants arriving in the month under an applicant_multiplier of 1", ""});
    }
  }

  void write_segments(const Object& root) const {
    Object g = make_group(root, "segments");
    write_strings(g, "names", r_.segment_names,
                  {"none", "segment", "reporting segment names: (score band, region) cells", ""});
    write_array(g, "customers", {r_.segment_names.size()}, r_.segment_customers,
                {"customers", "segment", "customers simulated per segment", ""});
    const SegmentCells& cells = s_.cells;
    write_strings(g, "band_names", cells.band_names, {"none", "band", "score band names", ""});
    write_strings(g, "region_names", cells.region_names,
                  {"none", "region", "region names (one systematic factor each)", ""});
    write_array(g, "segment_band", {cells.segment_band.size()}, cells.segment_band,
                {"none", "segment", "index into band_names of each segment's score band", ""});
    write_array(g, "segment_region", {cells.segment_region.size()}, cells.segment_region,
                {"none", "segment", "index into region_names of each segment's region", ""});
  }

  void write_paths(const Object& root) const {
    Object g = make_group(root, "paths");
    const std::vector<double> w =
        r_.path_weight.empty() ? std::vector<double>(static_cast<std::size_t>(r_.paths), 1.0) : r_.path_weight;
    write_array(g, "weight", {w.size()}, w,
                {"none", "path",
                 "likelihood ratio of the path under importance sampling (1 without); every mean over paths is "
                 "weighted by it",
                 ""});
  }

  void write_results(const Object& root) const {
    Object results = make_group(root, "results");
    for (std::size_t si = 0; si < r_.scenario_names.size(); ++si) {
      const std::string& scenario = r_.scenario_names[si];
      Object sg = make_group(results, group_name(scenario));
      write_string_attr(sg, "name", scenario);
      for (std::size_t pi = 0; pi < r_.policy_names.size(); ++pi) {
        const std::string& policy = r_.policy_names[pi];
        Object pg = make_group(sg, group_name(policy));
        write_string_attr(pg, "scenario", scenario);
        write_string_attr(pg, "policy", policy);
        const std::size_t index = si * r_.policy_names.size() + pi;
        write_combo(pg, r_.combos[index], s_.combos[index]);
      }
    }
  }

  void write_combo(const Object& g, const ComboSums& c, const ComboSummary& cs) const {
    Object monthly = make_group(g, "monthly");
    Object by_segment = make_group(g, "by_segment");
    std::string order;  // the metrics in schema order (1.4), for readers that list them
    for (const MetricGroup& mg : metric_groups()) order += (order.empty() ? "" : ",") + std::string(mg.info->name);
    write_string_attr(monthly, "metrics", order);
    write_string_attr(by_segment, "metrics", order);
    for (const MetricGroup& mg : metric_groups()) {
      write_metric(monthly, c, mg, false);
      write_metric(by_segment, c, mg, true);
    }
    write_losses(g, c);
    write_summary(g, cs);
    write_pnl(g, c);
    if (!c.vintages.empty()) write_vintages(g, c);
  }

  // The living book's vintages (schema 1.5): exact sums over paths, [cohort, months_on_book].
  void write_vintages(const Object& g, const ComboSums& c) const {
    Object v = make_group(g, "vintages");
    write_attr<std::int32_t>(v, "paths", r_.paths);
    const std::vector<std::int64_t> table = vintage_table(r_, c);
    const auto cohorts = static_cast<hsize_t>(r_.months + 1), mobs = static_cast<hsize_t>(r_.months);
    for (int m = 0; m < kNumVintageMetrics; ++m) {
      std::vector<std::int64_t> column;
      for (std::size_t i = static_cast<std::size_t>(m); i < table.size(); i += kNumVintageMetrics) column.push_back(table[i]);
      const MetricInfo& info = vintage_metric_info(m);
      write_array(v, info.name, {cohorts, mobs}, column,
                  {info.unit, "cohort,months_on_book", vintage_metric_description(m), ""});
    }
  }

  // The P&L per month (schema 1.5; its columns: src/io/h5_pnl.cpp).
  void write_pnl(const Object& g, const ComboSums& c) const {
    Object pnl = make_group(g, "pnl");
    const std::vector<hsize_t> shape{static_cast<hsize_t>(r_.months)};
    std::vector<std::int32_t> month;
    for (int t = 1; t <= r_.months; ++t) month.push_back(t);
    write_array(pnl, "month", shape, month, {"month", "month", "month (1-based)", ""});
    for (const PnlColumn& col : pnl_columns(r_, c))
      write_array(pnl, col.name, shape, col.values, {col.units, "month", col.description, ""});
  }

  // One metric group as [path, month(, segment)(, bucket|bin)]; without segments
  // the values are portfolio totals (sums over segments).
  void write_metric(const Object& parent, const ComboSums& c, const MetricGroup& mg, bool by_segment) const {
    const ExtraDim extra = extra_dim(mg);
    const std::size_t width = static_cast<std::size_t>(mg.width), segments = static_cast<std::size_t>(r_.segments);
    std::vector<hsize_t> shape{static_cast<hsize_t>(r_.paths), static_cast<hsize_t>(r_.months)};
    std::string dims = "path,month";
    if (by_segment) {
      shape.push_back(segments);
      dims += ",segment";
    }
    if (extra.name) {
      shape.push_back(width);
      dims += std::string(",") + extra.name;
    }
    const std::string description = std::string(metric_description(mg.info->name)) +
                                    (by_segment ? ", by segment" : ", portfolio total (sum over segments)");
    write_path_major(parent, mg.info->name, shape, {mg.info->unit, dims, description, extra.labels},
                     [&](hsize_t p0, hsize_t n, std::int64_t* out) {
                       for_each_cell(r_, p0, n, [&](std::size_t row, std::size_t cell) {
                         std::int64_t* dst = out + (by_segment ? row : row / segments) * width;
                         const std::int64_t* src = c.sums.data() + cell + mg.first;
                         for (std::size_t w = 0; w < width; ++w) dst[w] += src[w];
                       });
                     });
  }

  std::vector<std::int64_t> horizon_cents(const ComboSums& c, int metric) const {
    std::vector<std::int64_t> out(static_cast<std::size_t>(r_.paths), 0);
    for (int p = 0; p < r_.paths; ++p)
      for (int t = 0; t < r_.months; ++t) out[p] += r_.portfolio(c, p, t, metric);
    return out;
  }

  static std::vector<double> to_currency(const std::vector<std::int64_t>& cents) {
    std::vector<double> out;
    for (std::int64_t x : cents) out.push_back(static_cast<double>(x) / kCentsPerUnit);
    return out;
  }

  void write_losses(const Object& g, const ComboSums& c) const {
    Object losses = make_group(g, "losses");
    const std::vector<hsize_t> shape{static_cast<hsize_t>(r_.paths)};
    const std::vector<std::int64_t> loss = horizon_cents(c, kChargeoffLoss);
    write_array(losses, "net_loss", shape, to_currency(loss),
                {"currency", "path", "cumulative net charge-off loss over all months", ""});
    write_array(losses, "net_loss_cents", shape, loss,
                {"cents", "path", "cumulative net charge-off loss over all months (exact)", ""});
    write_array(losses, "chargeoff_exposure", shape, to_currency(horizon_cents(c, kChargeoffExposure)),
                {"currency", "path", "cumulative exposure at charge-off over all months", ""});
  }

  void write_summary(const Object& g, const ComboSummary& cs) const {
    Object sum = make_group(g, "summary");
    write_attr<std::int32_t>(sum, "bootstrap_resamples", kBootstrapResamples);
    write_attr<std::uint64_t>(sum, "bootstrap_seed", kBootstrapSeed);
    write_string_attr(sum, "bootstrap_generator", "std::mt19937_64");
    write_attr<double>(sum, "var_ci_level", kVarCiLevel);
    // Scalar figures as attributes <name> and <name>_se; their units in figure_units.
    std::string units;
    for (const auto& f : combo_figure_info()) {
      const Estimate& e = cs.*(f.field);
      write_attr<double>(sum, f.name, e.value);
      write_attr<double>(sum, std::string(f.name) + "_se", e.se);
      units += std::string(units.empty() ? "" : ",") + f.name + "=" + f.unit;
    }
    write_string_attr(sum, "figure_units", units);
    // Their 95% intervals (schema 1.2).
    write_attr<double>(sum, "expected_loss_lo", cs.expected_loss_ci.lo);
    write_attr<double>(sum, "expected_loss_hi", cs.expected_loss_ci.hi);
    write_attr<double>(sum, "unexpected_loss_lo", cs.unexpected_loss_ci.lo);
    write_attr<double>(sum, "unexpected_loss_hi", cs.unexpected_loss_ci.hi);
    write_attr<std::int32_t>(sum, "weighted", s_.weighted ? 1 : 0);
    write_string_attr(sum, "var_ci_method", s_.weighted ? "bootstrap_percentile" : "order_statistic");
    write_tail(sum, cs.tail);
    write_contributions(sum, cs);
    write_convergence(sum, cs.convergence);
    write_month_figures(sum, cs.months);
    write_array(sum, "report_months", {cs.report_months.size()}, cs.report_months,
                {"month", "report", "months (1-based) shown in summary tables; ends with the horizon", ""});
  }

  void write_tail(const Object& sum, const std::vector<TailEstimate>& tail) const {
    Object g = make_group(sum, "tail");
    for (const TailField& f : kTailFields) {
      std::vector<double> v;
      for (const TailEstimate& te : tail) v.push_back(te.*(f.field));
      write_array(g, f.name, {tail.size()}, v, {f.units, "level", f.description, ""});
    }
    std::vector<std::int64_t> beyond;  // schema 1.4
    for (const TailEstimate& te : tail) beyond.push_back(te.paths_beyond);
    write_array(g, "paths_beyond", {tail.size()}, beyond,
                {"none", "level", "paths whose loss is at or beyond VaR_q: what VaR_q and ES_q rest on (below 10: "
                                  "little more than the largest losses seen)", ""});
  }

  // Euler contributions by segment, score band and region (docs/hdf5-schema.md).
  void write_contributions(const Object& sum, const ComboSummary& cs) const {
    Object g = make_group(sum, "contributions");
    const std::size_t L = cs.tail.size();
    std::vector<std::int64_t> rank, first, last;
    for (std::size_t l = 0; l < L; ++l) {
      rank.push_back(cs.by_segment.var_rank.at(l));
      first.push_back(cs.by_segment.var_first.at(l));
      last.push_back(cs.by_segment.var_last.at(l));
    }
    write_array(g, "var_rank", {L}, rank, {"none", "level", "1-based rank of VaR_q among the sorted path losses", ""});
    write_array(g, "var_window_first", {L}, first,
                {"none", "level", "first rank of the window of order statistics that splits VaR_q", ""});
    write_array(g, "var_window_last", {L}, last,
                {"none", "level", "last rank of the window of order statistics that splits VaR_q", ""});
    struct Unit {
      const char* name;
      const RiskContributions* c;
    };
    for (const Unit& u : {Unit{"segment", &cs.by_segment}, Unit{"band", &cs.by_band}, Unit{"region", &cs.by_region}}) {
      Object ug = make_group(g, u.name);
      const std::string dim = u.name;
      const std::size_t n = u.c->expected_loss.size();
      write_array(ug, "expected_loss", {n}, u.c->expected_loss,
                  {"currency", dim, "contribution to EL: (weighted) mean over paths of the " + dim + "'s loss", ""});
      write_array(ug, "unexpected_loss", {n}, u.c->unexpected_loss,
                  {"currency", dim, "contribution to UL: weighted covariance with the portfolio loss / UL", ""});
      std::vector<double> var, es;
      for (std::size_t l = 0; l < L; ++l) {
        var.insert(var.end(), u.c->var.at(l).begin(), u.c->var.at(l).end());
        es.insert(es.end(), u.c->es.at(l).begin(), u.c->es.at(l).end());
      }
      write_array(ug, "var", {L, n}, var,
                  {"currency", "level," + dim,
                   "contribution to VaR_q: window mean of the " + dim + "'s loss around VaR's rank, rescaled to VaR_q",
                   ""});
      write_array(ug, "es", {L, n}, es,
                  {"currency", "level," + dim,
                   "contribution to ES_q: (weighted) mean of the " + dim + "'s loss on the paths ES_q averages", ""});
    }
  }

  // The loss figures on the first n paths, n = convergence_grid(P).
  void write_convergence(const Object& sum, const std::vector<ConvergencePoint>& points) const {
    Object g = make_group(sum, "convergence");
    const std::size_t K = points.size(), L = points.empty() ? 0 : points.front().risk.tail.size();
    std::vector<std::int64_t> paths;
    std::vector<std::int32_t> resamples;
    std::vector<double> el, el_se, el_lo, el_hi, ul, ul_se, ul_lo, ul_hi;
    for (const ConvergencePoint& pt : points) {
      paths.push_back(pt.paths);
      resamples.push_back(pt.risk.resamples);
      el.push_back(pt.risk.expected_loss.value);
      el_se.push_back(pt.risk.expected_loss.se);
      el_lo.push_back(pt.risk.expected_loss_ci.lo);
      el_hi.push_back(pt.risk.expected_loss_ci.hi);
      ul.push_back(pt.risk.unexpected_loss.value);
      ul_se.push_back(pt.risk.unexpected_loss.se);
      ul_lo.push_back(pt.risk.unexpected_loss_ci.lo);
      ul_hi.push_back(pt.risk.unexpected_loss_ci.hi);
    }
    write_array(g, "paths", {K}, paths, {"none", "point", "n: the figures are those of paths 0..n-1; the last n is P", ""});
    write_array(g, "resamples", {K}, resamples, {"none", "point", "bootstrap resamples behind the point's se and CIs", ""});
    const std::pair<const char*, const std::vector<double>*> scalars[] = {
        {"expected_loss", &el},   {"expected_loss_se", &el_se}, {"expected_loss_lo", &el_lo},
        {"expected_loss_hi", &el_hi}, {"unexpected_loss", &ul},  {"unexpected_loss_se", &ul_se},
        {"unexpected_loss_lo", &ul_lo}, {"unexpected_loss_hi", &ul_hi}};
    for (const auto& [name, v] : scalars)
      write_array(g, name, {K}, *v, {"currency", "point", std::string(name) + " of the first n paths", ""});
    for (const TailField& f : kTailFields) {
      if (std::strcmp(f.name, "level") == 0) continue;
      std::vector<double> v;
      for (const ConvergencePoint& pt : points)
        for (const TailEstimate& te : pt.risk.tail) v.push_back(te.*(f.field));
      write_array(g, f.name, {K, L}, v, {f.units, "point,level", std::string(f.description) + ", first n paths", ""});
    }
  }

  void write_month_figures(const Object& sum, const std::vector<MonthFigures>& months) const {
    Object g = make_group(sum, "monthly");
    const std::vector<hsize_t> shape{months.size()};
    std::vector<std::int32_t> month;
    for (const MonthFigures& m : months) month.push_back(m.month);
    write_array(g, "month", shape, month, {"month", "month", "month (1-based)", ""});
    for (const auto& f : month_figure_info()) {
      std::vector<Estimate> e;
      for (const MonthFigures& m : months) e.push_back(m.*(f.field));
      write_estimates(g, f.name, shape, e, {f.unit, "month", std::string(f.description) + ", mean over paths", ""});
    }
  }

  // A comparison as one tidy table: one row per (scenario, policy, figure,
  // month), one dataset per column, all of the same length, so that pandas
  // reads it in one line (docs/hdf5-schema.md). /comparison holds every policy
  // against the baseline policy; /stress every scenario against the baseline scenario.
  void write_comparison(const Object& root, const char* name, const std::vector<PolicyComparison>& rows) const {
    const bool stress = std::strcmp(name, "stress") == 0;
    const std::string against = stress ? "the baseline scenario, same policy" : "the baseline policy, same scenario";
    Object g = make_group(root, name);
    write_string_attr(g, "baseline", c_.baseline);
    write_string_attr(g, "baseline_scenario", c_.baseline_scenario);
    write_attr<double>(g, "cost_of_funds", c_.cost_of_funds);
    write_attr<double>(g, "confidence_level", kCompareConfidence);
    write_attr<double>(g, "t_quantile", c_.t_quantile);
    write_attr<std::int32_t>(g, "bootstrap_resamples", kBootstrapResamples);
    write_attr<std::uint64_t>(g, "bootstrap_seed", kBootstrapSeed);
    write_string_attr(g, "bootstrap_generator", "std::mt19937_64");
    write_attr<std::int32_t>(g, "weighted", c_.weighted ? 1 : 0);
    std::string units;
    for (const CompareFigure& f : *c_.figures)
      units += std::string(units.empty() ? "" : ",") + f.name + "=" + f.unit;
    write_string_attr(g, "figure_units", units);
    // HDF5 lists datasets alphabetically; this is the table's (and the CSV's) column order.
    write_string_attr(g, "columns", kComparisonColumns);

    std::vector<std::string> scenario, policy, figure, unit;
    std::vector<std::int32_t> month;
    std::vector<double> value, se, diff, lo, hi, pairing;
    for (const PolicyComparison& pc : rows)
      for (const ComparedValue& v : pc.values) {
        const CompareFigure& f = *v.info;
        scenario.push_back(pc.scenario);
        policy.push_back(pc.policy);
        figure.push_back(f.name);
        unit.push_back(f.unit);
        month.push_back(v.month);
        value.push_back(v.value.value);
        se.push_back(v.value.se);
        diff.push_back(v.vs_baseline.diff);
        lo.push_back(v.vs_baseline.lo);
        hi.push_back(v.vs_baseline.hi);
        pairing.push_back(v.vs_baseline.pairing_ratio);
      }
    const std::vector<hsize_t> shape{scenario.size()};
    write_strings(g, "scenario", scenario, {"none", "row", "scenario name", ""});
    write_strings(g, "policy", policy, {"none", "row", "policy name", ""});
    write_strings(g, "figure", figure, {"none", "row", "figure name (docs/metrics.md, Comparison)", ""});
    write_array(g, "month", shape, month,
                {"month", "row", "report month (1-based) of a monthly figure; 0 for a horizon figure", ""});
    write_strings(g, "unit", unit, {"none", "row", "unit of value, se, diff, diff_lo and diff_hi in this row", ""});
    write_array(g, "value", shape, value,
                {"mixed", "row",
                 "this scenario and policy: mean over paths (UL, VaR, ES: the estimate); unit in column unit", ""});
    write_array(g, "se", shape, se,
                {"mixed", "row", "standard error of value (UL, VaR, ES: bootstrap); NaN for one path", ""});
    write_array(g, "diff", shape, diff, {"mixed", "row", "value - that of " + against + ", on the same paths", ""});
    write_array(g, "diff_lo", shape, lo,
                {"mixed", "row", "lower end of the 95% CI of diff (t interval; UL, VaR, ES: paired bootstrap)", ""});
    write_array(g, "diff_hi", shape, hi,
                {"mixed", "row", "upper end of the 95% CI of diff (t interval; UL, VaR, ES: paired bootstrap)", ""});
    write_array(g, "pairing_ratio", shape, pairing,
                {"none", "row", "width of the paired CI / width of the unpaired (independent runs) CI", ""});
  }

  // One row per (scenario, policy) of a sweep: the swept keys' values, the
  // figures of sweep_columns() and the frontier flags (docs/hdf5-schema.md).
  void write_sweep(const Object& root, const SweepSummary& sw) const {
    Object g = make_group(root, "sweep");
    write_string_attr(g, "base_policy", sw.base_policy);
    std::string keys, columns = "scenario,policy,variant";
    for (const std::string& k : sw.keys) keys += (keys.empty() ? "" : ",") + k;
    write_string_attr(g, "keys", keys);
    columns += ",parameter_values";
    for (const SweepColumn& c : sweep_columns()) columns += std::string(",") + c.name;
    write_string_attr(g, "columns", columns + ",frontier_loss,frontier_var99");
    const std::size_t n = sw.rows.size(), k = sw.keys.size();
    std::vector<std::string> scenario, policy;
    std::vector<std::int32_t> variant, f_loss, f_var;
    std::vector<double> params;
    for (const SweepRow& row : sw.rows) {
      scenario.push_back(row.scenario);
      policy.push_back(row.policy);
      variant.push_back(row.variant);
      params.insert(params.end(), row.numbers.begin(), row.numbers.end());
      f_loss.push_back(row.frontier_loss ? 1 : 0);
      f_var.push_back(row.frontier_var99 ? 1 : 0);
    }
    const std::vector<hsize_t> shape{n};
    write_strings(g, "scenario", scenario, {"none", "row", "scenario name", ""});
    write_strings(g, "policy", policy, {"none", "row", "policy name: the base policy, then <base>.vNN", ""});
    write_array(g, "variant", shape, variant, {"none", "row", "0 = the base policy, v = grid point v", ""});
    write_array(g, "parameter_values", {n, k}, params,
                {"mixed", "row,key", "value of each swept key (true = 1, false = 0); keys in attribute keys", keys});
    for (const SweepColumn& c : sweep_columns()) {
      std::vector<double> v;
      for (const SweepRow& row : sw.rows) v.push_back(c.get(row));
      write_array(g, c.name, shape, v, {c.unit, "row", c.description, ""});
    }
    write_array(g, "frontier_loss", shape, f_loss,
                {"none", "row", "1: not dominated in (higher net_income, lower net_loss) within its scenario", ""});
    write_array(g, "frontier_var99", shape, f_var,
                {"none", "row", "1: not dominated in (higher net_income, lower var_99) within its scenario", ""});
  }

  const RunResults& r_;
  const Summary& s_;
  const Comparison& c_;
  const SweepSummary* sweep_;
};

}  // namespace

void write_results_h5(const RunResults& r, const Summary& s, const Comparison& c, const std::string& path,
                      const SweepSummary* sweep) {
  validate_for_write(r, s, c, path);
  publish_atomically(path, [&](const std::string& tmp) {
    ErrorSilencer quiet;
    Writer(r, s, c, sweep, tmp).write();
  });
}

}  // namespace limitsim
