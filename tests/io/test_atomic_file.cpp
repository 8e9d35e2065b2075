// Result files published atomically (src/io/atomic_file.cpp): parent folders created, files replaced whole, and
// failures that leave nothing behind.
#include <gtest/gtest.h>

#include "tests/io/h5io_fixture.hpp"

namespace limitsim {
namespace {

using namespace h5io_test;

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

}  // namespace
}  // namespace limitsim
