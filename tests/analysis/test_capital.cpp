// Basel IRB capital for QRRE and economic capital (src/analysis/capital.hpp).
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "src/analysis/capital.hpp"

namespace limitsim {
namespace {

// K for QRRE (R = 0.04), worked independently of the code under test with
// Python's standard library (statistics.NormalDist, whose inv_cdf and cdf are
// not kernels/special.hpp):
//   N = NormalDist(); R = 0.04
//   x = N.inv_cdf(pd) / (1 - R) ** 0.5 + (R / (1 - R)) ** 0.5 * N.inv_cdf(0.999)
//   K = lgd * N.cdf(x) - pd * lgd
// the formula of BCBS, "An Explanatory Note on the Basel II IRB Risk Weight
// Functions" (2005), section 5, and the Basel Framework CRE31 (retail: no
// maturity adjustment). With LGD 45% these give 12.5 K = 0.98%, 2.71%, 17.22%,
// 28.92% at PD 0.03%, 0.1%, 1%, 2% (rounded).
struct Case {
  double pd, lgd, k;
};
const Case kCases[] = {
    {0.0003, 0.85, 0.0014807762902450778}, {0.001, 0.85, 0.004092924642416171},
    {0.01, 0.85, 0.02602761950251474},     {0.02, 0.75, 0.038563872409388564},
    {0.05, 0.90, 0.08759137973863945},     {0.10, 0.65, 0.09694336467882586},
    {0.20, 0.80, 0.16780095439166026},     {0.5, 0.5, 0.11795570737733929},
};

TEST(IrbQrre, KMatchesTheBaselFormulaWorkedIndependently) {
  for (const Case& c : kCases) {
    const IrbCapital k = irb_qrre(c.pd, c.lgd);
    EXPECT_NEAR(k.k, c.k, 1e-12) << c.pd << " " << c.lgd;
    EXPECT_EQ(k.pd, c.pd);
    EXPECT_NEAR(k.risk_weight, 12.5 * c.k, 1e-11);
    IrbOptions scaled;
    scaled.scaling = true;
    EXPECT_NEAR(irb_qrre(c.pd, c.lgd, scaled).risk_weight, 1.06 * 12.5 * c.k, 1e-11);
  }
}

TEST(IrbQrre, RwaIsRiskWeightTimesEadAndKIsLinearInLgd) {
  const IrbCapital c = irb_qrre(0.02, 0.75);
  EXPECT_DOUBLE_EQ(irb_rwa(c, 1000.0), 1000.0 * c.risk_weight);
  EXPECT_NEAR(irb_qrre(0.02, 0.375).k, 0.5 * c.k, 1e-15);
  EXPECT_EQ(irb_qrre(0.02, 0.0).k, 0.0);
}

TEST(IrbQrre, PdFloorDefaultedAndBadInput) {
  // Below the floor the floor is used: the K of PD 0.03%.
  const IrbCapital floored = irb_qrre(0.0001, 0.85);
  EXPECT_EQ(floored.pd, 0.0003);
  EXPECT_NEAR(floored.k, kCases[0].k, 1e-12);
  IrbOptions no_floor;
  no_floor.pd_floor = 0.0;
  EXPECT_EQ(irb_qrre(0.0, 0.85, no_floor).k, 0.0);
  EXPECT_EQ(irb_qrre(1.0, 0.85).k, 0.0);  // defaulted: the loss is expected
  // K rises with PD up to about 20% and is positive in between (a sanity check of the shape).
  EXPECT_LT(irb_qrre(0.01, 0.85).k, irb_qrre(0.02, 0.85).k);
  EXPECT_THROW(irb_qrre(-0.1, 0.5), std::invalid_argument);
  EXPECT_THROW(irb_qrre(0.1, 1.5), std::invalid_argument);
  EXPECT_THROW(irb_qrre(std::nan(""), 0.5), std::invalid_argument);
  IrbOptions bad;
  bad.correlation = 1.0;
  EXPECT_THROW(irb_qrre(0.1, 0.5, bad), std::invalid_argument);
}

TEST(EconomicCapital, QuantileLessMeanByHand) {
  // 1000 paths with losses 1..1000: VaR 99.9% = x_(999) = 999, EL = 500.5.
  std::vector<double> loss;
  for (int i = 1000; i >= 1; --i) loss.push_back(i);
  const EconomicCapital ec = economic_capital(loss, {});
  EXPECT_EQ(ec.var, 999.0);
  EXPECT_EQ(ec.expected_loss, 500.5);
  EXPECT_EQ(ec.capital, 498.5);
  EXPECT_EQ(ec.quantile, 0.999);
  EXPECT_EQ(ec.paths_beyond, 2);  // 999 and 1000
  // Unit weights give the unweighted figures bit for bit; another level.
  const EconomicCapital ones = economic_capital(loss, std::vector<double>(loss.size(), 1.0));
  EXPECT_EQ(ones.capital, ec.capital);
  const EconomicCapital q99 = economic_capital(loss, {}, {99, 100});
  EXPECT_EQ(q99.var, 990.0);
  EXPECT_EQ(q99.capital, 489.5);
  EXPECT_THROW(economic_capital({}, {}), std::invalid_argument);
}

}  // namespace
}  // namespace limitsim
