// The row checks both readers feed (Builder): every value is accepted or refused here, and the Panel grows.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "src/data/cell.hpp"
#include "src/data/features.hpp"
#include "src/data/panel.hpp"
#include "src/data/panel_plan.hpp"
#include "src/data/rank_scores.hpp"

namespace limitsim {
namespace loading {

inline constexpr std::size_t kMaxExamples = 5;  // skipped-row messages kept in Panel::skipped_examples

// ================================================================ Builder: the row checks and the Panel

class Builder {
 public:
  Builder(const Mapping& m, BadRowPolicy policy, std::string file, bool csv, Shard shard = {})
      : m_(m), policy_(policy), file_(std::move(file)), csv_(csv), shard_(shard), src_(sources(m)) {
    p_.source = file_;
    panel_ = !m.months.empty();
    p_.month_names = m.months;
    p_.months = panel_ ? static_cast<std::int32_t>(m.months.size()) : 1;
    p_.region_names = m.region_names;
    has_status_ = panel_ ? !m.status_columns.empty() : (m.columns.count("status") > 0 || !m.status_from_counts.empty());
    has_balance_ = panel_ ? !m.balance_columns.empty()
                          : (m.columns.count("balance") > 0 || m.balance.kind != MoneyRule::Kind::kNone);
    has_payment_ = panel_ && !m.payment_columns.empty();
    has_score_ = m.columns.count("score") > 0;
    has_income_ = m.columns.count("income") > 0;
    has_limit_ = m.columns.count("limit") > 0;
    has_balance_col_ = m.columns.count("balance") > 0;
    has_mob_ = m.columns.count("months_on_book") > 0;
    has_region_ = m.columns.count("region") > 0;
    has_label_ = m.columns.count("label") > 0;
    p_.income_observed = has_income_;
    p_.feature_columns = src_.feature_columns;
    const std::size_t T = static_cast<std::size_t>(p_.months);
    row_.status.assign(T, 0);
    row_.bucket.assign(T, -1);
    row_.type.assign(T, UsageType::kNone);
    row_.balance.assign(T, 0);
    row_.payment.assign(T, 0);
    row_.source.assign(src_.columns.size(), 0.0);
    for (const std::string& na : m.na_values) {
      double x = 0.0;
      std::string unused;
      Cell c;
      c.text = na;
      if (!na.empty() && to_real(c, x, unused)) na_numbers_.push_back(x);
    }
    // Status codes -> a dense table when their range is small (the usual case).
    if (!m.codes.empty()) {
      code_min_ = m.codes.begin()->first;
      const std::int64_t span = m.codes.rbegin()->first - code_min_;
      if (span >= 0 && span < 4096) {
        code_table_.assign(static_cast<std::size_t>(span) + 1, StatusCode{-1, UsageType::kNone});
        for (const auto& [code, sc] : m.codes) code_table_[static_cast<std::size_t>(code - code_min_)] = sc;
      }
    }
  }

  Panel& panel() { return p_; }
  std::int32_t months() const { return p_.months; }

  void reserve(std::size_t n) {
    if (shard_.count > 1) n = n / static_cast<std::size_t>(shard_.count) * 9 / 8 + 64;  // the hash spreads ids evenly
    const std::size_t T = static_cast<std::size_t>(p_.months);
    p_.id.reserve(n); p_.limit.reserve(n); p_.score.reserve(n); p_.income.reserve(n);
    p_.months_on_book.reserve(n); p_.region.reserve(n);
    if (has_label_) p_.label.reserve(n);
    if (has_status_) { p_.status_code.reserve(n * T); p_.bucket.reserve(n * T); p_.type.reserve(n * T); }
    if (has_balance_) p_.balance.reserve(n * T);
    if (has_payment_) p_.payment.reserve(n * T);
    p_.features.reserve(n * src_.features.size());
  }

  // Reads one value into the staged row; false with the reason when it is refused.
  bool set(const Slot& s, const Cell& c, std::string& why) {
    Row& r = row_;
    if (!m_.na_values.empty() && is_na(c)) return na(s, why);
    switch (s.kind) {
      case Slot::kId: return to_id(c, r.id, why);
      case Slot::kLimit:
        if (!to_cents(c, m_.money_scale, r.limit, why)) return false;
        if (r.limit < 0) return fail(why, "a limit must not be negative, got " + cell_text(c));
        return true;
      case Slot::kScore: {
        double x = 0.0;
        if (!to_real(c, x, why)) return false;
        if (x < 350.0 || x > 950.0) return fail(why, "a score must be in [350, 950], got " + cell_text(c));
        r.score = static_cast<float>(x);
        return true;
      }
      case Slot::kIncome:
        if (!to_cents(c, m_.money_scale, r.income, why)) return false;
        if (r.income < 0) return fail(why, "an income must not be negative, got " + cell_text(c));
        return true;
      case Slot::kMob: {
        std::int64_t x = 0;
        if (!to_int(c, x, why)) return false;
        if (x < 0 || x > std::numeric_limits<std::int32_t>::max())
          return fail(why, "months on book must be a non-negative 32-bit integer, got " + cell_text(c));
        r.mob = static_cast<std::int32_t>(x);
        return true;
      }
      case Slot::kRegion: return region(c, why);
      case Slot::kLabel: {
        if (c.kind == Cell::kText && c.text.empty()) {
          r.label = -1;  // not known for this customer
          return true;
        }
        std::int64_t x = 0;
        if (!to_int(c, x, why) || x < -1 || x > 1)
          return fail(why, "a label must be 0 or 1 (-1 or empty: unknown), got " + cell_text(c));
        r.label = static_cast<std::int8_t>(x);
        return true;
      }
      case Slot::kStatus: return status(s.month, c, why);
      case Slot::kBalance: return to_cents(c, m_.money_scale, r.balance[s.month], why);
      case Slot::kPayment:
        if (!to_cents(c, m_.money_scale, r.payment[s.month], why)) return false;
        if (r.payment[s.month] < 0) return fail(why, "a payment must not be negative, got " + cell_text(c));
        return true;
      case Slot::kSource: {
        double x = 0.0;
        if (!to_real(c, x, why)) return false;
        r.source[static_cast<std::size_t>(s.month)] = x;
        return true;
      }
    }
    return true;
  }

  // Appends the staged row, after the fill rules, if its id is the shard's;
  // pos is its line (CSV) or row (HDF5). A row the rules refuse is a bad row
  // (bad()). Every shard applies the rules to every row, so the refusals and
  // the fill counts are the whole file's on each (as with one shard).
  void commit(std::int64_t pos) {
    Row& r = row_;
    if (!resolve(fail_column_, fail_why_)) {
      bad(where(pos, fail_column_) + ": " + fail_why_);
      return;
    }
    for (std::size_t k = 0; k < src_.features.size(); ++k)
      if (std::isnan(r.source[static_cast<std::size_t>(src_.features[k])]))
        ++na_count_["column " + src_.feature_columns[k] + ": NA, a scorecard input (filled by it)"];
    if (m_.id_from_row) r.id = static_cast<std::uint64_t>(p_.rows_read);
    if (!shard_.owns(r.id)) {
      end_row();
      return;
    }
    const std::size_t i = p_.id.size();
    if (pos != next_pos_) jumps_.emplace_back(i, pos);
    next_pos_ = pos + 1;
    if (i > 0 && r.id <= p_.id.back()) ids_ascending_ = false;
    p_.id.push_back(r.id);
    p_.limit.push_back(r.limit);
    p_.score.push_back(r.score);
    p_.income.push_back(r.income);
    p_.months_on_book.push_back(r.mob);
    p_.region.push_back(has_region_ ? r.region : 0);
    if (has_label_) p_.label.push_back(r.label);
    if (has_status_) {
      p_.status_code.insert(p_.status_code.end(), r.status.begin(), r.status.end());
      p_.bucket.insert(p_.bucket.end(), r.bucket.begin(), r.bucket.end());
      p_.type.insert(p_.type.end(), r.type.begin(), r.type.end());
    }
    if (has_balance_) p_.balance.insert(p_.balance.end(), r.balance.begin(), r.balance.end());
    if (has_payment_) p_.payment.insert(p_.payment.end(), r.payment.begin(), r.payment.end());
    for (std::size_t k = 0; k < src_.features.size(); ++k)
      p_.features.push_back(static_cast<float>(r.source[static_cast<std::size_t>(src_.features[k])]));
    if (rank_keys_) rank_key_.push_back(r.rank_key);
    if (score_na_) score_filled_.push_back(r.na_score ? 1 : 0);
    end_row();
  }

  // "file:line: column 'X'" (CSV) or "file: row N: dataset 'X'" (HDF5).
  std::string where(std::int64_t pos, const std::string& column) const {
    return csv_ ? file_ + ":" + std::to_string(pos) + ": column '" + column + "'"
                : file_ + ": row " + std::to_string(pos) + ": dataset '" + column + "'";
  }

  // A refused row: throws (kError) or counts it (kSkip).
  void bad(const std::string& message) {
    end_row();
    if (policy_ == BadRowPolicy::kError) throw ConfigError(message);
    ++p_.rows_skipped;
    if (p_.skipped_examples.size() < kMaxExamples) p_.skipped_examples.push_back(message);
  }

  // Duplicate ids, the zero-good-rows check, the rank and scorecard scores and
  // the fill counts, once every row is in. A shard may be empty while the file
  // is not; it leaves the limit-rank scores unset (its caller ranks them across
  // the shards: load_panel refuses the other rank rules with several shards).
  void finish(const std::string& id_column) {
    if (p_.id.empty() && (shard_.count == 1 || p_.rows_read == 0 || p_.rows_skipped == p_.rows_read)) {
      std::string why = p_.rows_read == 0 ? "no data rows" : "no usable rows: all " + std::to_string(p_.rows_read) +
                                                                 " data rows were refused";
      if (!p_.skipped_examples.empty()) why += " (the first: " + p_.skipped_examples.front() + ")";
      throw ConfigError(file_ + ": " + why);
    }
    duplicates(id_column);
    if (scores_by_limit_rank(m_)) {
      if (shard_.count == 1) apply_limit_rank_scores(p_, limit_counts(p_), m_.score.mean, m_.score.sd);
    } else if (m_.score.kind == ScoreRule::Kind::kRank) {
      rank_scores();
    }
    if (m_.score.kind == ScoreRule::Kind::kScorecard) {
      p_.scorecard = m_.score.scorecard;
      p_.score_mean = m_.score.mean;
      p_.score_sd = m_.score.sd;
      p_.score = scores_at(p_, p_.months - 1);
    }
    for (const auto& [what, n] : na_count_) p_.filled[what] += n;
    rank_key_ = {};
    score_filled_ = {};
  }

  // The column of the id ("" with id = { row_number = true }), for messages.
  static std::string id_column(const Mapping& m) {
    return m.id_from_row ? std::string("row number") : m.columns.at("id");
  }

 private:
  struct Row {
    std::uint64_t id = 0;
    std::int64_t limit = 0, income = 0;
    float score = 0.0f;
    std::int32_t mob = 0, region = 0;
    std::int8_t label = -1;
    bool na_limit = false, na_income = false, na_score = false, na_mob = false, na_balance = false;
    double rank_key = 0.0;
    std::vector<std::int16_t> status;
    std::vector<std::int8_t> bucket;       // -1: no status column read yet this row
    std::vector<UsageType> type;
    std::vector<std::int64_t> balance, payment;
    std::vector<double> source;            // Sources' columns; NaN = NA
  };

  static bool fail(std::string& why, std::string reason) {
    why = std::move(reason);
    return false;
  }

  bool is_na(const Cell& c) const {
    if (c.kind == Cell::kText) return std::find(m_.na_values.begin(), m_.na_values.end(), c.text) != m_.na_values.end();
    double x = 0.0;
    switch (c.kind) {
      case Cell::kReal:
        if (std::isnan(c.d)) return true;
        x = c.d;
        break;
      case Cell::kInt: x = static_cast<double>(c.i); break;
      default: x = static_cast<double>(c.u); break;
    }
    return std::find(na_numbers_.begin(), na_numbers_.end(), x) != na_numbers_.end();
  }

  // An NA cell: filled later by the field's rule, or refused.
  bool na(const Slot& s, std::string& why) {
    Row& r = row_;
    auto fallback = [&](bool has_rule, bool& flag, const char* field) {
      if (has_rule) return flag = true;
      return fail(why, std::string("NA: no value, and [defaults] ") + field + " gives no fill for it");
    };
    switch (s.kind) {
      case Slot::kLimit: return fallback(m_.limit.kind != MoneyRule::Kind::kNone, r.na_limit, "limit");
      case Slot::kIncome: return fallback(m_.income.kind != MoneyRule::Kind::kNone, r.na_income, "income");
      case Slot::kScore: return fallback(m_.score_fallback, r.na_score, "score");
      case Slot::kMob: return fallback(m_.mob_fallback, r.na_mob, "months_on_book");
      case Slot::kBalance:
        if (!panel_) return fallback(m_.balance.kind != MoneyRule::Kind::kNone, r.na_balance, "balance");
        return fail(why, "NA: a monthly balance is required");
      case Slot::kLabel:
        r.label = -1;
        ++na_count_["label: NA, unknown"];
        return true;
      case Slot::kSource:
        r.source[static_cast<std::size_t>(s.month)] = std::numeric_limits<double>::quiet_NaN();
        return true;
      case Slot::kId: return fail(why, "NA: an id is required");
      case Slot::kStatus: return fail(why, "NA: a status is required");
      case Slot::kRegion: return fail(why, "NA: a region is required");
      case Slot::kPayment: return fail(why, "NA: a monthly payment is required");
    }
    return true;
  }

  // A money rule's value for this row (cents); false with the column and reason when it cannot be made.
  bool apply(const MoneyRule& rule, const char* field, int source, std::int64_t other, std::int64_t& out,
             std::string& column, std::string& why) {
    switch (rule.kind) {
      case MoneyRule::Kind::kNone: out = 0; return true;
      case MoneyRule::Kind::kConstant: out = rule.cents; return true;
      case MoneyRule::Kind::kFromField:
        // income = limit / multiple keeps the division (the UCI mapping's income, bit for bit).
        out = field[0] == 'i' ? std::llround(static_cast<double>(other) / rule.multiple)
                              : std::llround(static_cast<double>(other) * rule.multiple);
        return true;
      case MoneyRule::Kind::kColumn:
      case MoneyRule::Kind::kRatio: {
        const double x = row_.source[static_cast<std::size_t>(source)];
        column = rule.column;
        if (std::isnan(x)) return fail(why, std::string("NA: defaults.") + field + " needs a value here");
        double units = 0.0;
        if (rule.kind == MoneyRule::Kind::kColumn) {
          units = x * m_.money_scale * rule.multiple;
          if (units < 0.0) return fail(why, std::string("defaults.") + field + " would be negative: " + fmt_double(x));
        } else {
          double ratio = x;
          if (rule.max_ratio > 0.0 && ratio > rule.max_ratio) {
            ratio = rule.max_ratio;
            ++p_.ratio_capped;
          }
          units = ratio * static_cast<double>(other) / 100.0;
        }
        if (std::fabs(units) > kMaxMoney)
          return fail(why, std::string("defaults.") + field + " out of range: more than 1e12 currency units");
        out = std::llround(units * 100.0);
        return true;
      }
    }
    return true;
  }

  // The fill rules of the staged row.
  bool resolve(std::string& column, std::string& why) {
    Row& r = row_;
    const bool limit_known = has_limit_ && !r.na_limit, income_known = has_income_ && !r.na_income;
    auto fill_income = [&]() {
      if (income_known) return true;
      if (r.na_income) ++na_count_["income: NA, filled by defaults.income"];
      return apply(m_.income, "income", src_.income, r.limit, r.income, column, why);
    };
    auto fill_limit = [&]() {
      if (limit_known) return true;
      if (r.na_limit) ++na_count_["limit: NA, filled by defaults.limit"];
      return apply(m_.limit, "limit", src_.limit, r.income, r.limit, column, why);
    };
    if (m_.limit.kind == MoneyRule::Kind::kFromField && !limit_known) {
      if (!fill_income() || !fill_limit()) return false;
    } else if (!fill_limit() || !fill_income()) {
      return false;
    }
    if (!panel_ && has_balance_ && !(has_balance_col_ && !r.na_balance)) {
      if (r.na_balance) ++na_count_["balance: NA, filled by defaults.balance"];
      if (!apply(m_.balance, "balance", src_.balance, r.limit, r.balance[0], column, why)) return false;
    }
    if (!has_mob_ || r.na_mob) {
      if (r.na_mob) ++na_count_["months_on_book: NA, filled by defaults.months_on_book"];
      r.mob = m_.months_on_book;
    }
    if (!has_score_ || r.na_score) {
      if (r.na_score) ++na_count_["score: NA, filled by defaults.score"];
      if (m_.score.kind == ScoreRule::Kind::kConstant) {
        r.score = static_cast<float>(m_.score.value);
      } else {
        r.score = std::numeric_limits<float>::quiet_NaN();  // filled in finish()
      }
    }
    if (rank_keys_) {
      if (src_.rank >= 0) {
        r.rank_key = r.source[static_cast<std::size_t>(src_.rank)];
        if (std::isnan(r.rank_key)) ++na_count_["score: NA in " + m_.score.rank_column + ", the middle rank"];
      } else {
        r.rank_key = static_cast<double>(m_.score.rank_field == "income" ? r.income
                                         : m_.score.rank_field == "balance" ? r.balance[0]
                                                                             : r.limit);
      }
    }
    if (!m_.status_from_counts.empty()) {
      std::int32_t b = 0;
      for (std::size_t k = 0; k < src_.counts.size(); ++k) {
        const CountRule& rule = m_.status_from_counts[k];
        const double x = r.source[static_cast<std::size_t>(src_.counts[k])];
        column = rule.column;
        if (std::isnan(x)) return fail(why, "NA: status.from_counts needs a count of past-due events");
        if (x < 0.0) return fail(why, "a count of past-due events must not be negative, got " + fmt_double(x));
        if (x >= rule.min_count) b = std::max(b, rule.bucket);
      }
      r.bucket[0] = static_cast<std::int8_t>(b);
      r.status[0] = 0;
      r.type[0] = UsageType::kNone;
    }
    if (has_status_)
      for (std::int8_t& b : r.bucket) b = std::max<std::int8_t>(b, 0);
    return true;
  }

  // Clears what a row accumulates (the worst status, the NA flags).
  void end_row() {
    Row& r = row_;
    std::fill(r.bucket.begin(), r.bucket.end(), -1);
    r.na_limit = r.na_income = r.na_score = r.na_mob = r.na_balance = false;
    r.label = -1;
  }

  bool status(std::int32_t t, const Cell& c, std::string& why) {
    std::int64_t code = 0;
    if (!to_int(c, code, why)) return fail(why, "a status must be an integer code, got " + cell_text(c));
    StatusCode sc{-1, UsageType::kNone};
    if (!code_table_.empty()) {
      if (code >= code_min_ && code - code_min_ < static_cast<std::int64_t>(code_table_.size()))
        sc = code_table_[static_cast<std::size_t>(code - code_min_)];
    } else {
      const auto it = m_.codes.find(code);
      if (it != m_.codes.end()) sc = it->second;
    }
    if (sc.bucket < 0) {
      std::string listed;
      for (const auto& kv : m_.codes) listed += (listed.empty() ? "" : ", ") + std::to_string(kv.first);
      return fail(why, "status code " + std::to_string(code) + " is not in status.codes (" + listed + ")");
    }
    // Several status columns (fields.status = [...]): the worst bucket wins, the first of equals.
    if (sc.bucket > row_.bucket[t]) {
      row_.status[t] = static_cast<std::int16_t>(code);
      row_.bucket[t] = static_cast<std::int8_t>(sc.bucket);
      row_.type[t] = sc.type;
    }
    return true;
  }

  bool region(const Cell& c, std::string& why) {
    const auto& names = m_.region_names;
    if (c.kind == Cell::kText) {
      const auto it = std::find(names.begin(), names.end(), c.text);
      if (it == names.end()) {
        std::string listed;
        for (const auto& n : names) listed += (listed.empty() ? "" : ", ") + n;
        return fail(why, "region " + show(c.text) + " is not in regions.names (" + listed + ")");
      }
      row_.region = static_cast<std::int32_t>(it - names.begin());
      return true;
    }
    std::int64_t x = 0;
    if (!to_int(c, x, why) || x < 0 || x >= static_cast<std::int64_t>(names.size()))
      return fail(why, "a region index must be 0.." + std::to_string(names.size() - 1) + " (into regions.names), got " +
                           cell_text(c));
    row_.region = static_cast<std::int32_t>(x);
    return true;
  }

  std::int64_t position(std::size_t i) const {
    auto it = std::upper_bound(jumps_.begin(), jumps_.end(), i,
                               [](std::size_t v, const std::pair<std::size_t, std::int64_t>& j) { return v < j.first; });
    --it;  // the first row is always a jump
    return it->second + static_cast<std::int64_t>(i - it->first);
  }

  // Sorting the ids finds every repeat without a hash of all of them; the
  // first occurrence (in file order) is kept. Row indices are 32-bit where
  // they fit, so the temporary costs 4 bytes a row.
  void duplicates(const std::string& id_column) {
    if (ids_ascending_) return;
    if (p_.id.size() < (std::size_t{1} << 32)) {
      duplicates<std::uint32_t>(id_column);
    } else {
      duplicates<std::size_t>(id_column);
    }
  }

  template <class Index>
  void duplicates(const std::string& id_column) {
    const std::size_t n = p_.id.size();
    std::vector<Index> order(n);
    std::iota(order.begin(), order.end(), Index{0});
    std::sort(order.begin(), order.end(), [&](Index a, Index b) {
      return p_.id[a] != p_.id[b] ? p_.id[a] < p_.id[b] : a < b;
    });
    std::vector<std::pair<std::size_t, std::size_t>> dup;  // (repeat, first)
    for (std::size_t k = 1, first = order[0]; k < n; ++k) {
      if (p_.id[order[k]] == p_.id[first]) {
        dup.emplace_back(order[k], first);
      } else {
        first = order[k];
      }
    }
    if (dup.empty()) return;
    std::sort(dup.begin(), dup.end());  // file order: kError reports the first repeat in the file
    const char* unit = csv_ ? "line " : "row ";
    std::vector<char> keep(n, 1);
    for (const auto& [again, first] : dup) {
      bad(where(position(again), id_column) + ": id " + std::to_string(p_.id[again]) + " is repeated: it is also on " +
          unit + std::to_string(position(first)));
      ++p_.duplicates_skipped;
      keep[again] = 0;
    }
    compact(keep);
  }

  template <class T>
  static void compact(std::vector<T>& v, const std::vector<char>& keep, std::size_t stride) {
    if (v.empty()) return;
    std::size_t out = 0;
    for (std::size_t i = 0; i < keep.size(); ++i) {
      if (!keep[i]) continue;
      if (out != i) std::copy_n(v.begin() + i * stride, stride, v.begin() + out * stride);
      ++out;
    }
    v.resize(out * stride);
  }

  void compact(const std::vector<char>& keep) {
    const std::size_t T = static_cast<std::size_t>(p_.months);
    compact(p_.id, keep, 1); compact(p_.limit, keep, 1); compact(p_.score, keep, 1); compact(p_.income, keep, 1);
    compact(p_.months_on_book, keep, 1); compact(p_.region, keep, 1); compact(p_.label, keep, 1);
    compact(p_.status_code, keep, T); compact(p_.bucket, keep, T); compact(p_.type, keep, T);
    compact(p_.balance, keep, T); compact(p_.payment, keep, T);
    compact(p_.features, keep, src_.features.size());
    compact(rank_key_, keep, 1); compact(score_filled_, keep, 1);
  }

  // The rank rules other than the plain limit rank (rank_scores.hpp).
  void rank_scores() {
    apply_rank_scores(p_, m_.score, rank_keys_ ? &rank_key_ : nullptr, has_score_, score_filled_);
  }

  const Mapping& m_;
  BadRowPolicy policy_;
  std::string file_;
  bool csv_;
  Shard shard_;
  Sources src_;
  Panel p_;
  Row row_;
  bool panel_ = false, has_status_ = false, has_balance_ = false, has_payment_ = false, has_score_ = false;
  bool has_income_ = false, has_limit_ = false, has_balance_col_ = false, has_mob_ = false, has_region_ = false;
  bool has_label_ = false;
  // Kept per row until finish(): the ranked values (rules other than the limit rank) and which scores were NA.
  bool rank_keys_ = m_.score.kind == ScoreRule::Kind::kRank && !(m_.score.rank_field == "limit" && m_.score.rank_column.empty());
  bool score_na_ = m_.score_fallback;
  std::vector<double> rank_key_;
  std::vector<char> score_filled_;
  std::vector<double> na_numbers_;        // na_values that are numbers (HDF5 cells)
  std::string fail_column_, fail_why_;    // why resolve() refused the row (kept, so a good row allocates nothing)
  std::map<std::string, std::int64_t> na_count_;
  std::int64_t code_min_ = 0;
  std::vector<StatusCode> code_table_;  // code_min_ + k -> its bucket and type; bucket -1 where not listed
  bool ids_ascending_ = true;
  // Rows whose position is not the previous row's + 1 (the first row, rows
  // after skipped or multi-line records): enough to name any row's line.
  std::vector<std::pair<std::size_t, std::int64_t>> jumps_;
  std::int64_t next_pos_ = -1;
};

class Sha256;
// The two readers (src/data/csv_reader.cpp, src/data/hdf5_reader.cpp). read_csv
// feeds every byte it reads to `hash` when given.
void read_csv(const std::string& file, const Mapping& m, Builder& out, Sha256* hash);
void read_hdf5(const std::string& file, const Mapping& m, Builder& out);

}  // namespace loading
}  // namespace limitsim
