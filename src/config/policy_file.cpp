// The policy file ([policy]): the keys of every lever, the rules between them, and the documented defaults.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "src/config/schema.hpp"

namespace limitsim {
namespace fields {

namespace {

struct Band {
  double score_min;
  double income_multiple;
  std::int64_t floor, cap;
};

template <class IO>
void band_fields(IO& t, Band& b) {
  for (const char* key : {"score_min", "income_multiple", "floor", "cap"}) t.need(key);
  t.number("score_min", b.score_min, closed(0, 950));
  t.number("income_multiple", b.income_multiple, at_least(0));
  t.money("floor", b.floor, at_least(0));
  t.money("cap", b.cap, at_least(0));
  t.check(b.floor <= b.cap, "cap", "must be >= floor (" + fmt_money(b.floor) + "), got " + fmt_money(b.cap));
}

std::vector<Band> bands_of(const PolicyParams& p) {
  std::vector<Band> bands;
  for (int i = 0; i < p.n_bands; ++i)
    bands.push_back({p.band_score_min[i], p.band_income_multiple[i], p.band_floor[i], p.band_cap[i]});
  return bands;
}

// Stores bands sorted by descending score_min (the kernel takes the first row that applies).
void set_bands(PolicyParams& p, std::vector<Band> bands) {
  std::stable_sort(bands.begin(), bands.end(), [](const Band& a, const Band& b) { return a.score_min > b.score_min; });
  p.n_bands = static_cast<std::int32_t>(bands.size());
  for (int i = 0; i < kMaxBands; ++i) {
    const bool used = i < p.n_bands;
    p.band_score_min[i] = used ? bands[i].score_min : 0.0;
    p.band_income_multiple[i] = used ? bands[i].income_multiple : 0.0;
    p.band_floor[i] = used ? bands[i].floor : 0;
    p.band_cap[i] = used ? bands[i].cap : 0;
  }
}

template <class IO>
void initial_line_fields(IO& t, PolicyParams& p) {
  t.money("rounding", p.line_rounding, above(0));
  std::vector<Band> bands = bands_of(p);
  t.rows("bands", bands, non_empty(kMaxBands), [](auto& row, Band& b) { band_fields(row, b); });
  double lowest = kInf;
  for (std::size_t i = 0; i < bands.size(); ++i) {
    lowest = std::min(lowest, bands[i].score_min);
    for (std::size_t j = 0; j < i; ++j)
      t.check(bands[j].score_min != bands[i].score_min, "bands",
              "score_min " + fmt_double(bands[i].score_min) + " appears twice (rows " + std::to_string(j) + " and " +
                  std::to_string(i) + ")",
              static_cast<int>(i));
  }
  t.check(lowest <= 350.0, "bands",
          "the lowest score_min must be <= 350 so that every score is covered, got " + fmt_double(lowest));
  set_bands(p, bands);
}

constexpr Range kShare = closed(0, 10);     // raise percentages, as shares of the line
constexpr Range kScoreOrOff = closed(0, 950);  // 0 switches a score condition off

// The raise of a review or trigger: limit x raise_pct + raise_amount, capped at
// max_raise. A lever that is on (`what` names it) must be able to raise a line.
template <class IO>
void raise_fields(IO& t, double& pct, std::int64_t& amount, std::int64_t& max_raise, bool on,
                  const std::string& what) {
  t.number("raise_pct", pct, kShare);
  t.money("raise_amount", amount, at_least(0));
  t.money("max_raise", max_raise, at_least(0));
  if (on)
    t.check(pct > 0.0 || amount > 0, "raise_pct",
            what + " needs raise_pct > 0 or raise_amount > 0, or it can never raise a line");
}

template <class IO>
void review_fields(IO& t, PolicyParams& p) {
  t.integer("every_months", p.review_every, closed(0, 120));
  t.integer("min_clean_months", p.review_min_clean_months, closed(0, kInt32Max));
  t.integer("min_months_on_book", p.review_min_months_on_book, closed(0, kInt32Max));
  t.integer("lookback_months", p.review_lookback, closed(1, kHistoryMonths));
  t.number("min_utilization", p.review_min_utilization, closed(0, 1.5));
  t.number("min_score", p.review_min_score, kScoreOrOff);
  raise_fields(t, p.review_raise_pct, p.review_raise_amount, p.review_max_raise, p.review_every > 0,
               "a review every " + std::to_string(p.review_every) + " months");
}

template <class IO>
void trigger_fields(IO& t, PolicyParams& p) {
  t.integer("clean_months", p.trigger_clean_months, closed(0, kHistoryMonths));
  t.number("min_utilization", p.trigger_min_utilization, closed(0, 1.5));
  t.number("min_score", p.trigger_min_score, kScoreOrOff);
  raise_fields(t, p.trigger_raise_pct, p.trigger_raise_amount, p.trigger_max_raise, p.trigger_clean_months > 0,
               "a trigger after " + std::to_string(p.trigger_clean_months) + " clean months");
}

template <class IO>
void decrease_fields(IO& t, PolicyParams& p) {
  t.number("score_below", p.decrease_score_below, kScoreOrOff);
  // At 100% or more the balance is at the line, and max(balance, pct x line) cuts nothing.
  t.number("high_utilization", p.decrease_high_util, closed_open(0, 1));
  t.integer("high_utilization_months", p.decrease_high_util_months, closed(1, kInt32Max));
  t.number("score_drop", p.decrease_score_drop, closed(0, 600));
  t.number("cut_to_pct", p.decrease_cut_to_pct, closed_open(0, 1));
  // The months-since-last-cut counter saturates at 1000 (kLongAgo in kernels/model.hpp).
  t.integer("cooldown_months", p.decrease_cooldown_months, closed(1, 1000));
  const bool condition = p.decrease_score_below > 0.0 || p.decrease_high_util > 0.0;
  if (condition)
    t.check(p.decrease_cut_to_pct > 0.0, "cut_to_pct",
            "is required (in (0, 1)) when score_below or high_utilization is set, got " +
                fmt_double(p.decrease_cut_to_pct));
  if (p.decrease_cut_to_pct > 0.0)
    t.check(condition, "cut_to_pct", "cuts nothing: set score_below and/or high_utilization");
}

template <class IO>
void freeze_fields(IO& t, PolicyParams& p) {
  std::int32_t at_dpd = dpd_of_bucket(p.freeze_bucket);
  // 151..180 would map to a bucket no account reaches before charge-off.
  t.integer("at_dpd", at_dpd, closed(0, 150));
  p.freeze_bucket = bucket_of_dpd(at_dpd);
  t.integer("unfreeze_after_clean_months", p.unfreeze_after_clean_months, closed(0, kInt32Max));
  t.check(p.unfreeze_after_clean_months == 0 || p.freeze_bucket > 0, "unfreeze_after_clean_months",
          "must be 0 when freezing is off (at_dpd = 0), got " + std::to_string(p.unfreeze_after_clean_months));
}

std::vector<std::int32_t> months_of(const std::uint64_t (&mask)[kMonthMaskWords]) {
  std::vector<std::int32_t> months;
  for (int m = 0; m < kMaxMonths; ++m)
    if ((mask[m / 64] >> (m % 64)) & 1u) months.push_back(m + 1);
  return months;
}

template <class IO>
void temporary_fields(IO& t, PolicyParams& p) {
  std::vector<std::int32_t> months = months_of(p.temp_month_mask);
  t.integers("months", months, at_most(kMaxMonths), closed(1, kMaxMonths));
  for (std::size_t i = 0; i < months.size(); ++i)
    t.check(std::count(months.begin(), months.begin() + i, months[i]) == 0, "months",
            "month " + std::to_string(months[i]) + " is listed twice", static_cast<int>(i));
  std::fill(std::begin(p.temp_month_mask), std::end(p.temp_month_mask), 0);
  for (const std::int32_t m : months) p.temp_month_mask[(m - 1) / 64] |= std::uint64_t{1} << ((m - 1) % 64);
  t.number("raise_pct", p.temp_raise_pct, kShare);
  t.money("raise_amount", p.temp_raise_amount, at_least(0));
  if (!months.empty())
    t.check(p.temp_raise_pct > 0.0 || p.temp_raise_amount > 0, "raise_pct",
            "temporary months are listed, so raise_pct > 0 or raise_amount > 0 is needed");
  else
    t.check(p.temp_raise_pct == 0.0 && p.temp_raise_amount == 0, "months",
            "a temporary raise needs the months it applies to (1-based simulation months)");
}

template <class IO>
void frequency_fields(IO& t, PolicyParams& p) {
  t.integer("window_months", p.freq_window, closed(0, kHistoryMonths));
  t.integer("max_draws", p.freq_max_draws, closed(1, 255 * kHistoryMonths));
  bool block = p.freq_block_increases != 0;
  t.boolean("block_increases", block);
  p.freq_block_increases = block ? 1 : 0;
  t.number("cut_to_pct", p.freq_cut_to_pct, closed_open(0, 1));
  if (p.freq_window > 0)
    t.check(p.freq_max_draws <= 255 * p.freq_window, "max_draws",
            "can never be reached: a month records at most 255 draws, so " + std::to_string(p.freq_window) +
                " months hold at most " + std::to_string(255 * p.freq_window) + ", got " +
                std::to_string(p.freq_max_draws));
  if (p.freq_window > 0)
    t.check(block || p.freq_cut_to_pct > 0.0, "block_increases",
            "the signal does nothing: set block_increases = true and/or cut_to_pct > 0");
  else
    t.check(p.freq_cut_to_pct == 0.0, "window_months",
            "must be >= 1 when cut_to_pct is set (the signal needs a window)");
}

struct PriceBand {
  double score_min;
  double apr;
};

template <class IO>
void pricing_fields(IO& t, PolicyParams& p) {
  std::vector<PriceBand> bands;
  for (int i = 0; i < p.n_price_bands; ++i) bands.push_back({p.price_score_min[i], p.price_apr[i]});
  t.rows("bands", bands, at_most(kMaxBands), [](auto& row, PriceBand& b) {
    for (const char* key : {"score_min", "apr"}) row.need(key);
    row.number("score_min", b.score_min, closed(0, 950));
    row.number("apr", b.apr, closed(0, 2));
  });
  score_rows(t, "bands", bands, "priced");
  p.n_price_bands = static_cast<std::int32_t>(bands.size());
  for (int i = 0; i < kMaxBands; ++i) {
    const bool used = i < p.n_price_bands;
    p.price_score_min[i] = used ? bands[i].score_min : 0.0;
    p.price_apr[i] = used ? bands[i].apr : 0.0;
  }
}

// Approval of applicants in a run that acquires ([acquisition]; docs/model.md "Acquisition").
template <class IO>
void approval_fields(IO& t, PolicyParams& p) {
  t.number("min_score", p.approve_min_score, closed(0, 950));
  t.number("max_dti", p.approve_max_dti, at_least(0));
  t.number("share", p.approve_share, closed(0, 1));
}

}  // namespace

template <class IO>
void policy_fields(IO& t, PolicyConfig& c) {
  PolicyParams& p = c.params;
  t.text("name", c.name);
  t.text("description", c.description);
  t.money("max_limit", p.max_limit, above(0));
  subtable(t, "initial_line", p, initial_line_fields<IO>);
  std::int64_t highest_floor = 0;
  for (int i = 0; i < p.n_bands; ++i) highest_floor = std::max(highest_floor, p.band_floor[i]);
  t.check(p.max_limit >= highest_floor, "max_limit",
          "must be >= every initial_line band floor (largest " + fmt_money(highest_floor) + "), got " +
              fmt_money(p.max_limit));
  subtable(t, "review", p, review_fields<IO>);
  subtable(t, "trigger", p, trigger_fields<IO>);
  subtable(t, "decrease", p, decrease_fields<IO>);
  subtable(t, "freeze", p, freeze_fields<IO>);
  subtable(t, "temporary", p, temporary_fields<IO>);
  subtable(t, "frequency", p, frequency_fields<IO>);
  subtable(t, "pricing", p, pricing_fields<IO>);
  subtable(t, "approval", p, approval_fields<IO>);
  // Rules that would fight each other month after month.
  if (p.decrease_score_below > 0.0 && p.decrease_cut_to_pct > 0.0) {
    if (p.review_every > 0)
      t.check(p.decrease_score_below <= p.review_min_score, "decrease",
              "decrease.score_below (" + fmt_double(p.decrease_score_below) + ") is above review.min_score (" +
                  fmt_double(p.review_min_score) + "): one account could be cut and raised in turn");
    if (p.trigger_clean_months > 0)
      t.check(p.decrease_score_below <= p.trigger_min_score, "decrease",
              "decrease.score_below (" + fmt_double(p.decrease_score_below) + ") is above trigger.min_score (" +
                  fmt_double(p.trigger_min_score) + "): one account could be cut and raised in turn");
  }
  if (p.freq_block_increases && p.freq_window > 0)
    t.check(p.review_every > 0 || p.trigger_clean_months > 0, "frequency",
            "block_increases is set but the policy has no review or trigger increases to block");
}

void check_freeze(const PolicyParams& p, const Value& table, const BehaviourParams& b) {
  if (p.freeze_bucket <= b.chargeoff_bucket) return;
  const Value* freeze = table.contains("freeze") ? &table.at("freeze") : nullptr;
  const Value* at = freeze && freeze->is_table() && freeze->contains("at_dpd") ? &freeze->at("at_dpd") : &table;
  fail_at(*at, "policy.freeze.at_dpd",
          "is past the behaviour's charge-off at " + std::to_string(30 * b.chargeoff_bucket) +
              " DPD, so the freeze would never fire; use at most " + std::to_string(30 * (b.chargeoff_bucket - 1)) +
              ", got " + describe(*at));
}

template void policy_fields<Reader>(Reader&, PolicyConfig&);
template void policy_fields<Writer>(Writer&, PolicyConfig&);

}  // namespace fields

PolicyParams default_policy() {
  PolicyParams p;
  std::memset(&p, 0, sizeof p);  // every lever off: no review, trigger, decrease, freeze, temporary raise, signal
  fields::set_bands(p, {{350.0, 1.0, 50000, 5000000}});  // floor 500.00, cap 50,000.00
  p.line_rounding = 10000;                         // 100.00
  p.max_limit = 100000000;                         // 1,000,000.00
  p.review_every = 0;
  p.review_min_clean_months = 6;
  p.review_min_months_on_book = 0;
  p.review_lookback = 6;
  p.review_min_utilization = 0.5;
  p.review_min_score = 600.0;
  p.review_raise_pct = 0.20;
  p.review_raise_amount = 0;
  p.review_max_raise = 1000000;  // 10,000.00
  p.trigger_clean_months = 0;
  p.trigger_min_utilization = 0.8;
  p.trigger_min_score = 600.0;
  p.trigger_raise_pct = 0.20;
  p.trigger_raise_amount = 0;
  p.trigger_max_raise = 1000000;  // 10,000.00
  p.decrease_score_below = 0.0;
  p.decrease_high_util = 0.0;
  p.decrease_high_util_months = 3;
  p.decrease_score_drop = 20.0;
  p.decrease_cut_to_pct = 0.0;
  p.decrease_cooldown_months = 3;
  p.freeze_bucket = 0;
  p.unfreeze_after_clean_months = 0;
  p.temp_raise_pct = 0.0;
  p.temp_raise_amount = 0;
  p.freq_window = 0;
  p.freq_max_draws = 10;
  p.freq_block_increases = 1;
  p.freq_cut_to_pct = 0.0;
  p.n_price_bands = 0;
  p.approve_min_score = 0.0;  // approve every applicant
  p.approve_max_dti = 0.0;
  p.approve_share = 1.0;
  return p;
}

}  // namespace limitsim
