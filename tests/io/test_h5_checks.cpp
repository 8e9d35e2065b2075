// Result files checked on read (src/io/h5_checks.cpp and the reader's bounds): a damaged or forged file
// is refused naming the dataset and the element, never summarised into impossible figures.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "src/analysis/summary.hpp"
#include "tests/io/h5io_fixture.hpp"

namespace limitsim {
namespace {

using namespace h5io_test;

const char* kActiveDs = "/results/baseline/current/by_segment/active";
const char* kBucketDs = "/results/baseline/current/by_segment/bucket_count";

class H5ChecksTest : public H5IoTest {
 protected:
  void SetUp() override {
    H5IoTest::SetUp();
    r_ = sample_results();
    path_ = (dir_ / "run.h5").string();
    write_results_h5(r_, compute_summary(r_), compute_comparison(r_), path_);
  }

  // Sets element `index` (row-major) of an integer dataset.
  void set(const std::string& ds, const std::vector<hsize_t>& index, std::int64_t v) {
    Id f{H5Fopen(path_.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), H5Fclose};
    Id d{H5Dopen2(f.id, ds.c_str(), H5P_DEFAULT), H5Dclose};
    ASSERT_GE(d.id, 0) << ds;
    Id space{H5Dget_space(d.id), H5Sclose};
    const std::vector<hsize_t> one(index.size(), 1);
    ASSERT_GE(H5Sselect_hyperslab(space.id, H5S_SELECT_SET, index.data(), nullptr, one.data(), nullptr), 0);
    Id mem{H5Screate(H5S_SCALAR), H5Sclose};
    ASSERT_GE(H5Dwrite(d.id, H5T_NATIVE_INT64, mem.id, space.id, H5P_DEFAULT, &v), 0);
  }

  std::int64_t get(const std::string& ds, const std::vector<hsize_t>& index) {
    Id f{H5Fopen(path_.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose};
    Id d{H5Dopen2(f.id, ds.c_str(), H5P_DEFAULT), H5Dclose};
    Id space{H5Dget_space(d.id), H5Sclose};
    const std::vector<hsize_t> one(index.size(), 1);
    H5Sselect_hyperslab(space.id, H5S_SELECT_SET, index.data(), nullptr, one.data(), nullptr);
    Id mem{H5Screate(H5S_SCALAR), H5Sclose};
    std::int64_t v = 0;
    H5Dread(d.id, H5T_NATIVE_INT64, mem.id, space.id, H5P_DEFAULT, &v);
    return v;
  }

  void set_int_attr(const char* name, std::int32_t v) {
    Id f{H5Fopen(path_.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), H5Fclose};
    Id a{H5Aopen(f.id, name, H5P_DEFAULT), H5Aclose};
    ASSERT_GE(H5Awrite(a.id, H5T_NATIVE_INT32, &v), 0);
  }

  // The reader's error; fails the test when the file is accepted.
  std::string error() {
    try {
      read_results_h5(path_);
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    ADD_FAILURE() << "the file was accepted";
    return "";
  }

  RunResults r_;
  std::string path_;
};

TEST_F(H5ChecksTest, TheUntouchedFileReads) { expect_equal(read_results_h5(path_), r_); }

// `summary` printed -30 active accounts.
TEST_F(H5ChecksTest, NegativeCountIsRefusedNamingTheElement) {
  set(kActiveDs, {2, 1, 0}, -30);
  const std::string msg = error();
  EXPECT_NE(msg.find("HDF5 file '" + path_ + "'"), std::string::npos) << msg;
  EXPECT_NE(msg.find(std::string("dataset '") + kActiveDs + "' at [2,1,0]: -30 accounts: a count cannot be negative"),
            std::string::npos)
      << msg;
}

// `summary` printed an overdue share of 86,627,674%.
TEST_F(H5ChecksTest, MoreAccountsThanCustomersIsRefused) {
  set(kBucketDs, {0, 2, 1, 3}, 346510696);
  const std::string msg = error();
  EXPECT_NE(msg.find(std::string("dataset '") + kBucketDs + "' at [0,2,1,3]: 346510696 accounts in a segment of 400 customers"),
            std::string::npos)
      << msg;
}

TEST_F(H5ChecksTest, BucketsThatDoNotAddUpToTheOpenAccountsAreRefused) {
  const std::int64_t current = get(kBucketDs, {1, 1, 0, 0});
  set(kBucketDs, {1, 1, 0, 0}, current == 0 ? 1 : current - 1);
  const std::string msg = error();
  EXPECT_NE(msg.find(std::string("dataset '") + kBucketDs + "' at [1,1,0,0]: the buckets hold"), std::string::npos) << msg;
  EXPECT_NE(msg.find("dataset 'active' says"), std::string::npos) << msg;
}

// `summary` printed an expected loss of 0.00 after an int64 overflow.
TEST_F(H5ChecksTest, MoneyThatCannotBeSummedIsRefused) {
  const std::string loss = "/results/severe recession/raise%2F10%25/by_segment/chargeoff_loss";
  set(loss, {3, 0, 0}, std::numeric_limits<std::int64_t>::max() - 5);
  set(loss, {3, 1, 1}, 1000);
  const std::string msg = error();
  EXPECT_NE(msg.find("dataset '" + loss + "' on path 3: its values add up beyond 2^63 - 1 (cents)"), std::string::npos)
      << msg;
}

TEST_F(H5ChecksTest, SegmentCustomersMustAddUpToTheRun) {
  set("/segments/customers", {1}, 401);
  EXPECT_NE(error().find("dataset '/segments/customers' at [1]: 401 customers: the segments hold more than the run's 1000"),
            std::string::npos);
  set("/segments/customers", {1}, -1);
  EXPECT_NE(error().find("a count cannot be negative"), std::string::npos);
}

TEST_F(H5ChecksTest, DatasetOfTheWrongTypeIsRefused) {
  {
    Id f{H5Fopen(path_.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), H5Fclose};
    ASSERT_GE(H5Ldelete(f.id, kActiveDs, H5P_DEFAULT), 0);
    const hsize_t dims[3] = {5, 3, 2};
    Id space{H5Screate_simple(3, dims, nullptr), H5Sclose};
    Id d{H5Dcreate2(f.id, kActiveDs, H5T_IEEE_F64LE, space.id, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose};
    const std::vector<double> nan(30, std::numeric_limits<double>::quiet_NaN());
    ASSERT_GE(H5Dwrite(d.id, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, nan.data()), 0);
  }
  EXPECT_NE(error().find(std::string("dataset '") + kActiveDs + "' is stored as float64, expected int64"),
            std::string::npos);
}

// A forged size must not reach an allocation: refused before any sum is read.
TEST_F(H5ChecksTest, ImpossibleDimensionsAreRefusedBeforeAllocating) {
  set_int_attr("paths", std::numeric_limits<std::int32_t>::max());
  EXPECT_NE(error().find("exceed what a run can have (1000000, 600, 64)"), std::string::npos);
  set_int_attr("paths", 5);
  set_int_attr("months", 601);
  EXPECT_NE(error().find("attributes paths, months, segments of '/' (5, 601, 2)"), std::string::npos);
}

// `summary` on a FIFO waited forever in the open.
TEST_F(H5ChecksTest, AFifoIsRefusedWithoutOpeningIt) {
  const std::string fifo = (dir_ / "pipe.h5").string();
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  try {
    read_results_h5(fifo);
    FAIL() << "accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "HDF5 file '" + fifo + "': a FIFO, not a result file");
  }
  try {
    read_results_h5(dir_.string());
    FAIL() << "accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("a folder, not a result file"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace limitsim
