// Reading HDF5 result files back (src/io/h5_reader.cpp): older schema versions, and errors that name the file
// and what is missing or wrong.
#include <gtest/gtest.h>

#include "tests/io/h5io_fixture.hpp"
#include "src/config/config.hpp"
#include "src/engine/engine.hpp"
#include "src/analysis/summary.hpp"

namespace limitsim {
namespace {

using namespace h5io_test;

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
    // The income-shock metrics are new in 1.2 too, and the charge-off accounting metrics in 1.4.
    for (const auto& s : r.scenario_names)
      for (const auto& p : r.policy_names)
        for (const char* group : {"monthly", "by_segment"})
          for (const char* m :
               {"shock_start_count", "shocked_count", "reversal", "recovery", "declined_count", "partial_cure_count"}) {
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
  // Every sum reads back except the shock, 1.4 and 1.5 metrics, which read as 0 (a 1.1 run had no shocks,
  // reversals, declines or partial cures), and the recoveries, which are the booked ones (collected
  // in the charge-off month before 1.4).
  for (std::size_t k = 0; k < r.combos.size(); ++k) {
    std::vector<std::int64_t> expect = r.combos[k].sums;
    for (std::size_t i = 0; i < expect.size(); i += kNumMetrics) {
      expect[i + kShockStartCount] = expect[i + kShockedCount] = 0;
      expect[i + kReversal] = expect[i + kDeclinedCount] = expect[i + kPartialCureCount] = 0;
      expect[i + kApplicantCount] = expect[i + kNewAccountCount] = expect[i + kRunoffCount] = 0;
      expect[i + kInactiveCount] = 0;  // a 1.1 file has no 1.5 metrics: they read as 0
      expect[i + kRecovery] = expect[i + kChargeoffRecovery];
    }
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

TEST_F(H5IoTest, AFileBeforeSchema14ReadsAsOneRank) {
  const RunResults r = sample_results();  // mpi_ranks 4
  const std::string path = (dir_ / "run.h5").string();
  write_results_h5(r, compute_summary(r), compute_comparison(r), path);
  EXPECT_EQ(read_results_h5(path).meta.mpi_ranks, 4);
  {
    Id f{H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), H5Fclose};
    ASSERT_GE(H5Adelete(f.id, "mpi_ranks"), 0);
  }
  set_root_string_attr(path, "schema_version", "1.3");
  EXPECT_EQ(read_results_h5(path).meta.mpi_ranks, 1);
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

namespace limitsim {
namespace {

// The living book (schema 1.5): the vintage sums, the applicant volume and counts read back exactly.
TEST(H5Living, VintagesAndAcquisitionReadBack) {
  RunConfig cfg = load_run_config(LIMITSIM_SOURCE_DIR "/configs/quickstart.toml");
  Overrides o;
  o.customers = 800;
  o.paths = 2;
  o.months = 7;
  apply_overrides(cfg, o);
  cfg.acquisition.enabled = true;
  cfg.acquisition.monthly_applicants = {30, 60};
  cfg.acquisition.first_month = 2;
  auto backend = make_cpu_backend(2);
  const RunResults r = run_simulation(cfg, *backend);
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("limitsim_living_" + std::to_string(getpid()) + ".h5")).string();
  write_results_h5(r, compute_summary(r), compute_comparison(r), path);
  const RunResults back = read_results_h5(path);
  std::filesystem::remove(path);
  EXPECT_EQ(back.meta.applicants, 30 + 60 * 5);
  EXPECT_EQ(back.meta.applicant_volume, (std::vector<std::int64_t>{0, 30, 60, 60, 60, 60, 60}));
  EXPECT_FALSE(back.meta.constant_book);
  ASSERT_EQ(back.combos.size(), r.combos.size());
  for (std::size_t k = 0; k < r.combos.size(); ++k) {
    EXPECT_EQ(back.combos[k].sums, r.combos[k].sums);
    EXPECT_EQ(back.combos[k].vintages, r.combos[k].vintages);
  }
}

}  // namespace
}  // namespace limitsim
