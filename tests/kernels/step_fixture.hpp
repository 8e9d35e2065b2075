// Shared by the tests of the customer-month step (kernels/model.hpp): a fixture with round numbers, whose draws
// are set by hand; amounts are in cents.
#pragma once

#include <gtest/gtest.h>

#include "kernels/metrics.hpp"
#include "kernels/model.hpp"
#include "kernels/reduce.hpp"

namespace model_test {

using namespace limitsim;

// A fixture with round numbers: rho 0 (so an event happens iff u < p),
// min payment 10% with a 50.00 floor, APR 12% (1% a month), late fee 25.00.
struct StepFixture : ::testing::Test {
  BehaviourParams bp{};
  PolicyParams pp{};
  ScenarioMonth sc{0.0, 1.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0, 1.0, 6};
  ScenarioMonth months[12];
  Customer c{};
  AccountState s{};
  MonthDraws d{};

  void SetUp() override {
    bp.spend_sigma = 0.0;
    bp.min_payment_rate = 0.10;
    bp.min_payment_floor = 5000;
    bp.apr = 0.12;
    bp.late_fee = 2500;
    bp.miss_intercept = logit(0.02);
    bp.util_ref = 0.5;
    for (int b = 1; b < kMaxBuckets; ++b) { bp.roll[b] = 0.5; bp.cure[b] = 0.3; }
    bp.chargeoff_bucket = 6;
    bp.rho = 0.0;
    bp.lgd_mode = LgdMode::kFixed;
    bp.lgd = 0.8;
    bp.attrition_rate = 0.01;
    pp.n_bands = 2;
    pp.band_score_min[0] = 700; pp.band_income_multiple[0] = 2.0; pp.band_floor[0] = 100000; pp.band_cap[0] = 2000000;
    pp.band_score_min[1] = 350; pp.band_income_multiple[1] = 0.5; pp.band_floor[1] = 50000; pp.band_cap[1] = 300000;
    pp.line_rounding = 10000;
    pp.max_limit = 5000000;
    for (auto& m : months) m = sc;
    c.id = 1; c.score = 720; c.income = 1000000; c.spend_propensity = 0.3; c.activity = 0.5;
    c.revolve_shape = 2.0; c.risk = 0.0; c.transactor = false; c.months_on_book = 12;
    pp.review_lookback = 3;
    pp.decrease_cooldown_months = 3;
    s = account(100000, 500000, 0, 12);
    for (double& u : d.u) u = 0.5;
    d.u[kDrawActive] = 0.9;       // card not used (activity 0.5)
    d.u[kDrawDelinquency] = 0.9;  // no miss, no roll
    d.u[kDrawAttrition] = 0.9;    // stays
  }
  ModelView view() {
    ModelView mv{};
    mv.behaviour = bp; mv.policy = pp; mv.scenario = months; mv.months = 12; mv.paths_total = 1; mv.factors = 1;
    return mv;
  }
  MonthOutcome step(int month = 0) { return step_month(view(), c, s, month, d, 0.0); }
  // An open account on book 12 months, with no missed payment, increase or
  // decrease in memory and no utilization or draw history.
  static AccountState account(std::int64_t balance, std::int64_t limit, std::int32_t bucket,
                              std::int32_t months_current) {
    AccountState a{};
    a.balance = balance; a.limit = limit; a.open_limit = limit; a.bucket = bucket;
    a.months_current = months_current; a.months_on_book = 12;
    a.since_missed = bucket > 0 ? 0 : 1000; a.since_increase = 1000; a.since_decrease = 1000;
    a.util_bp.fill(0); a.draws.fill(0); a.history_months = 0;
    a.open = true;
    return a;
  }
};

}  // namespace model_test
