// Regulatory and economic capital (definitions: capital.hpp, docs/regulatory.md).
#include "src/analysis/capital.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "kernels/special.hpp"

namespace limitsim {

IrbCapital irb_qrre(double pd, double lgd, const IrbOptions& opt) {
  if (!(pd >= 0.0 && pd <= 1.0)) throw std::invalid_argument("irb_qrre: PD must be in [0, 1], got " + std::to_string(pd));
  if (!(lgd >= 0.0 && lgd <= 1.0))
    throw std::invalid_argument("irb_qrre: LGD must be in [0, 1], got " + std::to_string(lgd));
  const double R = opt.correlation;
  if (!(R >= 0.0 && R < 1.0)) throw std::invalid_argument("irb_qrre: correlation must be in [0, 1), got " + std::to_string(R));
  if (!(opt.pd_floor >= 0.0 && opt.pd_floor < 1.0))
    throw std::invalid_argument("irb_qrre: the PD floor must be in [0, 1), got " + std::to_string(opt.pd_floor));
  IrbCapital c;
  c.pd = pd < opt.pd_floor ? opt.pd_floor : pd;
  c.lgd = lgd;
  if (c.pd >= 1.0 || c.pd <= 0.0) {
    c.k = 0.0;  // PD 1: the loss is expected, not unexpected; PD 0 (no floor): nothing to lose
  } else {
    const double x = norm_inv(c.pd) / std::sqrt(1.0 - R) + std::sqrt(R / (1.0 - R)) * norm_inv(kIrbConfidence);
    c.k = lgd * norm_cdf(x) - c.pd * lgd;
    if (c.k < 0.0) c.k = 0.0;  // rounding only: N(x) >= PD for R >= 0
  }
  c.risk_weight = c.k * kRwaPerCapital * (opt.scaling ? kIrbScalingFactor : 1.0);
  return c;
}

EconomicCapital economic_capital(const std::vector<double>& loss, const std::vector<double>& w,
                                 const TailLevel& level) {
  if (loss.empty()) throw std::invalid_argument("economic_capital: need at least one path");
  check_weights(w, loss.size(), "economic_capital");
  const bool weighted = !all_unit_weights(w);
  const auto n = static_cast<std::int64_t>(loss.size());
  const std::vector<std::size_t> order = ascending_order(loss);
  EconomicCapital ec;
  ec.quantile = level.value();
  ec.var = tail_point(loss, &order, nullptr, weighted ? &w : nullptr, n, level).var;
  ec.expected_loss = weighted_mean_estimate(loss, weighted ? w : std::vector<double>{}).value;
  ec.capital = ec.var - ec.expected_loss;
  for (const double x : loss) ec.paths_beyond += x >= ec.var ? 1 : 0;
  return ec;
}

}  // namespace limitsim
