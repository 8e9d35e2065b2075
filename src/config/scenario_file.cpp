// The scenario file ([scenario]): its keys, unemployment-driven series, and the resolution of series to months.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "src/config/schema.hpp"

namespace limitsim {
namespace fields {

namespace {

template <class IO>
void unemployment_fields(IO& t, ScenarioConfig& c) {
  t.need("base_rate");
  t.need("factor_per_point");
  t.number("base_rate", c.spec.unemployment_base_rate, closed(0, 100));
  t.number("factor_per_point", c.spec.unemployment_factor_per_point, closed(0, 2));
  double worst = 0.0;
  for (const double u : c.spec.unemployment_rate)
    worst = std::max(worst, std::fabs(c.spec.unemployment_factor_per_point * (u - c.spec.unemployment_base_rate)));
  t.check(worst <= 10.0, "factor_per_point",
          "gives a factor shift of " + fmt_short(worst) + " sd at some month of unemployment_rate; at most 10 is allowed");
}

}  // namespace

template <class IO>
void scenario_fields(IO& t, ScenarioConfig& c) {
  t.text("name", c.name);
  t.text("description", c.description);
  t.series("unemployment_rate", c.spec.unemployment_rate, closed(0, 100));
  const bool unemployment = !c.spec.unemployment_rate.empty();
  if (unemployment) {
    const char* why = "is derived from unemployment_rate here (see [scenario.unemployment]); give one or the other";
    t.forbid("factor_shift", why);
    t.forbid("income_shock_probability", why);
  } else {
    t.series("factor_shift", c.spec.factor_shift, closed(-10, 10));
  }
  t.series("miss_multiplier", c.spec.miss_multiplier, at_least(0));
  t.series("roll_multiplier", c.spec.roll_multiplier, at_least(0));
  t.series("spend_multiplier", c.spec.spend_multiplier, at_least(0));
  if (!unemployment) t.series("income_shock_probability", c.spec.income_shock_probability, closed(0, 1));
  t.series("income_shock_size", c.spec.income_shock_size, closed(0, 1));
  t.series("income_shock_months", c.spec.income_shock_months, closed(1, 120));
  for (std::size_t i = 0; i < c.spec.income_shock_months.size(); ++i)
    t.check(c.spec.income_shock_months[i] == std::floor(c.spec.income_shock_months[i]), "income_shock_months",
            "must be whole months, got " + fmt_double(c.spec.income_shock_months[i]), static_cast<int>(i));
  t.series("lgd_multiplier", c.spec.lgd_multiplier, at_least(0));
  t.series("applicant_multiplier", c.spec.applicant_multiplier, closed(0, 10));
  t.series("approval_multiplier", c.spec.approval_multiplier, closed(0, 10));
  if (unemployment) {
    subtable(t, "unemployment", c, unemployment_fields<IO>);
  } else {
    t.forbid("unemployment", "is only read with unemployment_rate");
  }
}

template void scenario_fields<Reader>(Reader&, ScenarioConfig&);
template void scenario_fields<Writer>(Writer&, ScenarioConfig&);

}  // namespace fields

ScenarioMonth neutral_scenario_month() { return ScenarioMonth{0.0, 1.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0, 1.0, 6}; }

void resolve_scenario(ScenarioConfig& s, std::int32_t months) {
  const ScenarioMonth neutral = neutral_scenario_month();
  auto at = [](const std::vector<double>& v, std::size_t m, double fallback) {
    return v.empty() ? fallback : v[std::min(m, v.size() - 1)];
  };
  s.months.assign(static_cast<std::size_t>(std::max(months, 0)), neutral);
  for (std::size_t m = 0; m < s.months.size(); ++m) {
    s.months[m].factor_shift = at(s.spec.factor_shift, m, neutral.factor_shift);
    s.months[m].miss_mult = at(s.spec.miss_multiplier, m, neutral.miss_mult);
    s.months[m].roll_mult = at(s.spec.roll_multiplier, m, neutral.roll_mult);
    s.months[m].spend_mult = at(s.spec.spend_multiplier, m, neutral.spend_mult);
    s.months[m].shock_size = at(s.spec.income_shock_size, m, neutral.shock_size);
    s.months[m].shock_months =
        static_cast<std::int32_t>(at(s.spec.income_shock_months, m, static_cast<double>(neutral.shock_months)));
    s.months[m].lgd_mult = at(s.spec.lgd_multiplier, m, neutral.lgd_mult);
    s.months[m].applicant_mult = at(s.spec.applicant_multiplier, m, neutral.applicant_mult);
    s.months[m].approval_mult = at(s.spec.approval_multiplier, m, neutral.approval_mult);
    s.months[m].shock_prob = at(s.spec.income_shock_probability, m, neutral.shock_prob);
  }
  s.unemployment.clear();
  if (!s.spec.unemployment_rate.empty()) {
    for (std::size_t m = 0; m < s.months.size(); ++m) {
      const double excess = at(s.spec.unemployment_rate, m, 0.0) - s.spec.unemployment_base_rate;
      s.unemployment.push_back(at(s.spec.unemployment_rate, m, 0.0));
      s.months[m].factor_shift = -s.spec.unemployment_factor_per_point * excess;
      s.months[m].shock_prob = std::max(0.0, excess) / 100.0 / s.months[m].shock_months;
    }
  }
}

}  // namespace limitsim
