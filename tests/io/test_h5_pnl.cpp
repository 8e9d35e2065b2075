// The P&L in result files (src/io/h5_pnl.cpp; docs/hdf5-schema.md, "P&L (since 1.5)"): its parameters as
// root attributes read back, each combo's pnl group holding the monthly means, and files written before
// them reading as all 0 (so their net income is what it was).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "src/analysis/pnl.hpp"
#include "src/io/h5_schema.hpp"
#include "tests/io/h5io_fixture.hpp"

namespace limitsim {
namespace {

using namespace h5io_test;

TEST_F(H5IoTest, PnlParametersAreRootAttributesAndReadBack) {
  const RunResults r = sample_results(3);
  const std::string path = (dir_ / "pnl.h5").string();
  write_results_h5(r, compute_summary(r), compute_comparison(r), path);
  {
    Id f{H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose};
    EXPECT_EQ(numeric_attr<double>(f.id, "interchange_rate", H5T_NATIVE_DOUBLE), 0.0125);
    EXPECT_EQ(numeric_attr<double>(f.id, "annual_fee", H5T_NATIVE_DOUBLE), 99.03);  // currency units
    EXPECT_EQ(numeric_attr<double>(f.id, "operating_cost", H5T_NATIVE_DOUBLE), 45.5);
    EXPECT_EQ(numeric_attr<double>(f.id, "acquisition_cost", H5T_NATIVE_DOUBLE), 150.0);
    EXPECT_EQ(numeric_attr<double>(f.id, "collection_cost", H5T_NATIVE_DOUBLE), 17.25);
  }
  expect_equal(read_results_h5(path), r);  // compares meta.pnl too
}

TEST_F(H5IoTest, EveryComboHasItsMonthlyPnl) {
  const RunResults r = weighted_results();  // weighted paths: the means are weighted like every mean over paths
  const std::string path = (dir_ / "pnl.h5").string();
  write_results_h5(r, compute_summary(r), compute_comparison(r), path);
  Id f{H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose};
  const std::size_t T = static_cast<std::size_t>(r.months);
  for (const ComboSums& c : r.combos) {
    const std::string g = h5::combo_path(c.scenario, c.policy) + "/pnl/";
    EXPECT_EQ(read_all<std::int32_t>(f.id, g + "month", H5T_NATIVE_INT32, T), (std::vector<std::int32_t>{1, 2, 3}));
    const auto expect = pnl_monthly(r, c, run_pnl_rates(r), r.path_weight);
    for (int l = 0; l < kNumPnlLines; ++l) {
      const PnlLineInfo& info = pnl_line_info(l);
      const DatasetFacts d = facts(f.id, g + info.name);
      EXPECT_EQ(d.shape, std::vector<hsize_t>{T}) << info.name;
      EXPECT_EQ(d.units, info.unit);
      EXPECT_EQ(d.dims, "month");
      const auto value = read_all<double>(f.id, g + info.name, H5T_NATIVE_DOUBLE, T);
      const auto se = read_all<double>(f.id, g + info.name + "_se", H5T_NATIVE_DOUBLE, T);
      for (std::size_t t = 0; t < T; ++t) {
        EXPECT_EQ(value[t], expect[t][static_cast<std::size_t>(l)].value) << info.name << " month " << t + 1;
        EXPECT_EQ(se[t], expect[t][static_cast<std::size_t>(l)].se) << info.name << " month " << t + 1;
      }
    }
  }
}

TEST_F(H5IoTest, FilesBeforeThePnlReadItAsZero) {
  const RunResults r = sample_results();
  const std::string path = (dir_ / "old.h5").string();
  write_results_h5(r, compute_summary(r), compute_comparison(r), path);
  {
    Id f{H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), H5Fclose};
    for (const char* a : {"interchange_rate", "annual_fee", "operating_cost", "acquisition_cost", "collection_cost"})
      ASSERT_GE(H5Adelete(f.id, a), 0) << a;
  }
  set_root_string_attr(path, "schema_version", "1.4");
  const RunResults back = read_results_h5(path);
  EXPECT_EQ(back.meta.pnl.interchange_rate, 0.0);
  EXPECT_EQ(back.meta.pnl.annual_fee, 0);
  EXPECT_EQ(back.meta.pnl.operating_cost, 0);
  EXPECT_EQ(back.meta.pnl.acquisition_cost, 0);
  EXPECT_EQ(back.meta.pnl.collection_cost, 0);
  // Their net income is revenue - net loss - cost of funds, as when they were written.
  const Comparison c = compute_comparison(back);
  for (const char* line : {"interchange", "annual_fees", "operating_cost", "acquisition_cost", "collection_cost"})
    EXPECT_EQ(c.combos[0].at(line).value.value, 0.0) << line;
  // (Per path bit for bit: Pnl.WithoutPnlParametersNetIncomeIsTodaysBitForBit; here means over paths.)
  const double before = c.combos[0].at("revenue").value.value - c.combos[0].at("net_loss").value.value -
                        c.combos[0].at("cost_of_funds").value.value;
  EXPECT_NEAR(c.combos[0].at("net_income").value.value, before, 1e-12 * std::fabs(before));
  // A 1.5 file must have them: the error names the attribute.
  set_root_string_attr(path, "schema_version", "1.5");
  try {
    read_results_h5(path);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("interchange_rate"), std::string::npos) << e.what();
  }
}

TEST_F(H5IoTest, ABadPnlParameterIsRefusedNamingIt) {
  const RunResults r = sample_results();
  const std::string path = (dir_ / "bad.h5").string();
  write_results_h5(r, compute_summary(r), compute_comparison(r), path);
  {
    Id f{H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), H5Fclose};
    Id a{H5Aopen(f.id, "collection_cost", H5P_DEFAULT), H5Aclose};
    const double bad = -3.0;
    ASSERT_GE(H5Awrite(a.id, H5T_NATIVE_DOUBLE, &bad), 0);
  }
  try {
    read_results_h5(path);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("attribute 'collection_cost' of '/' must be"), std::string::npos)
        << e.what();
  }
  // And the writer refuses what the reader would.
  RunResults w = r;
  w.meta.pnl.interchange_rate = -0.5;
  EXPECT_THROW(write_results_h5(w, compute_summary(w), compute_comparison(w), (dir_ / "w.h5").string()),
               std::exception);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "w.h5"));
}

}  // namespace
}  // namespace limitsim
