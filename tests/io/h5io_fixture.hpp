// Shared by the tests of src/io/: sample results, a minimal reader of HDF5 files through the C API for layout
// checks, and the H5IoTest fixture (a scratch folder).
#pragma once

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
namespace h5io_test {

namespace fs = std::filesystem;

// Fills every combo's sums with pseudo-random values a run could have written (the reader refuses
// others: src/io/h5_checks.cpp): counts in [0, the segment's customers], the buckets and the utilization
// bins partitioning the open accounts and the buckets' balances adding up to the balance, overdue
// balances >= 0; other money anywhere in +-2^42 cents. One money value per combo lies beyond 2^53 (not
// exact in a double) and one is negative, to catch any pass through floating point.
inline void fill_possible_sums(RunResults& r, std::uint64_t x) {
  auto next = [&x](std::uint64_t n) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    return n == 0 ? 0 : (x >> 17) % n;
  };
  for (auto& c : r.combos) {
    c.sums.assign(r.cells(), 0);
    for (int p = 0; p < r.paths; ++p)
      for (int t = 0; t < r.months; ++t)
        for (int g = 0; g < r.segments; ++g) {
          std::int64_t* cell = c.sums.data() + r.cell_index(p, t, g, 0);
          const auto customers = static_cast<std::uint64_t>(r.segment_customers[static_cast<std::size_t>(g)]);
          for (int m = 0; m < kNumMetrics; ++m) {
            const std::string unit = metric_info(m).unit;
            cell[m] = unit == "cents" ? static_cast<std::int64_t>(next(std::uint64_t{1} << 43)) - (std::int64_t{1} << 42)
                                      : static_cast<std::int64_t>(next(customers + 1));
          }
          std::int64_t left = cell[kActive], in_bins = cell[kActive], balance = 0;
          for (int b = kMaxBuckets - 1; b >= 0; --b) {
            cell[kBucketCount0 + b] = b == 0 ? left : static_cast<std::int64_t>(next(static_cast<std::uint64_t>(left) + 1));
            left -= cell[kBucketCount0 + b];
            if (b > 0) cell[kBucketBalance0 + b] = static_cast<std::int64_t>(next(std::uint64_t{1} << 40));
            balance += cell[kBucketBalance0 + b];
          }
          cell[kBalance] = balance;
          for (int b = kUtilBins - 1; b >= 0; --b) {
            cell[kUtilHist0 + b] = b == 0 ? in_bins : static_cast<std::int64_t>(next(static_cast<std::uint64_t>(in_bins) + 1));
            in_bins -= cell[kUtilHist0 + b];
          }
        }
    c.sums[r.cell_index(0, 0, 0, kSpend)] = (std::int64_t{1} << 62) + 1;
    c.sums[r.cell_index(r.paths - 1, 0, 0, kPayment)] = -(std::int64_t{1} << 61) - 3;
  }
}

// 5 paths x 3 months x 2 segments, 2 scenarios x 2 policies, pseudo-random sums
// with money beyond 2^53, a '/' in a policy name and UTF-8 in a segment name.
inline RunResults sample_results(std::int64_t salt = 0) {
  RunResults r;
  r.paths = 5;
  r.months = 3;
  r.segments = 2;
  r.segment_names = {"<650", "650+ \u2264 top"};
  r.segment_customers = {600, 400};
  r.scenario_names = {"baseline", "severe recession"};
  r.policy_names = {"current", "raise/10%"};
  for (const auto& s : r.scenario_names)
    for (const auto& p : r.policy_names) r.combos.push_back(ComboSums{s, p, {}});
  fill_possible_sums(r, 0x1234567 + static_cast<std::uint64_t>(salt));
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
  r.meta.pnl = {0.0125, 9900 + salt, 4550, 15000, 1725};  // every P&L parameter distinct and non-zero
  r.meta.population_kind = "file";
  r.meta.population_file = "/data/book.csv";
  r.meta.population_sha256 = std::string(64, 'a');
  r.meta.population_rows_skipped = 3;
  r.meta.mpi_ranks = 4;
  // As the engine fills them without importance sampling: segments are bands of one region.
  r.band_names = r.segment_names;
  r.region_names = {"all"};
  r.segment_band = {0, 1};
  r.segment_region = {0, 0};
  r.path_weight.assign(static_cast<std::size_t>(r.paths), 1.0);
  return r;
}

// Two regions of one score band, importance-sampling weights and a shift.
inline RunResults weighted_results() {
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

inline void expect_equal(const RunResults& a, const RunResults& b) {
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
  EXPECT_EQ(m.mpi_ranks, n.mpi_ranks);
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
  EXPECT_EQ(m.pnl.interchange_rate, n.pnl.interchange_rate);
  EXPECT_EQ(m.pnl.annual_fee, n.pnl.annual_fee);
  EXPECT_EQ(m.pnl.operating_cost, n.pnl.operating_cost);
  EXPECT_EQ(m.pnl.acquisition_cost, n.pnl.acquisition_cost);
  EXPECT_EQ(m.pnl.collection_cost, n.pnl.collection_cost);
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

inline std::string string_attr(hid_t obj, const char* name) {
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
inline T numeric_attr(hid_t obj, const char* name, hid_t mem_type) {
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

inline DatasetFacts facts(hid_t file, const std::string& path) {
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
inline std::vector<T> read_all(hid_t file, const std::string& path, hid_t mem_type, std::size_t n) {
  std::vector<T> v(n);
  Id d{H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose};
  EXPECT_GE(H5Dread(d.id, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), 0) << path;
  return v;
}

// Every dataset's path in the file.
inline std::vector<std::string> all_datasets(hid_t file) {
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

// Strings of a 1-D fixed-length string dataset.
inline std::vector<std::string> read_strings(hid_t file, const std::string& path, std::size_t n) {
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
inline void set_root_string_attr(const std::string& path, const char* name, const std::string& value) {
  Id f{H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), H5Fclose};
  ASSERT_GE(H5Adelete(f.id, name), 0);
  Id t{H5Tcopy(H5T_C_S1), H5Tclose};
  H5Tset_size(t.id, value.size() + 1);
  Id sp{H5Screate(H5S_SCALAR), H5Sclose};
  Id a{H5Acreate2(f.id, name, t.id, sp.id, H5P_DEFAULT, H5P_DEFAULT), H5Aclose};
  ASSERT_GE(H5Awrite(a.id, t.id, value.c_str()), 0);
}

}  // namespace h5io_test
}  // namespace limitsim
