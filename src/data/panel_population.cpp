// population_from_panel: each customer's state and habits at one panel month, the population a run starts from.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "kernels/special.hpp"
#include "src/data/features.hpp"
#include "src/data/panel.hpp"

namespace limitsim {
namespace {

// Sums of values in [0, a few] as 2^-40 fixed point: exact, so a panel-wide
// mean is the same whatever the row order (a double sum is not).
class ExactSum {
 public:
  void add(double x) { sum_ += static_cast<__int128>(std::llround(std::ldexp(x, 40))); }
  double value() const { return std::ldexp(static_cast<double>(sum_), -40); }
  __int128& raw() { return sum_; }

 private:
  __int128 sum_ = 0;
};

// Model-consistent type from the score alone: the likelier type of the
// synthetic population's logistic rule (docs/model.md "Behaviour type").
bool likely_transactor(double score, const PopulationConfig& pc) {
  return pc.transactor_logit_intercept + pc.transactor_logit_slope * (score - 650.0) / 100.0 > 0.0;
}

}  // namespace

Population population_from_panel(const Panel& p, std::int32_t as_of, const PopulationConfig& pc,
                                 const BehaviourParams& bp, std::vector<std::int64_t>* rows_in_population,
                                 const SumAcross& sum_across) {
  const std::int32_t T = p.months;
  if (T < 1) throw ConfigError(p.source + ": the panel has no months");
  const std::int32_t A = as_of < 0 ? T - 1 : as_of;
  if (A >= T)
    throw ConfigError(p.source + ": as-of month " + std::to_string(as_of) + " is past the panel's last month (0.." +
                      std::to_string(T - 1) + ")");
  if (!p.region_names.empty() && p.region_names != pc.region_names) {
    std::string data, config;
    for (const auto& n : p.region_names) data += (data.empty() ? "" : ", ") + n;
    for (const auto& n : pc.region_names) config += (config.empty() ? "" : ", ") + n;
    throw ConfigError(p.source + ": the data's regions (" + data + ") differ from the population's regions (" + config +
                      "): set [population] regions to the mapping's regions.names, in the same order");
  }
  const std::int32_t regions = static_cast<std::int32_t>(std::max<std::size_t>(1, pc.region_names.size()));
  const std::size_t N = static_cast<std::size_t>(p.size());
  const bool typed = !p.type.empty();
  bool flows = !p.balance.empty() && !p.payment.empty() && A >= 1;
  // The score as of A: a scorecard's uses no month after A; any other score is the same every month.
  std::vector<float> scorecard_scores;
  if (p.scorecard) scorecard_scores = scores_at(p, A);
  const std::vector<float>& score = p.scorecard ? scorecard_scores : p.score;

  // Pass 1: each customer's own counts and sums over months 0..A.
  struct Own {
    std::int32_t transactor_months = 0, revolver_months = 0;
    std::int32_t active = 0;          // months 1..A with spend > 0
    std::int32_t shares = 0;          // months with a revolver payment share
    double spend = 0.0;               // spend of the active months, cents
    double share_sum = 0.0;
  };
  std::vector<Own> own(N);
  std::int64_t typed_customers = 0, typed_transactors = 0;
  // Customers are independent, and the counts are integers: any thread count gives the same population.
#pragma omp parallel for schedule(static) reduction(+ : typed_customers, typed_transactors)
  for (std::size_t i = 0; i < N; ++i) {
    Own& o = own[i];
    if (typed) {
      for (std::int32_t t = 0; t <= A; ++t) {
        const UsageType u = p.type[p.at(static_cast<std::int64_t>(i), t)];
        o.transactor_months += u == UsageType::kTransactor;
        o.revolver_months += u == UsageType::kRevolver;
      }
      if (o.transactor_months + o.revolver_months > 0) {
        ++typed_customers;
        typed_transactors += o.transactor_months > o.revolver_months;
      }
    }
    if (flows) {
      for (std::int32_t t = 1; t <= A; ++t) {
        const std::int64_t prev = p.balance[p.at(static_cast<std::int64_t>(i), t - 1)];
        const std::int64_t bal = p.balance[p.at(static_cast<std::int64_t>(i), t)];
        const std::int64_t pay = p.payment[p.at(static_cast<std::int64_t>(i), t)];
        const std::int64_t spend = bal - prev + pay;  // interest and fees ignored
        if (spend > 0) {
          ++o.active;
          o.spend += static_cast<double>(spend);
        }
        // The payment of month t pays the statement of month t-1.
        if (prev > 0) {
          const std::int64_t min_due = std::min(
              prev, std::max<std::int64_t>(bp.min_payment_floor, std::llround(bp.min_payment_rate * static_cast<double>(prev))));
          if (prev > min_due && pay >= min_due) {
            ++o.shares;
            o.share_sum += std::min(1.0, static_cast<double>(pay - min_due) / static_cast<double>(prev - min_due));
          }
        }
      }
    }
  }
  // Over several processes, the whole panel's counts (an empty share has no
  // series: `flows` is whether any process's share has them).
  std::int64_t n = p.size();
  if (sum_across) {
    std::vector<__int128> v = {typed_customers, typed_transactors, n, flows ? 1 : 0};
    sum_across(v);
    typed_customers = static_cast<std::int64_t>(v[0]);
    typed_transactors = static_cast<std::int64_t>(v[1]);
    n = static_cast<std::int64_t>(v[2]);
    flows = v[3] > 0;
  }
  // The panel-wide majority type, for customers with no typed month.
  const bool majority_transactor = typed_customers > 0 && 2 * typed_transactors > typed_customers;
  std::vector<std::uint8_t> transactor(N);
  for (std::size_t i = 0; i < N; ++i) {
    const Own& o = own[i];
    if (o.transactor_months + o.revolver_months > 0) {
      transactor[i] = o.transactor_months > o.revolver_months;
    } else {
      transactor[i] = typed_customers > 0 ? majority_transactor : likely_transactor(score[i], pc);
    }
  }

  // Panel-wide means (the shrinkage targets), exact in any row order.
  const double activity_default = logistic(pc.activity_logit_mean);
  const double shape_default = pc.revolve_shape_median;
  double activity_mean = activity_default, propensity_mean = pc.spend_propensity_median;
  double share_mean = 1.0 / (1.0 + shape_default);
  if (flows) {
    std::int64_t active = 0, with_income = 0;
    ExactSum propensity;
    std::int64_t shares_rev = 0, shares_all = 0;
    ExactSum share_rev, share_all;
    for (std::size_t i = 0; i < N; ++i) {
      active += own[i].active;
      if (p.income[i] > 0) {
        ++with_income;
        propensity.add(std::min(3.0, own[i].spend / A / static_cast<double>(p.income[i])));
      }
      shares_all += own[i].shares;
      share_all.add(own[i].share_sum);
      if (!transactor[i]) {
        shares_rev += own[i].shares;
        share_rev.add(own[i].share_sum);
      }
    }
    if (sum_across) {
      std::vector<__int128> v = {active, with_income, shares_rev, shares_all, propensity.raw(), share_rev.raw(), share_all.raw()};
      sum_across(v);
      active = static_cast<std::int64_t>(v[0]);
      with_income = static_cast<std::int64_t>(v[1]);
      shares_rev = static_cast<std::int64_t>(v[2]);
      shares_all = static_cast<std::int64_t>(v[3]);
      propensity.raw() = v[4];
      share_rev.raw() = v[5];
      share_all.raw() = v[6];
    }
    activity_mean = static_cast<double>(active) / (static_cast<double>(A) * static_cast<double>(n));
    if (with_income > 0) propensity_mean = propensity.value() / static_cast<double>(with_income);
    if (shares_rev > 0) {
      share_mean = share_rev.value() / static_cast<double>(shares_rev);
    } else if (shares_all > 0) {
      share_mean = share_all.value() / static_cast<double>(shares_all);
    }
  }

  // Accounts charged off by as_of are not part of the book any more: the population holds the others, in
  // panel order, built in place (no copy of a fuller one).
  std::vector<std::int64_t> rows;
  rows.reserve(N);
  for (std::size_t i = 0; i < N; ++i)
    if (p.bucket.empty() || p.bucket[p.at(static_cast<std::int64_t>(i), A)] != kChargedOffBucket)
      rows.push_back(static_cast<std::int64_t>(i));
  const std::size_t K = rows.size();
  Population pop;
  pop.resize(K);
#pragma omp parallel for schedule(static)
  for (std::size_t k = 0; k < K; ++k) {
    const auto i = static_cast<std::size_t>(rows[k]);
    const std::int64_t ii = static_cast<std::int64_t>(i);
    const Own& o = own[i];
    pop.id[k] = p.id[i];
    pop.score[k] = score[i];
    pop.income[k] = p.income[i];
    pop.limit[k] = p.limit[i];
    pop.balance[k] = p.balance.empty() ? 0 : p.balance[p.at(ii, A)];
    pop.bucket[k] = p.bucket.empty() ? 0 : p.bucket[p.at(ii, A)];
    const std::int32_t mob = p.months_on_book[i];
    pop.months_on_book[k] = std::max(std::min(mob, 1), mob - (T - 1 - A));
    // Payment history up to as_of: the months since the latest month that ended
    // past due (charged-off included). A customer current in every observed
    // month is taken to have been current since opening.
    pop.months_current[k] = pop.months_on_book[k];
    pop.since_missed[k] = kLongAgo;
    if (!p.bucket.empty()) {
      for (std::int32_t t = A; t >= 0; --t) {
        if (p.bucket[p.at(ii, t)] >= 1) {
          pop.months_current[k] = A - t;
          pop.since_missed[k] = A - t;
          break;
        }
      }
    }
    pop.risk[k] = static_cast<float>(-(static_cast<double>(score[i]) - pc.score_mean) / pc.score_sd);
    CustomerHabits h{transactor[i] != 0, static_cast<float>(activity_default),
                     static_cast<float>(pc.spend_propensity_median), static_cast<float>(shape_default)};
    if (flows) {
      // Own months and kHabitPseudoMonths months at the panel-wide mean.
      const double months = static_cast<double>(A), k = kHabitPseudoMonths;
      h.activity = static_cast<float>((o.active + k * activity_mean) / (months + k));
      const double own_propensity =
          p.income[i] > 0 ? std::min(3.0, o.spend / months / static_cast<double>(p.income[i])) : propensity_mean;
      h.spend_propensity = static_cast<float>(std::min(3.0, (months * own_propensity + k * propensity_mean) / (months + k)));
      const double share = (o.share_sum + k * share_mean) / (o.shares + k);
      h.revolve_shape = static_cast<float>(
          share > 0.0 ? std::clamp(1.0 / share - 1.0, kMinRevolveShape, kMaxRevolveShape) : kMaxRevolveShape);
    }
    pop.transactor[k] = h.transactor ? 1 : 0;
    pop.activity[k] = h.activity;
    pop.spend_propensity[k] = h.spend_propensity;
    pop.revolve_shape[k] = h.revolve_shape;
    pop.region[k] = p.region.empty() ? 0 : p.region[i];
    pop.segment[k] = segment_of(pop.score[k], pc.segment_edges) * regions + pop.region[k];
  }
  if (rows_in_population) *rows_in_population = std::move(rows);
  return pop;
}

}  // namespace limitsim
