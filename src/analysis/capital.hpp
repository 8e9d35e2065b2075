// Regulatory and economic capital (docs/regulatory.md).
//
// Basel IRB capital for qualifying revolving retail exposures (QRRE): the
// risk-weight function of the Basel Framework, CRE31 (retail risk-weight
// functions; Basel II paragraphs 328-330; BCBS, "An Explanatory Note on the Basel II IRB Risk
// Weight Functions", 2005):
//   K   = LGD * N( G(PD) / sqrt(1 - R) + sqrt(R / (1 - R)) * G(0.999) ) - PD * LGD
//   RWA = K * 12.5 * EAD            (times 1.06 where the scaling factor applies)
// with R = 0.04 for QRRE and no maturity adjustment (retail). N is the
// standard normal CDF and G its inverse.
//
// Economic capital: the q-quantile (99.9% by default) of the simulated
// one-year loss less its mean, the expected loss.
#pragma once

#include <vector>

#include "src/analysis/risk.hpp"

namespace limitsim {

inline constexpr double kQrreCorrelation = 0.04;     // CRE31, Basel II para 329
inline constexpr double kIrbConfidence = 0.999;      // CRE31, Basel II paras 272 and 329: G(0.999)
inline constexpr double kIrbScalingFactor = 1.06;    // Basel II para 14 and 44; removed by Basel III (2017)
inline constexpr double kRwaPerCapital = 12.5;       // 1 / 8%: RWA = 12.5 K EAD (Basel II para 329)

struct IrbOptions {
  double correlation = kQrreCorrelation;
  bool scaling = false;        // apply the Basel II 1.06 scaling factor to the RWA
  double pd_floor = 0.0003;    // Basel II para 331 (retail PD floor 0.03%); Basel III: 0.05% / 0.1% for QRRE transactors / revolvers
};

struct IrbCapital {
  double pd = 0.0;           // the PD used (after the floor)
  double lgd = 0.0;
  double k = 0.0;            // capital requirement per unit of EAD
  double risk_weight = 0.0;  // 12.5 K (x 1.06 with scaling): RWA per unit of EAD
};

// K and the risk weight of one exposure class. pd in [0, 1], lgd in [0, 1];
// PD = 1 (defaulted) gives K = 0 (the defaulted exposure's capital is LGD less
// the best estimate of its expected loss, not modelled here). Throws
// std::invalid_argument for a PD, LGD or correlation outside its range.
IrbCapital irb_qrre(double pd, double lgd, const IrbOptions& opt = {});

// The risk-weighted assets of an exposure: risk_weight * EAD.
inline double irb_rwa(const IrbCapital& c, double ead) { return c.risk_weight * ead; }

struct EconomicCapital {
  double quantile = 0.0;       // the level of the loss quantile (0.999)
  double var = 0.0;            // the loss quantile (VaR rules of risk.hpp: order statistic, or the mass rule)
  double expected_loss = 0.0;  // (weighted) mean loss
  double capital = 0.0;        // var - expected_loss
  std::int64_t paths_beyond = 0;  // paths whose loss is at or beyond var (below 10: var is little more than the largest loss)
};

// Economic capital of the per-path losses `loss` (one year, currency units)
// with path weights w (empty: unweighted). Throws std::invalid_argument for no
// paths or bad weights.
EconomicCapital economic_capital(const std::vector<double>& loss, const std::vector<double>& w,
                                 const TailLevel& level = {999, 1000});

}  // namespace limitsim
