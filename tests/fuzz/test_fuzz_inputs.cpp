// Every saved fuzz input (fuzz/regressions/HARNESS/: inputs that crashed a harness once, and
// fuzz/seeds/HARNESS/) and every shipped config replayed through its harness (fuzz/harnesses.hpp), with
// g++ and without libFuzzer: a regression test for each finding, wherever clang is missing too.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz/harnesses.hpp"

#ifndef LIMITSIM_SOURCE_DIR
#define LIMITSIM_SOURCE_DIR "."
#endif

namespace limitsim {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> files_in(const fs::path& dir, const std::string& ext = "") {
  std::vector<fs::path> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() != ".md" && (ext.empty() || e.path().extension() == ext))
      out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

void replay(const std::string& harness, const std::vector<fs::path>& inputs) {
  const fuzz::Harness h = fuzz::harness(harness);
  ASSERT_NE(h, nullptr) << harness;
  for (const fs::path& p : inputs) {
    SCOPED_TRACE(p.string());
    std::ifstream in(p, std::ios::binary);
    const std::vector<char> bytes{std::istreambuf_iterator<char>(in), {}};
    EXPECT_EQ(h(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()), 0);
  }
}

const fs::path kRoot = LIMITSIM_SOURCE_DIR;

class FuzzInputs : public ::testing::TestWithParam<std::string> {};

TEST_P(FuzzInputs, SavedInputsRunCleanly) {
  std::vector<fs::path> inputs = files_in(kRoot / "fuzz/regressions" / GetParam());
  for (const fs::path& p : files_in(kRoot / "fuzz/seeds" / GetParam())) inputs.push_back(p);
  replay(GetParam(), inputs);
}

INSTANTIATE_TEST_SUITE_P(Harness, FuzzInputs,
                         ::testing::Values("run_file", "policy_file", "scenario_file", "behaviour_file", "mapping_file",
                                           "csv_data", "result_file"));

// The seed corpora of fuzz/run.sh, through the same harnesses: every shipped config loads and
// reproduces itself (its effective TOML loads again), every loader test file reads or is refused.
TEST(FuzzSeeds, ShippedConfigsAndLoaderFilesRunCleanly) {
  replay("run_file", files_in(kRoot / "configs", ".toml"));
  replay("policy_file", files_in(kRoot / "configs/policies"));
  replay("scenario_file", files_in(kRoot / "configs/scenarios"));
  replay("behaviour_file", files_in(kRoot / "configs/behaviour"));
  replay("mapping_file", files_in(kRoot / "tests/data/loader", ".toml"));
  replay("csv_data", files_in(kRoot / "tests/data/loader", ".csv"));
}

}  // namespace
}  // namespace limitsim
