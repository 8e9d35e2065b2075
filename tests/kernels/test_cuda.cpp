// GPU tests (ctest label "gpu"): the same cases on the CUDA backend, compared
// with the CPU backend. Skipped where the build has no CUDA backend or the
// machine has no GPU.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "kernels/backend.hpp"
#include "kernels/rng.hpp"
#include "src/config/config.hpp"
#include "src/engine/engine.hpp"

using namespace limitsim;

namespace {

bool gpu_present() {
  bool ok = false;
  cuda_device_description(&ok);
  return ok;
}

// The four shipped policies: every lever runs on both backends.
RunConfig gpu_config() {
  RunConfig cfg = load_run_config(LIMITSIM_SOURCE_DIR "/configs/compare_policies.toml");
  Overrides o;
  o.customers = 20000;
  o.paths = 8;
  o.months = 24;
  apply_overrides(cfg, o);
  return cfg;
}

#define REQUIRE_GPU()                                                                    \
  do {                                                                                   \
    if (!cuda_built()) GTEST_SKIP() << "this build has no CUDA backend";                 \
    if (!gpu_present()) GTEST_SKIP() << "no CUDA device on this machine";                \
  } while (0)

TEST(Cuda, BackendWithoutDeviceIsAClearError) {
  if (gpu_present()) GTEST_SKIP() << "a GPU is present";
  try {
    make_cuda_backend();
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("--backend cuda"), std::string::npos) << e.what();
  }
}

// CPU and GPU sums agree cell by cell (up to last-ulp threshold decisions) and in total.
void expect_backends_agree(const RunResults& a, const RunResults& b) {
  ASSERT_EQ(a.combos.size(), b.combos.size());
  EXPECT_EQ(a.path_weight, b.path_weight);  // host-side: identical
  for (std::size_t k = 0; k < a.combos.size(); ++k) {
    const std::string pair = a.combos[k].scenario + " / " + a.combos[k].policy;
    const auto& x = a.combos[k].sums;
    const auto& y = b.combos[k].sums;
    ASSERT_EQ(x.size(), y.size());
    std::size_t same = 0;
    for (std::size_t i = 0; i < x.size(); ++i) same += x[i] == y[i];
    // Identical draws and IEEE arithmetic (no FMA contraction) give identical
    // decisions except where log/exp/pow differ in the last ulp at a threshold.
    EXPECT_GE(static_cast<double>(same) / x.size(), 0.999) << pair << ": " << same << " of " << x.size()
                                                           << " cells identical";
    for (int m : {kActive, kBalance, kChargeoffLoss, kSpend, kLimit, kLimitIncreaseCount, kTriggerIncreaseCount,
                  kLimitDecreaseCount, kTempLimitAmount, kSignalCount, kDrawCount, kInterest, kShockStartCount,
                  kShockedCount}) {
      double sa = 0, sb = 0;
      for (int p = 0; p < a.paths; ++p)
        for (int t = 0; t < a.months; ++t) {
          sa += a.portfolio(a.combos[k], p, t, m);
          sb += b.portfolio(b.combos[k], p, t, m);
        }
      EXPECT_NEAR(sa, sb, 1e-4 * std::fabs(sa) + 1) << pair << " " << metric_info(m).name;
    }
  }
}

TEST(Cuda, MatchesCpuBackend) {
  REQUIRE_GPU();
  const RunConfig cfg = gpu_config();
  auto cpu = make_cpu_backend(0);
  auto gpu = make_cuda_backend();
  expect_backends_agree(run_simulation(cfg, *cpu), run_simulation(cfg, *gpu));
}

// Scenarios x policies in one launch (grid z), with regional AR(1) factors,
// income shocks, LGD multipliers, an unemployment-driven scenario and
// importance sampling.
TEST(Cuda, ScenariosPoliciesAndRegionsInOneLaunchMatchTheCpu) {
  REQUIRE_GPU();
  RunConfig cfg = load_run_config(LIMITSIM_SOURCE_DIR "/configs/stress_test.toml");
  Overrides o;
  o.customers = 20000;
  o.paths = 6;
  o.importance_shift = 2.0;
  apply_overrides(cfg, o);
  cfg.population.region_names = {"east", "west", "north"};
  cfg.population.region_shares = {0.5, 0.3, 0.2};
  cfg.behaviour.regions = 3;
  cfg.behaviour.factor_ar1 = 0.5;
  cfg.behaviour.factor_correlation_matrix = {{1, 0.6, 0.4}, {0.6, 1, 0.5}, {0.4, 0.5, 1}};
  auto cpu = make_cpu_backend(0);
  auto gpu = make_cuda_backend();
  expect_backends_agree(run_simulation(cfg, *cpu), run_simulation(cfg, *gpu));
}

// Batches stream through two device slots with the sums kept on the device:
// any batch size gives the same bits, including batches smaller than a block.
TEST(Cuda, BitIdenticalAcrossBatchSizes) {
  REQUIRE_GPU();
  RunConfig cfg = gpu_config();
  auto gpu = make_cuda_backend();
  const RunResults a = run_simulation(cfg, *gpu);
  for (std::int64_t batch : {3333, 100, 20000}) {
    cfg.batch_size = batch;
    const RunResults b = run_simulation(cfg, *gpu);
    for (std::size_t k = 0; k < a.combos.size(); ++k)
      EXPECT_EQ(a.combos[k].sums, b.combos[k].sums) << a.policy_names[k % a.policy_names.size()] << ", batch " << batch;
  }
}

// The register budget of the kernel (LIMITSIM_CUDA_MIN_BLOCKS) changes the
// schedule, not the bits.
TEST(Cuda, BitIdenticalAcrossRegisterBudgets) {
  REQUIRE_GPU();
  const RunConfig cfg = gpu_config();
  std::vector<RunResults> runs;
  for (const char* b : {"1", "2", "4"}) {
    setenv("LIMITSIM_CUDA_MIN_BLOCKS", b, 1);
    auto gpu = make_cuda_backend();
    runs.push_back(run_simulation(cfg, *gpu));
  }
  unsetenv("LIMITSIM_CUDA_MIN_BLOCKS");
  for (std::size_t r = 1; r < runs.size(); ++r)
    for (std::size_t k = 0; k < runs[0].combos.size(); ++k) EXPECT_EQ(runs[0].combos[k].sums, runs[r].combos[k].sums);
}

// cuRAND's Philox4_32_10 device API, keyed as rng.hpp says (both the stateful
// curand_init + curand4 and the bijection KeyedPhilox uses on the device),
// gives exactly the portable generator's blocks: the two backends draw the
// same numbers.
TEST(Cuda, KeyedPhiloxMatchesTheCpuGenerator) {
  REQUIRE_GPU();
  const std::vector<std::uint64_t> ids = {0, 1, 2, 12345, 0xFFFFFFFFull, 0x100000000ull, 0xDEADBEEFCAFEull,
                                          ~std::uint64_t{0}};
  for (std::uint64_t seed : {std::uint64_t{0}, std::uint64_t{20261123}, ~std::uint64_t{0} - 7}) {
    for (std::uint32_t path : {0u, 1u, 999u}) {
      for (std::uint32_t stream : {kStreamPopulation, kStreamCustomerMonth, kStreamSystematic}) {
        const int blocks = 75;  // beyond a month's two: the counter carries across words
        std::vector<Block4> curand;
        const std::vector<Block4> gpu = cuda_keyed_blocks(seed, ids, path, stream, blocks, &curand);
        for (std::size_t i = 0; i < ids.size(); ++i) {
          KeyedPhilox cpu(seed, ids[i], path, stream);
          for (int b = 0; b < blocks; ++b) {
            const Block4 x = cpu.next();
            const Block4& y = gpu[i * blocks + static_cast<std::size_t>(b)];
            const Block4& z = curand[i * blocks + static_cast<std::size_t>(b)];
            ASSERT_TRUE(x.x == y.x && x.y == y.y && x.z == y.z && x.w == y.w)
                << "KeyedPhilox on the device: seed " << seed << " id " << ids[i] << " path " << path << " stream "
                << stream << " block " << b;
            ASSERT_TRUE(x.x == z.x && x.y == z.y && x.z == z.z && x.w == z.w)
                << "curand_init + curand4: seed " << seed << " id " << ids[i] << " path " << path << " stream "
                << stream << " block " << b;
          }
        }
      }
    }
  }
}

// The RNG-only roofline folds the same draws into the same checksum on both backends.
TEST(Cuda, RngOnlyRooflineChecksumMatchesTheCpu) {
  REQUIRE_GPU();
  auto cpu = make_cpu_backend(0);
  auto gpu = make_cuda_backend();
  double s = 0.0;
  EXPECT_EQ(cpu->rng_only(7, 5000, 3, 36, &s), gpu->rng_only(7, 5000, 3, 36, &s));
  EXPECT_GT(s, 0.0);
}

}  // namespace
