// Reading a result file back (read_results_h5): the raw sums and metadata, checked against the schema.
#include <hdf5.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "src/config/schema.hpp"
#include "src/io/h5_handles.hpp"
#include "src/io/h5_pnl.hpp"
#include "src/io/h5_schema.hpp"
#include "src/io/h5io.hpp"
#include "src/io/output_paths.hpp"

namespace limitsim {
namespace {

using namespace h5;

// Bounds on what a file may declare, checked before anything is allocated from it: the run file's own
// ranges (docs/config.md), and generous ones for names and texts.
constexpr hsize_t kMaxNames = 100000;                      // scenarios, policies, segments, bands, regions
constexpr std::size_t kMaxNameBytes = 4096;                // one name
constexpr std::size_t kMaxTextBytes = std::size_t{64} << 20;  // an attribute, or /config (the effective TOML)

std::string type_text(hid_t t) {
  const H5T_class_t c = H5Tget_class(t);
  const std::string bits = std::to_string(8 * H5Tget_size(t));
  if (c == H5T_INTEGER) return (H5Tget_sign(t) == H5T_SGN_NONE ? "uint" : "int") + bits;
  if (c == H5T_FLOAT) return "float" + bits;
  if (c == H5T_STRING) return "a string";
  return "another type (class " + std::to_string(static_cast<int>(c)) + ")";
}

template <class T>
std::string expected_type_text() {
  if (std::is_floating_point<T>::value) return "float" + std::to_string(8 * sizeof(T));
  return (std::is_unsigned<T>::value ? "uint" : "int") + std::to_string(8 * sizeof(T));
}

template <class T>
bool stored_as(hid_t t) {
  if (std::is_floating_point<T>::value) return H5Tget_class(t) == H5T_FLOAT && H5Tget_size(t) == sizeof(T);
  return H5Tget_class(t) == H5T_INTEGER && H5Tget_size(t) == sizeof(T) &&
         (H5Tget_sign(t) == H5T_SGN_NONE) == std::is_unsigned<T>::value;
}

class Reader {
 public:
  explicit Reader(const std::string& file) : ctx_(file) {}

  RunResults read() {
    const std::string kind = irregular_kind(ctx_.file());
    if (!kind.empty()) ctx_.fail(kind + ", not a result file");  // a FIFO would block the open
    Handle fapl = file_access(ctx_);
    root_ = {ctx_.own(H5Fopen(ctx_.file().c_str(), H5F_ACC_RDONLY, fapl.get()), H5Fclose, "cannot open the file"),
             "/"};
    const int minor = check_schema();
    RunResults r;
    read_meta(r, minor);
    r.meta.effective_config = read_strings("/config", std::vector<hsize_t>{}).at(0);
    const std::vector<hsize_t> G{static_cast<hsize_t>(r.segments)};
    r.segment_names = read_strings("/segments/names", G);
    r.segment_customers = read_array<std::int64_t>("/segments/customers", G);
    read_cells_and_weights(r, minor);
    r.scenario_names = read_strings("/scenarios", std::nullopt);
    r.policy_names = read_strings("/policies", std::nullopt);
    if (r.scenario_names.empty() || r.policy_names.empty()) ctx_.fail("datasets '/scenarios' and '/policies' must not be empty");
    check_size(r);
    if (minor >= 5 && H5Lexists(root_.id(), "acquisition", H5P_DEFAULT) > 0)
      r.meta.applicant_volume = read_array<std::int64_t>("/acquisition/volume", {static_cast<hsize_t>(r.months)});
    for (const std::string& scenario : r.scenario_names)
      for (const std::string& policy : r.policy_names) {
        r.combos.push_back(read_combo(r, scenario, policy, minor));
        if (!r.meta.applicant_volume.empty()) read_vintages(r, r.combos.back());
      }
    const std::string rm = combo_path(r.scenario_names.at(0), r.policy_names.at(0)) + "/summary/report_months";
    const std::vector<hsize_t> rm_shape = shape_of(open_dataset(rm));
    if (rm_shape.size() != 1 || rm_shape[0] > static_cast<hsize_t>(r.months))
      ctx_.fail("dataset '" + rm + "' has shape " + shape_text(rm_shape) + ", expected at most " +
                std::to_string(r.months) + " months");
    r.meta.report_months = read_array<std::int32_t>(rm, rm_shape);
    read_tail_levels(r);
    const std::string bad = check_read_results(r);
    if (!bad.empty()) ctx_.fail(bad);
    return r;
  }

 private:
  // The run's tail levels, from the first combination's summary/tail/level
  // (schema 1.2 on; before it, and for the default levels, meta.tail_levels stays empty).
  void read_tail_levels(RunResults& r) const {
    const std::string combo = combo_path(r.scenario_names.at(0), r.policy_names.at(0));
    const std::string tl = combo + "/summary/tail/level";
    for (const std::string& link : {combo + "/summary", combo + "/summary/tail", tl})
      if (H5Lexists(root_.id(), link.c_str(), H5P_DEFAULT) <= 0) return;
    const std::vector<hsize_t> shape = shape_of(open_dataset(tl));
    if (shape.size() != 1 || shape[0] < 1 || shape[0] > 16)  // bounded before allocating
      ctx_.fail("dataset '" + tl + "' has shape " + shape_text(shape) + ", expected 1 to 16 tail levels");
    const std::vector<double> levels = read_array<double>(tl, shape);
    const std::string bad = tail_levels_error(levels);
    if (!bad.empty()) ctx_.fail("dataset '" + tl + "': the tail levels " + bad);
    std::vector<double> defaults;
    for (const TailLevel& l : kTailLevels) defaults.push_back(l.value());
    if (levels != defaults) r.meta.tail_levels = levels;
  }

  // Checks the major version; returns the minor one.
  int check_schema() const {
    if (H5Aexists(root_.id(), "schema_version") <= 0)
      ctx_.fail("not a limitsim result file (no schema_version attribute on '/')");
    const std::string v = read_string_attr(root_, "schema_version");
    const std::size_t dot = v.find('.');
    const std::string major = v.substr(0, dot);
    const std::string minor = dot == std::string::npos ? "" : v.substr(dot + 1);
    auto digits = [](const std::string& x) {
      return !x.empty() && x.size() < 6 && x.find_first_not_of("0123456789") == std::string::npos;
    };
    if (!digits(major) || !digits(minor)) ctx_.fail("unreadable schema_version '" + v + "'");
    if (std::stoi(major) != kSchemaVersionMajor)
      ctx_.fail("schema_version " + v + " is not supported (this build reads " + std::to_string(kSchemaVersionMajor) +
                ".x)");
    return std::stoi(minor);
  }

  // Schema 1.2 added the path weights and the segments' bands and regions; a
  // 1.1 file had no importance sampling (weights 1), and its segments were the
  // score bands of one region.
  void read_cells_and_weights(RunResults& r, int minor) const {
    const std::size_t G = static_cast<std::size_t>(r.segments);
    if (minor < 2) {
      r.band_names = r.segment_names;
      r.region_names = {"all"};
      r.segment_band.resize(G);
      std::iota(r.segment_band.begin(), r.segment_band.end(), 0);
      r.segment_region.assign(G, 0);
      r.path_weight.assign(static_cast<std::size_t>(r.paths), 1.0);
      return;
    }
    r.band_names = read_strings("/segments/band_names", std::nullopt);
    r.region_names = read_strings("/segments/region_names", std::nullopt);
    r.segment_band = read_array<std::int32_t>("/segments/segment_band", {static_cast<hsize_t>(G)});
    r.segment_region = read_array<std::int32_t>("/segments/segment_region", {static_cast<hsize_t>(G)});
    r.path_weight = read_array<double>("/paths/weight", {static_cast<hsize_t>(r.paths)});
    try {
      segment_cells(r);
      check_weights(r.path_weight, static_cast<std::size_t>(r.paths), "/paths/weight");
    } catch (const std::invalid_argument& e) {
      ctx_.fail(e.what());
    }
  }

  void read_meta(RunResults& r, int minor) const {
    // Schema 1.1 added these; a 1.0 file lacks the inputs of the comparison.
    for (const char* name : {"cost_of_funds", "baseline_policy"})
      if (H5Aexists(root_.id(), name) <= 0)
        ctx_.fail(std::string("no attribute '") + name + "' on '/' (written since schema 1.1; schema_version is " +
                  read_string_attr(root_, "schema_version") + ")");
    for (const MetaString& m : kMetaStrings) r.meta.*(m.field) = read_string_attr(root_, m.name);
    r.meta.seed = read_attr<std::uint64_t>(root_, "seed");
    r.meta.customers = read_attr<std::int64_t>(root_, "customers");
    r.meta.threads = read_attr<std::int32_t>(root_, "threads");
    r.meta.batch_size = read_attr<std::int64_t>(root_, "batch_size");
    r.meta.wall_seconds = read_attr<double>(root_, "wall_seconds");
    r.meta.cost_of_funds = read_attr<double>(root_, "cost_of_funds");
    if (!std::isfinite(r.meta.cost_of_funds)) ctx_.fail("attribute 'cost_of_funds' of '/' is not finite");
    // Schema 1.2 added importance_shift; before it there was no importance sampling.
    if (minor >= 2 || H5Aexists(root_.id(), "importance_shift") > 0)
      r.meta.importance_shift = read_attr<double>(root_, "importance_shift");
    // Schema 1.3 added the population's provenance; before it every population was synthetic.
    if (minor >= 3) {
      r.meta.population_kind = read_string_attr(root_, "population_kind");
      r.meta.population_file = read_string_attr(root_, "population_file");
      r.meta.population_sha256 = read_string_attr(root_, "population_sha256");
      r.meta.population_rows_skipped = read_attr<std::int64_t>(root_, "population_rows_skipped");
    }
    // Schema 1.4 added the rank count; before it every run was one process.
    if (minor >= 4) r.meta.mpi_ranks = read_attr<std::int32_t>(root_, "mpi_ranks");
    // Schema 1.5 added the living book; before it no run acquired.
    if (minor >= 5) {
      r.meta.applicants = read_attr<std::int64_t>(root_, "applicants");
      r.meta.constant_book = read_attr<std::int32_t>(root_, "constant_book") != 0;
    }
    // Schema 1.5 added the P&L's parameters; before them they were 0 (net income
    // was revenue - net loss - cost of funds, which all 0 reproduces).
    for (const PnlAttribute& a : pnl_attributes()) {
      if (minor < 5 && H5Aexists(root_.id(), a.name) <= 0) continue;
      const std::string bad = a.set(r.meta.pnl, read_attr<double>(root_, a.name));
      if (!bad.empty()) ctx_.fail(std::string("attribute '") + a.name + "' of '/' " + bad);
    }
    r.paths = read_attr<std::int32_t>(root_, "paths");
    r.months = read_attr<std::int32_t>(root_, "months");
    r.segments = read_attr<std::int32_t>(root_, "segments");
    if (r.paths < 1 || r.months < 1 || r.segments < 1)
      ctx_.fail("paths, months and segments must be >= 1 (got " + std::to_string(r.paths) + ", " +
                std::to_string(r.months) + ", " + std::to_string(r.segments) + ")");
    if (r.paths > fields::kPathsRange.hi || r.months > fields::kMonthsRange.hi || r.segments > kMaxCells)
      ctx_.fail("attributes paths, months, segments of '/' (" + std::to_string(r.paths) + ", " +
                std::to_string(r.months) + ", " + std::to_string(r.segments) + ") exceed what a run can have (" +
                std::to_string(static_cast<std::int64_t>(fields::kPathsRange.hi)) + ", " +
                std::to_string(static_cast<std::int64_t>(fields::kMonthsRange.hi)) + ", " + std::to_string(kMaxCells) +
                ")");
  }

  // The sums are held in memory: refuse a file whose sums would not fit, before allocating them.
  void check_size(const RunResults& r) const {
    const double bytes = static_cast<double>(r.cells()) * sizeof(std::int64_t) *
                         static_cast<double>(r.scenario_names.size()) * static_cast<double>(r.policy_names.size());
    const double ram = static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGE_SIZE));
    if (ram > 0 && bytes > 0.5 * ram)
      ctx_.fail("its sums need " + std::to_string(static_cast<long long>(bytes / (1 << 20))) +
                " MiB of memory, more than half of this machine's");
  }

  // ---- primitives

  Handle open_attr(const Object& obj, const std::string& name, const std::string& what) const {
    Handle a = ctx_.own(H5Aopen(obj.id(), name.c_str(), H5P_DEFAULT), H5Aclose, "cannot open " + what);
    Handle space = ctx_.own(H5Aget_space(a.get()), H5Sclose, "cannot get the dataspace of " + what);
    if (H5Sget_simple_extent_npoints(space.get()) != 1) ctx_.fail(what + " is not a single value");
    return a;
  }

  template <class T>
  void expect_stored_as(hid_t type_id, const std::string& what) const {
    Handle t = ctx_.own(type_id, H5Tclose, "cannot get the type of " + what);
    if (!stored_as<T>(t.get()))
      ctx_.fail(what + " is stored as " + type_text(t.get()) + ", expected " + expected_type_text<T>());
  }

  template <class T>
  T read_attr(const Object& obj, const std::string& name) const {
    const std::string what = "attribute '" + name + "' of '" + obj.path + "'";
    Handle a = open_attr(obj, name, what);
    expect_stored_as<T>(H5Aget_type(a.get()), what);
    T value{};
    ctx_.ok(H5Aread(a.get(), H5Traits<T>::mem(), &value), "cannot read " + what);
    return value;
  }

  // The fixed-length string type of an attribute or dataset (variable-length ones are refused), of at
  // most max_bytes a string.
  Handle fixed_string_type(hid_t type_id, const std::string& what, std::size_t max_bytes = kMaxTextBytes) const {
    Handle t = ctx_.own(type_id, H5Tclose, "cannot get the type of " + what);
    if (H5Tget_class(t.get()) != H5T_STRING || H5Tis_variable_str(t.get()) != 0)
      ctx_.fail(what + " is not a fixed-length string");
    if (H5Tget_size(t.get()) > max_bytes)
      ctx_.fail(what + " is a string of " + std::to_string(H5Tget_size(t.get())) + " bytes, more than the " +
                std::to_string(max_bytes) + " allowed");
    return t;
  }

  std::string read_string_attr(const Object& obj, const std::string& name) const {
    const std::string what = "attribute '" + name + "' of '" + obj.path + "'";
    Handle a = open_attr(obj, name, what);
    Handle t = fixed_string_type(H5Aget_type(a.get()), what);
    std::vector<char> buf(H5Tget_size(t.get()) + 1, '\0');
    ctx_.ok(H5Aread(a.get(), t.get(), buf.data()), "cannot read " + what);
    return std::string(buf.data());
  }

  Object open_dataset(const std::string& path) const {
    return {ctx_.own(H5Dopen2(root_.id(), path.c_str(), H5P_DEFAULT), H5Dclose, "cannot open dataset '" + path + "'"),
            path};
  }

  std::vector<hsize_t> shape_of(const Object& ds) const {
    Handle space = ctx_.own(H5Dget_space(ds.id()), H5Sclose, "cannot get the dataspace of '" + ds.path + "'");
    const int rank = H5Sget_simple_extent_ndims(space.get());
    if (rank < 0) ctx_.fail_h5("cannot get the rank of '" + ds.path + "'");
    std::vector<hsize_t> shape(static_cast<std::size_t>(rank));
    ctx_.ok(H5Sget_simple_extent_dims(space.get(), shape.data(), nullptr), "cannot get the shape of '" + ds.path + "'");
    return shape;
  }

  void expect_shape(const Object& ds, const std::vector<hsize_t>& expected) const {
    const std::vector<hsize_t> shape = shape_of(ds);
    if (shape != expected)
      ctx_.fail("dataset '" + ds.path + "' has shape " + shape_text(shape) + ", expected " + shape_text(expected));
  }

  template <class T>
  std::vector<T> read_array(const std::string& path, const std::vector<hsize_t>& shape) const {
    Object ds = open_dataset(path);
    expect_shape(ds, shape);
    expect_stored_as<T>(H5Dget_type(ds.id()), "dataset '" + path + "'");
    std::vector<T> out(product(shape.begin(), shape.end()));
    ctx_.ok(H5Dread(ds.id(), H5Traits<T>::mem(), H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()),
            "cannot read dataset '" + path + "'");
    return out;
  }

  // Strings of a scalar (shape {}) or 1-D dataset; any length when shape is nullopt.
  std::vector<std::string> read_strings(const std::string& path,
                                        const std::optional<std::vector<hsize_t>>& shape) const {
    Object ds = open_dataset(path);
    const std::vector<hsize_t> actual = shape_of(ds);
    if (shape)
      expect_shape(ds, *shape);
    else if (actual.size() != 1 || actual[0] > kMaxNames)
      ctx_.fail("dataset '" + path + "' has shape " + shape_text(actual) + ", expected one dimension of at most " +
                std::to_string(kMaxNames));
    const std::size_t n = product(actual.begin(), actual.end());
    Handle t = fixed_string_type(H5Dget_type(ds.id()), "dataset '" + path + "'", n > 1 ? kMaxNameBytes : kMaxTextBytes);
    const std::size_t size = H5Tget_size(t.get());
    std::vector<char> buf(size * std::max<std::size_t>(n, 1), '\0');
    if (n > 0)
      ctx_.ok(H5Dread(ds.id(), t.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()),
              "cannot read dataset '" + path + "'");
    std::vector<std::string> out;
    for (std::size_t i = 0; i < n; ++i) {
      const char* s = buf.data() + i * size;
      out.emplace_back(s, strnlen(s, size));
    }
    return out;
  }

  // The schema minor version from which a metric is written; older files lack it
  // and read as zeros (e.g. no income shocks before 1.2).
  static int metric_since_minor(int metric) {
    if (metric == kApplicantCount || metric == kNewAccountCount || metric == kRunoffCount || metric == kInactiveCount)
      return 5;
    if (metric == kReversal || metric == kRecovery || metric == kDeclinedCount || metric == kPartialCureCount) return 4;
    return metric == kShockStartCount || metric == kShockedCount ? 2 : 0;
  }

  ComboSums read_combo(const RunResults& r, const std::string& scenario, const std::string& policy,
                       int minor) const {
    ComboSums c{scenario, policy, std::vector<std::int64_t>(r.cells(), 0)};
    const std::string base = combo_path(scenario, policy) + "/by_segment/";
    for (const MetricGroup& mg : metric_groups()) {
      if (minor < metric_since_minor(mg.first)) continue;
      const std::size_t W = static_cast<std::size_t>(mg.width);
      std::vector<hsize_t> shape{static_cast<hsize_t>(r.paths), static_cast<hsize_t>(r.months),
                                 static_cast<hsize_t>(r.segments)};
      if (extra_dim(mg).name) shape.push_back(W);
      read_path_major(base + mg.info->name, shape, [&](hsize_t p0, hsize_t n, const std::int64_t* in) {
        for_each_cell(r, p0, n, [&](std::size_t row, std::size_t cell) {
          std::copy_n(in + row * W, W, c.sums.data() + cell + mg.first);
        });
      });
    }
    // Before 1.4 a charge-off's recovery was collected in its month: the recoveries are the booked ones.
    if (minor < 4)
      for (std::size_t cell = 0; cell < c.sums.size(); cell += kNumMetrics)
        c.sums[cell + kRecovery] = c.sums[cell + kChargeoffRecovery];
    return c;
  }

  // The acquired cohorts' vintage sums (schema 1.5): rows 1.. of each [cohort, months_on_book] dataset
  // (row 0, the opening book, is derived from the portfolio sums again).
  void read_vintages(const RunResults& r, ComboSums& c) const {
    const std::string base = combo_path(c.scenario, c.policy) + "/vintages/";
    const auto T = static_cast<hsize_t>(r.months);
    c.vintages.assign(r.vintage_cells(), 0);
    for (int v = 0; v < kNumVintageMetrics; ++v) {
      const std::vector<std::int64_t> col = read_array<std::int64_t>(base + vintage_metric_info(v).name, {T + 1, T});
      for (int a = 0; a < r.months; ++a)
        for (int k = 0; k < r.months; ++k)
          c.vintages[r.vintage_index(a, k, v)] = col[static_cast<std::size_t>(a + 1) * T + static_cast<std::size_t>(k)];
    }
  }

  // Reads an int64 [path, ...] dataset of the expected shape one slab of paths at a time.
  template <class Use>
  void read_path_major(const std::string& path, const std::vector<hsize_t>& shape, Use use) const {
    Object ds = open_dataset(path);
    expect_shape(ds, shape);
    const std::string what = "dataset '" + path + "'";
    expect_stored_as<std::int64_t>(H5Dget_type(ds.id()), what);
    Handle file_space = ctx_.own(H5Dget_space(ds.id()), H5Sclose, "cannot get the dataspace of " + what);
    const hsize_t slab = chunk_paths(shape), row = product(shape.begin() + 1, shape.end());
    std::vector<std::int64_t> buf;
    for (hsize_t p0 = 0; p0 < shape[0]; p0 += slab) {
      const hsize_t n = std::min(slab, shape[0] - p0);
      buf.resize(n * row);
      Handle mem_space = select_paths(ctx_, file_space.get(), shape, p0, n, what);
      ctx_.ok(H5Dread(ds.id(), H5Traits<std::int64_t>::mem(), mem_space.get(), file_space.get(), H5P_DEFAULT,
                      buf.data()),
              "cannot read " + what);
      use(p0, n, buf.data());
    }
  }

  Context ctx_;
  Object root_;
};

}  // namespace

RunResults read_results_h5(const std::string& path) {
  ErrorSilencer quiet;
  return Reader(path).read();
}

}  // namespace limitsim
