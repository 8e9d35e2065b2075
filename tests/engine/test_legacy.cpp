// With every behaviour lever of issue 14 switched off (configs/behaviour/legacy.toml), limitsim gives the
// same sums, byte for byte, as it did before those levers existed: the digests below are of the run
// tests/engine/fixtures/legacy_compare.toml at 3,000 customers, made by limitsim at commit 61432a0 (the
// parent of the levers) and computed from its result file. The four metrics added since (reversal,
// recovery, declined_count, partial_cure_count) and the four of the living book (schema 1.5:
// applicant_count, new_account_count, runoff_count, inactive_count) are left out of the digest; with the
// levers off they are the booked recoveries and zeros (inactive_count aside: it counts open accounts
// that did not spend), which the test checks too.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>

#include "src/config/config.hpp"
#include "src/engine/engine.hpp"

using namespace limitsim;

namespace {

// FNV-1a 64 over the little-endian bytes of every (path, month, segment) cell's metrics, in metric order,
// without the metrics of schemas 1.4 and 1.5.
std::uint64_t digest(const RunResults& r, const ComboSums& c) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (std::size_t cell = 0; cell < c.sums.size(); cell += kNumMetrics)
    for (int m = 0; m < kNumMetrics; ++m) {
      if (m == kReversal || m == kRecovery || m == kDeclinedCount || m == kPartialCureCount) continue;
      if (m == kApplicantCount || m == kNewAccountCount || m == kRunoffCount || m == kInactiveCount) continue;
      const std::uint64_t v = static_cast<std::uint64_t>(c.sums[cell + static_cast<std::size_t>(m)]);
      for (int b = 0; b < 8; ++b) {
        h ^= (v >> (8 * b)) & 0xffu;
        h *= 0x100000001b3ull;
      }
    }
  (void)r;
  return h;
}

TEST(Legacy, LeversOffGiveTheSumsOfLimitsimBeforeThem) {
  RunConfig cfg = load_run_config(LIMITSIM_SOURCE_DIR "/tests/engine/fixtures/legacy_compare.toml");
  Overrides o;
  o.customers = 3000;
  apply_overrides(cfg, o);
  auto backend = make_cpu_backend(2);
  const RunResults r = run_simulation(cfg, *backend);
  const std::pair<const char*, std::uint64_t> expect[] = {{"static", 0x967e2faf0bec9818ull},
                                                          {"conservative", 0x7cf5207fcfb0a84aull},
                                                          {"growth", 0x5a76f0e58cc22108ull},
                                                          {"lender_rules", 0xa51d5c3ea8e24c41ull}};
  ASSERT_EQ(r.combos.size(), 4u);
  for (std::size_t k = 0; k < 4; ++k) {
    EXPECT_EQ(r.combos[k].policy, expect[k].first);
    EXPECT_EQ(digest(r, r.combos[k]), expect[k].second) << expect[k].first;
    for (std::size_t cell = 0; cell < r.combos[k].sums.size(); cell += kNumMetrics) {
      const std::int64_t* v = r.combos[k].sums.data() + cell;
      EXPECT_EQ(v[kRecovery], v[kChargeoffRecovery]);
      EXPECT_EQ(v[kReversal] + v[kDeclinedCount] + v[kPartialCureCount], 0);
      EXPECT_EQ(v[kApplicantCount] + v[kNewAccountCount] + v[kRunoffCount], 0);
      EXPECT_LE(v[kInactiveCount], v[kActive]);
    }
  }
}

}  // namespace
