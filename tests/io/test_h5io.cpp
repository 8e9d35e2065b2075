// HDF5 result files: round trip, documented layout (checked with the C API),
// atomic replacement and failures that leave nothing behind.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "src/analysis/compare.hpp"
#include "src/io/h5io.hpp"

namespace limitsim {
namespace {

namespace fs = std::filesystem;

// 5 paths x 3 months x 2 segments, 2 scenarios x 2 policies, every cell distinct,
// with int64 extremes, a '/' in a policy name and UTF-8 in a segment name.
RunResults sample_results(std::int64_t salt = 0) {
  RunResults r;
  r.paths = 5;
  r.months = 3;
  r.segments = 2;
  r.segment_names = {"<650", "650+ \u2264 top"};
  r.segment_customers = {600, 400};
  r.scenario_names = {"baseline", "severe recession"};
  r.policy_names = {"current", "raise/10%"};
  std::uint64_t x = 0x1234567 + static_cast<std::uint64_t>(salt);
  for (const auto& s : r.scenario_names)
    for (const auto& p : r.policy_names) {
      ComboSums c{s, p, std::vector<std::int64_t>(r.cells())};
      for (auto& v : c.sums) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        v = static_cast<std::int64_t>(x >> 20) - (std::int64_t{1} << 42);
      }
      r.combos.push_back(std::move(c));
    }
  r.combos[0].sums[0] = std::numeric_limits<std::int64_t>::max();
  r.combos[0].sums[1] = std::numeric_limits<std::int64_t>::min();
  r.meta.limitsim_version = "0.1.0";
  r.meta.git_commit = "1c71859abcdef";
  r.meta.backend = "cpu";
  r.meta.device = "CPU: test (2 threads)";
  r.meta.created_utc = "2024-05-01T12:00:00Z";
  r.meta.effective_config = "name = \"h5test\"\nseed = 42\n\n[population]\ncustomers = 1000\n";
  r.meta.config_file = "configs/h5test.toml";
  r.meta.name = "h5test";
  r.meta.seed = 0xFEDCBA9876543210ULL;
  r.meta.customers = 1000;
  r.meta.threads = 2;
  r.meta.batch_size = 1 << 20;
  r.meta.wall_seconds = 1.25 + static_cast<double>(salt);
  r.meta.cost_of_funds = 0.0375 + 0.001 * static_cast<double>(salt);
  r.meta.baseline_policy = "raise/10%";
  r.meta.population_kind = "file";
  r.meta.population_file = "/data/book.csv";
  r.meta.population_sha256 = std::string(64, 'a');
  r.meta.population_rows_skipped = 3;
  // As the engine fills them without importance sampling: segments are bands of one region.
  r.band_names = r.segment_names;
  r.region_names = {"all"};
  r.segment_band = {0, 1};
  r.segment_region = {0, 0};
  r.path_weight.assign(static_cast<std::size_t>(r.paths), 1.0);
  return r;
}

// Two regions of one score band, importance-sampling weights and a shift.
RunResults weighted_results() {
  RunResults r = sample_results();
  r.segment_names = {"all bands/east", "all bands/west"};
  r.band_names = {"all bands"};
  r.region_names = {"east", "west"};
  r.segment_band = {0, 0};
  r.segment_region = {0, 1};
  r.path_weight = {0.5, 1.0, 1.5, 2.0, 0.25};
  r.meta.importance_shift = 0.75;
  // Non-negative losses, so the tail figures are those of a loss distribution.
  for (auto& c : r.combos)
    for (int p = 0; p < r.paths; ++p)
      for (int t = 0; t < r.months; ++t)
        for (int g = 0; g < r.segments; ++g) {
          std::int64_t& v = c.sums[r.cell_index(p, t, g, kChargeoffLoss)];
          v = (v < 0 ? -v : v) % 1000000;
        }
  return r;
}

void expect_equal(const RunResults& a, const RunResults& b) {
  EXPECT_EQ(a.paths, b.paths);
  EXPECT_EQ(a.months, b.months);
  EXPECT_EQ(a.segments, b.segments);
  EXPECT_EQ(a.segment_names, b.segment_names);
  EXPECT_EQ(a.segment_customers, b.segment_customers);
  EXPECT_EQ(a.scenario_names, b.scenario_names);
  EXPECT_EQ(a.policy_names, b.policy_names);
  ASSERT_EQ(a.combos.size(), b.combos.size());
  for (std::size_t i = 0; i < a.combos.size(); ++i) {
    EXPECT_EQ(a.combos[i].scenario, b.combos[i].scenario);
    EXPECT_EQ(a.combos[i].policy, b.combos[i].policy);
    EXPECT_TRUE(a.combos[i].sums == b.combos[i].sums) << "combo " << i;
  }
  const RunMetadata &m = a.meta, &n = b.meta;
  EXPECT_EQ(m.limitsim_version, n.limitsim_version);
  EXPECT_EQ(m.git_commit, n.git_commit);
  EXPECT_EQ(m.name, n.name);
  EXPECT_EQ(m.backend, n.backend);
  EXPECT_EQ(m.device, n.device);
  EXPECT_EQ(m.created_utc, n.created_utc);
  EXPECT_EQ(m.population_kind, n.population_kind);
  EXPECT_EQ(m.population_file, n.population_file);
  EXPECT_EQ(m.population_sha256, n.population_sha256);
  EXPECT_EQ(m.population_rows_skipped, n.population_rows_skipped);
  EXPECT_EQ(m.effective_config, n.effective_config);
  EXPECT_EQ(m.config_file, n.config_file);
  EXPECT_EQ(m.seed, n.seed);
  EXPECT_EQ(m.customers, n.customers);
  EXPECT_EQ(m.threads, n.threads);
  EXPECT_EQ(m.batch_size, n.batch_size);
  EXPECT_EQ(m.wall_seconds, n.wall_seconds);
  EXPECT_EQ(m.cost_of_funds, n.cost_of_funds);
  EXPECT_EQ(m.baseline_policy, n.baseline_policy);
  EXPECT_EQ(m.importance_shift, n.importance_shift);
  EXPECT_EQ(a.band_names, b.band_names);
  EXPECT_EQ(a.region_names, b.region_names);
  EXPECT_EQ(a.segment_band, b.segment_band);
  EXPECT_EQ(a.segment_region, b.segment_region);
  EXPECT_EQ(a.path_weight, b.path_weight);
}

// ---- a minimal C API reader for layout checks

struct Id {
  hid_t id;
  herr_t (*close)(hid_t);
  ~Id() {
    if (id >= 0) close(id);
  }
};

std::string string_attr(hid_t obj, const char* name) {
  Id a{H5Aopen(obj, name, H5P_DEFAULT), H5Aclose};
  if (a.id < 0) return "<missing>";
  Id t{H5Aget_type(a.id), H5Tclose};
  EXPECT_EQ(H5Tget_class(t.id), H5T_STRING) << name;
  EXPECT_EQ(H5Tis_variable_str(t.id), 0) << name << " must be fixed-length";
  EXPECT_EQ(H5Tget_strpad(t.id), H5T_STR_NULLTERM) << name;
  std::vector<char> buf(H5Tget_size(t.id) + 1, '\0');
  EXPECT_GE(H5Aread(a.id, t.id, buf.data()), 0);
  return buf.data();
}

template <class T>
T numeric_attr(hid_t obj, const char* name, hid_t mem_type) {
  Id a{H5Aopen(obj, name, H5P_DEFAULT), H5Aclose};
  T v{};
  EXPECT_GE(a.id, 0) << name;
  if (a.id >= 0) {
    EXPECT_GE(H5Aread(a.id, mem_type, &v), 0);
  }
  return v;
}

struct DatasetFacts {
  std::vector<hsize_t> shape;
  H5T_class_t type_class;
  std::size_t type_size;
  std::string units, dims, description, labels;
};

DatasetFacts facts(hid_t file, const std::string& path) {
  DatasetFacts f{};
  Id d{H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose};
  EXPECT_GE(d.id, 0) << "missing " << path;
  if (d.id < 0) return f;
  Id s{H5Dget_space(d.id), H5Sclose};
  f.shape.resize(static_cast<std::size_t>(H5Sget_simple_extent_ndims(s.id)));
  H5Sget_simple_extent_dims(s.id, f.shape.data(), nullptr);
  Id t{H5Dget_type(d.id), H5Tclose};
  f.type_class = H5Tget_class(t.id);
  f.type_size = H5Tget_size(t.id);
  f.units = string_attr(d.id, "units");
  f.dims = string_attr(d.id, "dims");
  f.description = string_attr(d.id, "description");
  if (H5Aexists(d.id, "labels") > 0) f.labels = string_attr(d.id, "labels");
  return f;
}

template <class T>
std::vector<T> read_all(hid_t file, const std::string& path, hid_t mem_type, std::size_t n) {
  std::vector<T> v(n);
  Id d{H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose};
  EXPECT_GE(H5Dread(d.id, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), 0) << path;
  return v;
}

// Every dataset's path in the file.
std::vector<std::string> all_datasets(hid_t file) {
  std::vector<std::string> out;
  H5Ovisit(
      file, H5_INDEX_NAME, H5_ITER_NATIVE,
      [](hid_t, const char* name, const H5O_info_t* info, void* data) -> herr_t {
        if (info->type == H5O_TYPE_DATASET)
          static_cast<std::vector<std::string>*>(data)->push_back(std::string("/") + name);
        return 0;
      },
      &out);
  return out;
}

class H5IoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("limitsim_h5io_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Everything left in the test folder (recursively), relative names.
  std::vector<std::string> leftovers() const {
    std::vector<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(dir_)) out.push_back(fs::relative(e.path(), dir_).string());
    std::sort(out.begin(), out.end());
    return out;
  }

  fs::path dir_;
};

TEST_F(H5IoTest, RoundTripIsExact) {
  const RunResults r = sample_results();
  const std::string path = (dir_ / "run.h5").string();
  write_results_h5(r, compute_summary(r), compute_comparison(r), path);
  expect_equal(read_results_h5(path), r);
  EXPECT_EQ(leftovers(), std::vector<std::string>{"run.h5"});  // no temporary left behind
}

TEST_F(H5IoTest, RoundTripWithManyPathsSpansSeveralChunks) {
  RunResults r = sample_results();
  r.paths = 600;  // more than the 256 paths of one chunk row
  r.path_weight.resize(600);
  for (std::size_t i = 0; i < 600; ++i) r.path_weight[i] = 0.5 + 0.25 * static_cast<double>(i % 4);
  for (auto& c : r.combos) {
    c.sums.resize(r.cells());
    for (std::size_t i = 0; i < c.sums.size(); ++i) c.sums[i] = static_cast<std::int64_t>(i * 2654435761u % 1000003);
  }
  const std::string path = (dir_ / "many.h5").string();
  write_results_h5(r, compute_summary(r), compute_comparison(r), path);
  expect_equal(read_results_h5(path), r);
}

TEST_F(H5IoTest, LayoutMatchesTheSchema) {
  const RunResults r = sample_results();
  const Summary s = compute_summary(r, {2});
  const std::string path = (dir_ / "layout.h5").string();
  write_results_h5(r, s, compute_comparison(r), path);

  Id f{H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose};
  ASSERT_GE(f.id, 0);
  EXPECT_EQ(string_attr(f.id, "schema_version"), "1.3");
  EXPECT_EQ(string_attr(f.id, "run_name"), "h5test");
  EXPECT_EQ(string_attr(f.id, "population_kind"), r.meta.population_kind);
  EXPECT_EQ(string_attr(f.id, "population_file"), r.meta.population_file);
  EXPECT_EQ(string_attr(f.id, "population_sha256"), r.meta.population_sha256);
  EXPECT_EQ(numeric_attr<std::int64_t>(f.id, "population_rows_skipped", H5T_NATIVE_INT64), 3);
  EXPECT_EQ(string_attr(f.id, "git_commit"), r.meta.git_commit);
  EXPECT_EQ(numeric_attr<std::uint64_t>(f.id, "seed", H5T_NATIVE_UINT64), r.meta.seed);
  EXPECT_EQ(numeric_attr<std::int32_t>(f.id, "paths", H5T_NATIVE_INT32), 5);
  EXPECT_EQ(numeric_attr<double>(f.id, "wall_seconds", H5T_NATIVE_DOUBLE), 1.25);
  EXPECT_EQ(numeric_attr<double>(f.id, "cost_of_funds", H5T_NATIVE_DOUBLE), 0.0375);
  EXPECT_EQ(string_attr(f.id, "baseline_policy"), "raise/10%");

  const std::string combo = "/results/severe recession/raise%2F10%25";
  struct Expect {
    std::string path;
    std::vector<hsize_t> shape;
    H5T_class_t cls;
    std::size_t size;  // bytes per element; 0 for strings
    const char* units;
    const char* dims;
  };
  const Expect expected[] = {
      {"/config", {}, H5T_STRING, 0, "none", ""},
      {"/segments/names", {2}, H5T_STRING, 0, "none", "segment"},
      {"/segments/customers", {2}, H5T_INTEGER, 8, "customers", "segment"},
      {"/scenarios", {2}, H5T_STRING, 0, "none", "scenario"},
      {"/policies", {2}, H5T_STRING, 0, "none", "policy"},
      {combo + "/monthly/active", {5, 3}, H5T_INTEGER, 8, "accounts", "path,month"},
      {combo + "/monthly/chargeoff_loss", {5, 3}, H5T_INTEGER, 8, "cents", "path,month"},
      {combo + "/monthly/utilization_sum", {5, 3}, H5T_INTEGER, 8, "ppm", "path,month"},
      {combo + "/monthly/bucket_count", {5, 3, 7}, H5T_INTEGER, 8, "accounts", "path,month,bucket"},
      {combo + "/monthly/bucket_balance", {5, 3, 7}, H5T_INTEGER, 8, "cents", "path,month,bucket"},
      {combo + "/monthly/utilization_histogram", {5, 3, 12}, H5T_INTEGER, 8, "accounts", "path,month,bin"},
      {combo + "/by_segment/balance", {5, 3, 2}, H5T_INTEGER, 8, "cents", "path,month,segment"},
      {combo + "/by_segment/bucket_count", {5, 3, 2, 7}, H5T_INTEGER, 8, "accounts", "path,month,segment,bucket"},
      {combo + "/by_segment/utilization_histogram", {5, 3, 2, 12}, H5T_INTEGER, 8, "accounts",
       "path,month,segment,bin"},
      {combo + "/losses/net_loss", {5}, H5T_FLOAT, 8, "currency", "path"},
      {combo + "/losses/net_loss_cents", {5}, H5T_INTEGER, 8, "cents", "path"},
      {combo + "/losses/chargeoff_exposure", {5}, H5T_FLOAT, 8, "currency", "path"},
      {combo + "/summary/tail/level", {3}, H5T_FLOAT, 8, "share", "level"},
      {combo + "/summary/tail/var_lo", {3}, H5T_FLOAT, 8, "currency", "level"},
      {combo + "/summary/tail/es_se", {3}, H5T_FLOAT, 8, "currency", "level"},
      {combo + "/summary/monthly/month", {3}, H5T_INTEGER, 4, "month", "month"},
      {combo + "/summary/monthly/overdue30_count", {3}, H5T_FLOAT, 8, "share", "month"},
      {combo + "/summary/monthly/cumulative_net_loss_se", {3}, H5T_FLOAT, 8, "currency", "month"},
      {combo + "/summary/report_months", {2}, H5T_INTEGER, 4, "month", "report"},
  };
  for (const Expect& e : expected) {
    const DatasetFacts d = facts(f.id, e.path);
    EXPECT_EQ(d.shape, e.shape) << e.path;
    EXPECT_EQ(d.type_class, e.cls) << e.path;
    if (e.size != 0) {
      EXPECT_EQ(d.type_size, e.size) << e.path;
    }
    EXPECT_EQ(d.units, e.units) << e.path;
    EXPECT_EQ(d.dims, e.dims) << e.path;
  }
  EXPECT_EQ(facts(f.id, combo + "/monthly/bucket_count").labels, "current,1-30,31-60,61-90,91-120,121-150,151-180");
  EXPECT_EQ(facts(f.id, combo + "/by_segment/utilization_histogram").labels,
            "0,(0-10%],(10-20%],(20-30%],(30-40%],(40-50%],(50-60%],(60-70%],(70-80%],(80-90%],(90-100%],>100%");

  // Every dataset documents itself; 4 combos x (21 + 21 monthly/by_segment + 3 losses + ...).
  const std::vector<std::string> datasets = all_datasets(f.id);
  EXPECT_GT(datasets.size(), 4u * 45u);
  for (const std::string& p : datasets) {
    const DatasetFacts d = facts(f.id, p);
    EXPECT_NE(d.units, "<missing>") << p;
    EXPECT_NE(d.dims, "<missing>") << p;
    EXPECT_FALSE(d.description.empty() || d.description == "<missing>") << p;
    EXPECT_EQ(std::count(d.dims.begin(), d.dims.end(), ',') + (d.dims.empty() ? 0 : 1),
              static_cast<long>(d.shape.size()))
        << p << " dims '" << d.dims << "'";
  }

  // Group names and their attributes.
  Id g{H5Gopen2(f.id, combo.c_str(), H5P_DEFAULT), H5Gclose};
  ASSERT_GE(g.id, 0);
  EXPECT_EQ(string_attr(g.id, "scenario"), "severe recession");
  EXPECT_EQ(string_attr(g.id, "policy"), "raise/10%");

  // Values: monthly = sum over segments; losses and summary agree with the sums.
  const int ci = 3;  // severe recession / raise/10%
  const ComboSums& c = r.combos[ci];
  const auto active = read_all<std::int64_t>(f.id, combo + "/monthly/active", H5T_NATIVE_INT64, 15);
  const auto buckets =
      read_all<std::int64_t>(f.id, combo + "/by_segment/bucket_count", H5T_NATIVE_INT64, 5 * 3 * 2 * 7);
  const auto net_loss = read_all<double>(f.id, combo + "/losses/net_loss", H5T_NATIVE_DOUBLE, 5);
  const auto loss_cents = read_all<std::int64_t>(f.id, combo + "/losses/net_loss_cents", H5T_NATIVE_INT64, 5);
  for (int p = 0; p < 5; ++p) {
    std::int64_t cents = 0;
    for (int t = 0; t < 3; ++t) {
      EXPECT_EQ(active[p * 3 + t], r.portfolio(c, p, t, kActive));
      cents += r.portfolio(c, p, t, kChargeoffLoss);
      for (int g = 0; g < 2; ++g)
        for (int b = 0; b < 7; ++b)
          EXPECT_EQ(buckets[((p * 3 + t) * 2 + g) * 7 + b], c.sums[r.cell_index(p, t, g, kBucketCount0 + b)]);
    }
    EXPECT_EQ(loss_cents[p], cents);
    EXPECT_EQ(net_loss[p], s.combos[ci].path_loss[p]);
  }
  // Scalar figures: attributes of the summary group, units in figure_units.
  Id sum{H5Gopen2(f.id, (combo + "/summary").c_str(), H5P_DEFAULT), H5Gclose};
  ASSERT_GE(sum.id, 0);
  for (const auto& fig : combo_figure_info()) {
    const Estimate& e = s.combos[ci].*(fig.field);
    EXPECT_EQ(numeric_attr<double>(sum.id, fig.name, H5T_NATIVE_DOUBLE), e.value) << fig.name;
    EXPECT_EQ(numeric_attr<double>(sum.id, (std::string(fig.name) + "_se").c_str(), H5T_NATIVE_DOUBLE), e.se)
        << fig.name;
  }
  EXPECT_EQ(string_attr(sum.id, "figure_units"),
            "expected_loss=currency,unexpected_loss=currency,exposure_at_chargeoff=currency,revenue=currency,"
            "limit_increases=accounts,freezes=accounts");
  EXPECT_EQ(numeric_attr<std::int32_t>(sum.id, "bootstrap_resamples", H5T_NATIVE_INT32), 2000);
  const auto var = read_all<double>(f.id, combo + "/summary/tail/var", H5T_NATIVE_DOUBLE, 3);
  for (int l = 0; l < 3; ++l) EXPECT_EQ(var[l], s.combos[ci].tail[l].var);
  const auto od = read_all<double>(f.id, combo + "/summary/monthly/overdue60_balance", H5T_NATIVE_DOUBLE, 3);
  for (int t = 0; t < 3; ++t) EXPECT_EQ(od[t], s.combos[ci].months[t].overdue60_balance.value);
  EXPECT_EQ(read_all<std::int32_t>(f.id, combo + "/summary/report_months", H5T_NATIVE_INT32, 2),
            (std::vector<std::int32_t>{2, 3}));
}

// Strings of a 1-D fixed-length string dataset.
std::vector<std::string> read_strings(hid_t file, const std::string& path, std::size_t n) {
  Id d{H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose};
  EXPECT_GE(d.id, 0) << path;
  if (d.id < 0) return {};
  Id t{H5Dget_type(d.id), H5Tclose};
  const std::size_t size = H5Tget_size(t.id);
  std::vector<char> buf(size * n + 1, '\0');
  EXPECT_GE(H5Dread(d.id, t.id, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()), 0) << path;
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n; ++i) out.emplace_back(buf.data() + i * size, strnlen(buf.data() + i * size, size));
  return out;
}

// Replaces a string attribute of the root group with a new value.
void set_root_string_attr(const std::string& path, const char* name, const std::string& value) {
  Id f{H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), H5Fclose};
  ASSERT_GE(H5Adelete(f.id, name), 0);
  Id t{H5Tcopy(H5T_C_S1), H5Tclose};
  H5Tset_size(t.id, value.size() + 1);
  Id sp{H5Screate(H5S_SCALAR), H5Sclose};
  Id a{H5Acreate2(f.id, name, t.id, sp.id, H5P_DEFAULT, H5P_DEFAULT), H5Aclose};
  ASSERT_GE(H5Awrite(a.id, t.id, value.c_str()), 0);
}

TEST_F(H5IoTest, ComparisonIsATidyTableOfTheComparison) {
  RunResults r = sample_results();
  r.meta.report_months = {2};
  const Comparison c = compute_comparison(r);
  ASSERT_EQ(c.baseline, "raise/10%");  // from meta.baseline_policy
  const std::string path = (dir_ / "cmp.h5").string();
  write_results_h5(r, compute_summary(r, r.meta.report_months), c, path);

  Id f{H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose};
  ASSERT_GE(f.id, 0);
  Id g{H5Gopen2(f.id, "/comparison", H5P_DEFAULT), H5Gclose};
  ASSERT_GE(g.id, 0);
  EXPECT_EQ(string_attr(g.id, "baseline"), "raise/10%");
  EXPECT_EQ(numeric_attr<double>(g.id, "cost_of_funds", H5T_NATIVE_DOUBLE), 0.0375);
  EXPECT_EQ(numeric_attr<double>(g.id, "confidence_level", H5T_NATIVE_DOUBLE), 0.95);
  EXPECT_EQ(numeric_attr<double>(g.id, "t_quantile", H5T_NATIVE_DOUBLE), student_t_quantile(0.975, 4));
  EXPECT_EQ(numeric_attr<std::int32_t>(g.id, "bootstrap_resamples", H5T_NATIVE_INT32), 2000);
  EXPECT_NE(string_attr(g.id, "figure_units").find("net_income=currency"), std::string::npos);
  EXPECT_EQ(string_attr(g.id, "columns"), "scenario,policy,figure,month,unit,value,se,diff,diff_lo,diff_hi,pairing_ratio");

  // 17 horizon figures + 4 overdue figures at months 2 and 3, for 4 combos.
  const std::size_t per_combo = c.combos[0].values.size();
  ASSERT_EQ(per_combo, 17u + 4u * 2u);
  const std::size_t rows = 4 * per_combo;
  struct Column {
    const char* name;
    H5T_class_t cls;
    const char* units;
  };
  const Column columns[] = {{"scenario", H5T_STRING, "none"}, {"policy", H5T_STRING, "none"},
                            {"figure", H5T_STRING, "none"},   {"month", H5T_INTEGER, "month"},
                            {"unit", H5T_STRING, "none"},     {"value", H5T_FLOAT, "mixed"},
                            {"se", H5T_FLOAT, "mixed"},       {"diff", H5T_FLOAT, "mixed"},
                            {"diff_lo", H5T_FLOAT, "mixed"},  {"diff_hi", H5T_FLOAT, "mixed"},
                            {"pairing_ratio", H5T_FLOAT, "none"}};
  for (const Column& col : columns) {
    const DatasetFacts d = facts(f.id, std::string("/comparison/") + col.name);
    EXPECT_EQ(d.shape, std::vector<hsize_t>{rows}) << col.name;
    EXPECT_EQ(d.type_class, col.cls) << col.name;
    EXPECT_EQ(d.units, col.units) << col.name;
    EXPECT_EQ(d.dims, "row") << col.name;
  }
  const auto scenario = read_strings(f.id, "/comparison/scenario", rows);
  const auto policy = read_strings(f.id, "/comparison/policy", rows);
  const auto figure = read_strings(f.id, "/comparison/figure", rows);
  const auto unit = read_strings(f.id, "/comparison/unit", rows);
  const auto month = read_all<std::int32_t>(f.id, "/comparison/month", H5T_NATIVE_INT32, rows);
  const auto value = read_all<double>(f.id, "/comparison/value", H5T_NATIVE_DOUBLE, rows);
  const auto diff_hi = read_all<double>(f.id, "/comparison/diff_hi", H5T_NATIVE_DOUBLE, rows);
  const auto ratio = read_all<double>(f.id, "/comparison/pairing_ratio", H5T_NATIVE_DOUBLE, rows);
  for (std::size_t i = 0; i < rows; ++i) {
    const PolicyComparison& pc = c.combos[i / per_combo];
    const ComparedValue& v = pc.values[i % per_combo];
    EXPECT_EQ(scenario[i], pc.scenario) << i;
    EXPECT_EQ(policy[i], pc.policy) << i;
    EXPECT_EQ(figure[i], compare_figures()[v.figure].name) << i;
    EXPECT_EQ(unit[i], compare_figures()[v.figure].unit) << i;
    EXPECT_EQ(month[i], v.month) << i;
    EXPECT_EQ(value[i], v.value.value) << i;
    EXPECT_TRUE(diff_hi[i] == v.vs_baseline.hi || (std::isnan(diff_hi[i]) && std::isnan(v.vs_baseline.hi))) << i;
    EXPECT_TRUE(ratio[i] == v.vs_baseline.pairing_ratio ||
                (std::isnan(ratio[i]) && std::isnan(v.vs_baseline.pairing_ratio)))
        << i;
  }
  EXPECT_EQ(figure[per_combo - 1], "temp_limit_months");
  EXPECT_EQ(month[per_combo - 1], 0);
}

TEST_F(H5IoTest, RoundTripOfWeightsBandsAndRegions) {
  const RunResults r = weighted_results();
  const std::string path = (dir_ / "weighted.h5").string();
  write_results_h5(r, compute_summary(r), compute_comparison(r), path);
  const RunResults back = read_results_h5(path);
  expect_equal(back, r);
  // What summary and compare compute from the file is what the run computed.
  const Summary a = compute_summary(r), b = compute_summary(back);
  EXPECT_TRUE(b.weighted);
  EXPECT_EQ(a.combos[1].tail[2].es, b.combos[1].tail[2].es);
  EXPECT_EQ(a.combos[1].by_region.var[0], b.combos[1].by_region.var[0]);
}

TEST_F(H5IoTest, TailRiskContributionsConvergenceAndStressAreStored) {
  const RunResults r = weighted_results();
  const Summary s = compute_summary(r, {2});
  const Comparison c = compute_comparison(r);
  const std::string path = (dir_ / "risk.h5").string();
  write_results_h5(r, s, c, path);

  Id f{H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose};
  ASSERT_GE(f.id, 0);
  EXPECT_EQ(numeric_attr<double>(f.id, "importance_shift", H5T_NATIVE_DOUBLE), 0.75);
  const std::string combo = "/results/severe recession/raise%2F10%25";
  const std::string sum = combo + "/summary";
  struct Expect {
    std::string path;
    std::vector<hsize_t> shape;
    const char* units;
    const char* dims;
  };
  const Expect expected[] = {
      {"/paths/weight", {5}, "none", "path"},
      {"/segments/band_names", {1}, "none", "band"},
      {"/segments/region_names", {2}, "none", "region"},
      {"/segments/segment_band", {2}, "none", "segment"},
      {"/segments/segment_region", {2}, "none", "segment"},
      {sum + "/tail/es_lo", {3}, "currency", "level"},
      {sum + "/tail/es_hi", {3}, "currency", "level"},
      {sum + "/contributions/var_rank", {3}, "none", "level"},
      {sum + "/contributions/var_window_first", {3}, "none", "level"},
      {sum + "/contributions/segment/expected_loss", {2}, "currency", "segment"},
      {sum + "/contributions/segment/var", {3, 2}, "currency", "level,segment"},
      {sum + "/contributions/band/unexpected_loss", {1}, "currency", "band"},
      {sum + "/contributions/band/es", {3, 1}, "currency", "level,band"},
      {sum + "/contributions/region/es", {3, 2}, "currency", "level,region"},
      {sum + "/convergence/paths", {1}, "none", "point"},  // P = 5 < 10: one point, P itself
      {sum + "/convergence/expected_loss_lo", {1}, "currency", "point"},
      {sum + "/convergence/var", {1, 3}, "currency", "point,level"},
      {sum + "/convergence/es_hi", {1, 3}, "currency", "point,level"},
      {"/stress/diff", {4 * c.stress[0].values.size()}, "mixed", "row"},
      {"/stress/scenario", {4 * c.stress[0].values.size()}, "none", "row"},
  };
  for (const Expect& e : expected) {
    const DatasetFacts d = facts(f.id, e.path);
    EXPECT_EQ(d.shape, e.shape) << e.path;
    EXPECT_EQ(d.units, e.units) << e.path;
    EXPECT_EQ(d.dims, e.dims) << e.path;
  }
  EXPECT_EQ(read_all<double>(f.id, "/paths/weight", H5T_NATIVE_DOUBLE, 5), r.path_weight);
  EXPECT_EQ(read_strings(f.id, "/segments/region_names", 2), (std::vector<std::string>{"east", "west"}));
  EXPECT_EQ(read_all<std::int32_t>(f.id, "/segments/segment_region", H5T_NATIVE_INT32, 2),
            (std::vector<std::int32_t>{0, 1}));

  const ComboSummary& cs = s.combos[3];
  Id g{H5Gopen2(f.id, sum.c_str(), H5P_DEFAULT), H5Gclose};
  EXPECT_EQ(numeric_attr<double>(g.id, "expected_loss_lo", H5T_NATIVE_DOUBLE), cs.expected_loss_ci.lo);
  EXPECT_EQ(numeric_attr<double>(g.id, "unexpected_loss_hi", H5T_NATIVE_DOUBLE), cs.unexpected_loss_ci.hi);
  EXPECT_EQ(numeric_attr<std::int32_t>(g.id, "weighted", H5T_NATIVE_INT32), 1);
  EXPECT_EQ(string_attr(g.id, "var_ci_method"), "bootstrap_percentile");
  const auto es_lo = read_all<double>(f.id, sum + "/tail/es_lo", H5T_NATIVE_DOUBLE, 3);
  for (int l = 0; l < 3; ++l) EXPECT_EQ(es_lo[l], cs.tail[l].es_lo) << l;
  // Contributions: [level][unit], and they add up to the stored tail figures.
  const auto var_region = read_all<double>(f.id, sum + "/contributions/region/var", H5T_NATIVE_DOUBLE, 6);
  const auto var = read_all<double>(f.id, sum + "/tail/var", H5T_NATIVE_DOUBLE, 3);
  for (int l = 0; l < 3; ++l) {
    EXPECT_EQ(var_region[l * 2], cs.by_region.var[l][0]);
    EXPECT_EQ(var_region[l * 2 + 1], cs.by_region.var[l][1]);
    EXPECT_NEAR(var_region[l * 2] + var_region[l * 2 + 1], var[l], 1e-9 * std::fabs(var[l]));
  }
  const auto ul_band = read_all<double>(f.id, sum + "/contributions/band/unexpected_loss", H5T_NATIVE_DOUBLE, 1);
  EXPECT_NEAR(ul_band[0], cs.unexpected_loss.value, 1e-9 * cs.unexpected_loss.value);
  EXPECT_EQ(read_all<std::int64_t>(f.id, sum + "/convergence/paths", H5T_NATIVE_INT64, 1),
            std::vector<std::int64_t>{5});
  const auto conv_es = read_all<double>(f.id, sum + "/convergence/es", H5T_NATIVE_DOUBLE, 3);
  for (int l = 0; l < 3; ++l) EXPECT_EQ(conv_es[l], cs.tail[l].es);

  // /stress: the stress view as a tidy table, like /comparison.
  Id st{H5Gopen2(f.id, "/stress", H5P_DEFAULT), H5Gclose};
  ASSERT_GE(st.id, 0);
  EXPECT_EQ(string_attr(st.id, "baseline_scenario"), "baseline");
  EXPECT_EQ(string_attr(st.id, "columns"), "scenario,policy,figure,month,unit,value,se,diff,diff_lo,diff_hi,pairing_ratio");
  const std::size_t per = c.stress[0].values.size(), rows = 4 * per;
  const auto scenario = read_strings(f.id, "/stress/scenario", rows);
  const auto figure = read_strings(f.id, "/stress/figure", rows);
  const auto diff = read_all<double>(f.id, "/stress/diff", H5T_NATIVE_DOUBLE, rows);
  for (std::size_t i = 0; i < rows; ++i) {
    const PolicyComparison& pc = c.stress[i / per];
    EXPECT_EQ(scenario[i], pc.scenario) << i;
    EXPECT_EQ(figure[i], compare_figures()[pc.values[i % per].figure].name) << i;
    EXPECT_EQ(diff[i], pc.values[i % per].vs_baseline.diff) << i;
  }
}

TEST_F(H5IoTest, ReadsSchemaOnePointOneFiles) {
  // A 1.1 file: no weights, no bands or regions, no importance_shift.
  const RunResults r = sample_results();
  const std::string path = (dir_ / "old.h5").string();
  write_results_h5(r, compute_summary(r), compute_comparison(r), path);
  {
    Id f{H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), H5Fclose};
    ASSERT_GE(H5Ldelete(f.id, "/paths", H5P_DEFAULT), 0);
    for (const char* d : {"band_names", "region_names", "segment_band", "segment_region"})
      ASSERT_GE(H5Ldelete(f.id, (std::string("/segments/") + d).c_str(), H5P_DEFAULT), 0);
    ASSERT_GE(H5Adelete(f.id, "importance_shift"), 0);
    // The income-shock metrics are new in 1.2 too.
    for (const auto& s : r.scenario_names)
      for (const auto& p : r.policy_names)
        for (const char* group : {"monthly", "by_segment"})
          for (const char* m : {"shock_start_count", "shocked_count"}) {
            auto enc = [](const std::string& n) {  // group names percent-encode '%' and '/' (hdf5-schema.md)
              std::string o;
              for (char ch : n) o += ch == '%' ? "%25" : ch == '/' ? "%2F" : std::string(1, ch);
              return o;
            };
            const std::string d = "/results/" + enc(s) + "/" + enc(p) + "/" + group + "/" + m;
            ASSERT_GE(H5Ldelete(f.id, d.c_str(), H5P_DEFAULT), 0) << d;
          }
  }
  set_root_string_attr(path, "schema_version", "1.1");
  const RunResults back = read_results_h5(path);
  EXPECT_EQ(back.path_weight, std::vector<double>(5, 1.0));
  EXPECT_EQ(back.band_names, r.segment_names);
  EXPECT_EQ(back.region_names, std::vector<std::string>{"all"});
  EXPECT_EQ(back.segment_band, (std::vector<std::int32_t>{0, 1}));
  EXPECT_EQ(back.segment_region, (std::vector<std::int32_t>{0, 0}));
  EXPECT_EQ(back.meta.importance_shift, 0.0);
  // Every sum reads back except the shock metrics, which read as 0 (a 1.1 run had no shocks).
  for (std::size_t k = 0; k < r.combos.size(); ++k) {
    std::vector<std::int64_t> expect = r.combos[k].sums;
    for (std::size_t i = 0; i < expect.size(); i += kNumMetrics) expect[i + kShockStartCount] = expect[i + kShockedCount] = 0;
    EXPECT_TRUE(back.combos[k].sums == expect) << k;
  }
  // The same file as 1.2 is missing what 1.2 requires, and the error names it.
  set_root_string_attr(path, "schema_version", "1.2");
  try {
    read_results_h5(path);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("importance_shift"), std::string::npos) << e.what();
  }
}

TEST_F(H5IoTest, MissingOrBadWeightsAreNamed) {
  const RunResults r = weighted_results();
  const std::string path = (dir_ / "run.h5").string();
  write_results_h5(r, compute_summary(r), compute_comparison(r), path);
  {
    Id f{H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), H5Fclose};
    ASSERT_GE(H5Ldelete(f.id, "/paths/weight", H5P_DEFAULT), 0);
  }
  try {
    read_results_h5(path);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/paths/weight"), std::string::npos) << e.what();
  }
  RunResults bad = weighted_results();
  bad.path_weight[2] = -1.0;
  EXPECT_THROW(write_results_h5(bad, compute_summary(r), compute_comparison(r), path), std::runtime_error);
}

TEST_F(H5IoTest, FileWithoutTheComparisonInputsIsRefused) {
  const RunResults r = sample_results();
  const std::string path = (dir_ / "run.h5").string();
  write_results_h5(r, compute_summary(r), compute_comparison(r), path);
  {
    Id f{H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), H5Fclose};
    ASSERT_GE(H5Adelete(f.id, "cost_of_funds"), 0);
  }
  try {
    read_results_h5(path);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("no attribute 'cost_of_funds'"), std::string::npos) << what;
    EXPECT_NE(what.find(path), std::string::npos) << what;
  }
}

TEST_F(H5IoTest, MonthlyDatasetsAreChunkedAndCompressed) {
  const RunResults r = sample_results();
  const std::string path = (dir_ / "chunks.h5").string();
  write_results_h5(r, compute_summary(r), compute_comparison(r), path);
  Id f{H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose};
  Id d{H5Dopen2(f.id, "/results/baseline/current/by_segment/bucket_count", H5P_DEFAULT), H5Dclose};
  Id plist{H5Dget_create_plist(d.id), H5Pclose};
  ASSERT_EQ(H5Pget_layout(plist.id), H5D_CHUNKED);
  hsize_t chunk[4] = {};
  ASSERT_EQ(H5Pget_chunk(plist.id, 4, chunk), 4);
  EXPECT_EQ(chunk[0], 5u);  // min(P, 256) at this size
  EXPECT_EQ(chunk[1], 3u);
  if (H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0) {
    unsigned flags = 0, level = 0;
    size_t n = 1;
    EXPECT_GE(H5Pget_filter_by_id2(plist.id, H5Z_FILTER_DEFLATE, &flags, &n, &level, 0, nullptr, nullptr), 0);
    EXPECT_EQ(level, 4u);
  }
}

TEST_F(H5IoTest, CreatesMissingParentFolders) {
  const RunResults r = sample_results();
  const std::string path = (dir_ / "a" / "b" / "run.h5").string();
  write_results_h5(r, compute_summary(r), compute_comparison(r), path);
  expect_equal(read_results_h5(path), r);
}

TEST_F(H5IoTest, OverwritingReplacesTheFile) {
  const std::string path = (dir_ / "run.h5").string();
  const RunResults first = sample_results(0), second = sample_results(7);
  write_results_h5(first, compute_summary(first), compute_comparison(first), path);
  write_results_h5(second, compute_summary(second), compute_comparison(second), path);
  expect_equal(read_results_h5(path), second);
  EXPECT_EQ(leftovers(), std::vector<std::string>{"run.h5"});
}

TEST_F(H5IoTest, TargetThatIsAFolderFailsAndLeavesNoTemporary) {
  const RunResults r = sample_results();
  const fs::path target = dir_ / "taken";
  fs::create_directories(target / "inside");
  try {
    write_results_h5(r, compute_summary(r), compute_comparison(r), target.string());
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(target.string()), std::string::npos) << e.what();
  }
  EXPECT_EQ(leftovers(), (std::vector<std::string>{"taken", "taken/inside"}));
}

TEST_F(H5IoTest, ParentThatIsAFileFailsAndCreatesNothing) {
  const RunResults r = sample_results();
  const fs::path blocker = dir_ / "blocker";
  { std::FILE* fp = std::fopen(blocker.c_str(), "w"); ASSERT_NE(fp, nullptr); std::fclose(fp); }
  const std::string path = (blocker / "sub" / "run.h5").string();
  EXPECT_THROW(write_results_h5(r, compute_summary(r), compute_comparison(r), path), std::runtime_error);
  EXPECT_EQ(leftovers(), std::vector<std::string>{"blocker"});
  EXPECT_EQ(fs::file_size(blocker), 0u);
}

TEST_F(H5IoTest, FailureKeepsThePreviousFile) {
  const std::string path = (dir_ / "run.h5").string();
  const RunResults good = sample_results();
  write_results_h5(good, compute_summary(good), compute_comparison(good), path);
  RunResults bad = sample_results(3);
  const Summary bad_summary = compute_summary(bad);
  const Comparison bad_comparison = compute_comparison(bad);
  bad.combos.pop_back();  // no longer scenarios x policies
  EXPECT_THROW(write_results_h5(bad, bad_summary, bad_comparison, path), std::runtime_error);
  expect_equal(read_results_h5(path), good);
  EXPECT_EQ(leftovers(), std::vector<std::string>{"run.h5"});
}

TEST_F(H5IoTest, RefusesInconsistentInputs) {
  RunResults r = sample_results();
  const Summary s = compute_summary(r);
  const Comparison c = compute_comparison(r);
  const std::string path = (dir_ / "x.h5").string();
  RunResults dup = r;
  dup.policy_names[1] = dup.policy_names[0];
  dup.combos[1].policy = dup.policy_names[0];
  dup.combos[3].policy = dup.policy_names[0];
  EXPECT_THROW(write_results_h5(dup, s, c, path), std::runtime_error);
  EXPECT_THROW(write_results_h5(r, Summary{}, c, path), std::runtime_error);
  EXPECT_THROW(write_results_h5(r, s, Comparison{}, path), std::runtime_error);
  RunResults other_rate = r;
  other_rate.meta.cost_of_funds = std::numeric_limits<double>::infinity();
  EXPECT_THROW(write_results_h5(other_rate, s, c, path), std::runtime_error);
  RunResults short_sums = r;
  short_sums.combos[2].sums.pop_back();
  EXPECT_THROW(write_results_h5(short_sums, s, c, path), std::runtime_error);
  EXPECT_TRUE(leftovers().empty());
}

TEST_F(H5IoTest, ReadErrorsNameTheFile) {
  const std::string missing = (dir_ / "missing.h5").string();
  try {
    read_results_h5(missing);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(missing), std::string::npos) << e.what();
  }

  const std::string empty = (dir_ / "empty.h5").string();
  { Id f{H5Fcreate(empty.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose}; }
  try {
    read_results_h5(empty);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("not a limitsim result file"), std::string::npos) << e.what();
  }
}

TEST_F(H5IoTest, SchemaMajorVersionIsChecked) {
  const RunResults r = sample_results();
  const std::string path = (dir_ / "run.h5").string();
  write_results_h5(r, compute_summary(r), compute_comparison(r), path);
  set_root_string_attr(path, "schema_version", "1.7");  // a later minor version still reads
  expect_equal(read_results_h5(path), r);
  set_root_string_attr(path, "schema_version", "2.0");
  try {
    read_results_h5(path);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("schema_version 2.0 is not supported"), std::string::npos) << what;
    EXPECT_NE(what.find(path), std::string::npos) << what;
  }
}

TEST_F(H5IoTest, MissingDatasetIsNamed) {
  const RunResults r = sample_results();
  const std::string path = (dir_ / "run.h5").string();
  write_results_h5(r, compute_summary(r), compute_comparison(r), path);
  {
    Id f{H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), H5Fclose};
    ASSERT_GE(H5Ldelete(f.id, "/results/baseline/current/by_segment/spend", H5P_DEFAULT), 0);
  }
  try {
    read_results_h5(path);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/results/baseline/current/by_segment/spend"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace limitsim
