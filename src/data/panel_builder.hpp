// The row checks both readers feed (Builder): every value is accepted or refused here, and the Panel grows.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "src/data/cell.hpp"
#include "src/data/panel.hpp"

namespace limitsim {
namespace loading {

inline constexpr std::size_t kMaxExamples = 5;  // skipped-row messages kept in Panel::skipped_examples

// One mapped column and what it fills.
struct Slot {
  enum Kind { kId, kLimit, kScore, kIncome, kMob, kRegion, kLabel, kStatus, kBalance, kPayment } kind;
  std::int32_t month;   // series month (0 for a snapshot's balance / status)
  std::string column;   // CSV header name or HDF5 dataset path
  std::string key;      // the mapping key that names it, for messages
  std::size_t field = 0;  // CSV: position in the header
};

inline std::vector<Slot> plan(const Mapping& m) {
  std::vector<Slot> s;
  auto add = [&](Slot::Kind k, const char* field) {
    const auto it = m.columns.find(field);
    if (it != m.columns.end()) s.push_back({k, 0, it->second, std::string("fields.") + field});
  };
  add(Slot::kId, "id");
  add(Slot::kLimit, "limit");
  add(Slot::kScore, "score");
  add(Slot::kIncome, "income");
  add(Slot::kMob, "months_on_book");
  add(Slot::kRegion, "region");
  add(Slot::kLabel, "label");
  add(Slot::kStatus, "status");
  add(Slot::kBalance, "balance");
  auto series = [&](Slot::Kind k, const std::vector<std::string>& cols, const char* name) {
    for (std::size_t t = 0; t < cols.size(); ++t)
      s.push_back({k, static_cast<std::int32_t>(t), cols[t], std::string("panel.") + name + "[" + std::to_string(t) + "]"});
  };
  series(Slot::kStatus, m.status_columns, "status");
  series(Slot::kBalance, m.balance_columns, "balance");
  series(Slot::kPayment, m.payment_columns, "payment");
  return s;
}

// ================================================================ Builder: the row checks and the Panel

class Builder {
 public:
  Builder(const Mapping& m, BadRowPolicy policy, std::string file, bool csv, Shard shard = {})
      : m_(m), policy_(policy), file_(std::move(file)), csv_(csv), shard_(shard) {
    p_.source = file_;
    panel_ = !m.months.empty();
    p_.month_names = m.months;
    p_.months = panel_ ? static_cast<std::int32_t>(m.months.size()) : 1;
    p_.region_names = m.region_names;
    has_status_ = panel_ ? !m.status_columns.empty() : m.columns.count("status") > 0;
    has_balance_ = panel_ ? !m.balance_columns.empty() : m.columns.count("balance") > 0;
    has_payment_ = panel_ && !m.payment_columns.empty();
    has_score_ = m.columns.count("score") > 0;
    has_income_ = m.columns.count("income") > 0;
    has_mob_ = m.columns.count("months_on_book") > 0;
    has_region_ = m.columns.count("region") > 0;
    has_label_ = m.columns.count("label") > 0;
    const std::size_t T = static_cast<std::size_t>(p_.months);
    row_.status.assign(T, 0);
    row_.bucket.assign(T, 0);
    row_.type.assign(T, UsageType::kNone);
    row_.balance.assign(T, 0);
    row_.payment.assign(T, 0);
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
  }

  // Reads one value into the staged row; false with the reason when it is refused.
  bool set(const Slot& s, const Cell& c, std::string& why) {
    Row& r = row_;
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
    }
    return true;
  }

  // Appends the staged row, if its id is the shard's; pos is its line (CSV) or row (HDF5).
  void commit(std::int64_t pos) {
    const Row& r = row_;
    if (!shard_.owns(r.id)) return;
    const std::size_t i = p_.id.size();
    if (pos != next_pos_) jumps_.emplace_back(i, pos);
    next_pos_ = pos + 1;
    if (i > 0 && r.id <= p_.id.back()) ids_ascending_ = false;
    p_.id.push_back(r.id);
    p_.limit.push_back(r.limit);
    p_.score.push_back(has_score_ ? r.score
                                  : (m_.score.kind == ScoreRule::Kind::kConstant ? static_cast<float>(m_.score.value)
                                                                                 : std::numeric_limits<float>::quiet_NaN()));
    std::int64_t income = m_.income;
    if (has_income_) {
      income = r.income;
    } else if (m_.income_limit_multiple > 0.0) {
      income = std::llround(static_cast<double>(r.limit) / m_.income_limit_multiple);
    }
    p_.income.push_back(income);
    p_.months_on_book.push_back(has_mob_ ? r.mob : m_.months_on_book);
    p_.region.push_back(has_region_ ? r.region : 0);
    if (has_label_) p_.label.push_back(r.label);
    if (has_status_) {
      p_.status_code.insert(p_.status_code.end(), r.status.begin(), r.status.end());
      p_.bucket.insert(p_.bucket.end(), r.bucket.begin(), r.bucket.end());
      p_.type.insert(p_.type.end(), r.type.begin(), r.type.end());
    }
    if (has_balance_) p_.balance.insert(p_.balance.end(), r.balance.begin(), r.balance.end());
    if (has_payment_) p_.payment.insert(p_.payment.end(), r.payment.begin(), r.payment.end());
  }

  // "file:line: column 'X'" (CSV) or "file: row N: dataset 'X'" (HDF5).
  std::string where(std::int64_t pos, const std::string& column) const {
    return csv_ ? file_ + ":" + std::to_string(pos) + ": column '" + column + "'"
                : file_ + ": row " + std::to_string(pos) + ": dataset '" + column + "'";
  }

  // A refused row: throws (kError) or counts it (kSkip).
  void bad(const std::string& message) {
    if (policy_ == BadRowPolicy::kError) throw ConfigError(message);
    ++p_.rows_skipped;
    if (p_.skipped_examples.size() < kMaxExamples) p_.skipped_examples.push_back(message);
  }

  // Duplicate ids, the zero-good-rows check and the rank scores, once every row is in.
  // A shard may be empty while the file is not; it ranks no scores (its caller
  // ranks them across the shards).
  void finish(const std::string& id_column) {
    if (p_.id.empty() && (shard_.count == 1 || p_.rows_read == 0 || p_.rows_skipped == p_.rows_read)) {
      std::string why = p_.rows_read == 0 ? "no data rows" : "no usable rows: all " + std::to_string(p_.rows_read) +
                                                                 " data rows were refused";
      if (!p_.skipped_examples.empty()) why += " (the first: " + p_.skipped_examples.front() + ")";
      throw ConfigError(file_ + ": " + why);
    }
    duplicates(id_column);
    if (shard_.count == 1 && scores_by_limit_rank(m_)) apply_limit_rank_scores(p_, limit_counts(p_), m_.score.mean, m_.score.sd);
  }

 private:
  struct Row {
    std::uint64_t id = 0;
    std::int64_t limit = 0, income = 0;
    float score = 0.0f;
    std::int32_t mob = 0, region = 0;
    std::int8_t label = -1;
    std::vector<std::int64_t> status;
    std::vector<std::int8_t> bucket;
    std::vector<UsageType> type;
    std::vector<std::int64_t> balance, payment;
  };

  static bool fail(std::string& why, std::string reason) {
    why = std::move(reason);
    return false;
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
    row_.status[t] = code;
    row_.bucket[t] = static_cast<std::int8_t>(sc.bucket);
    row_.type[t] = sc.type;
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
  // first occurrence (in file order) is kept.
  void duplicates(const std::string& id_column) {
    if (ids_ascending_) return;
    const std::size_t n = p_.id.size();
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
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
  }

  const Mapping& m_;
  BadRowPolicy policy_;
  std::string file_;
  bool csv_;
  Shard shard_;
  Panel p_;
  Row row_;
  bool panel_ = false, has_status_ = false, has_balance_ = false, has_payment_ = false, has_score_ = false;
  bool has_income_ = false, has_mob_ = false, has_region_ = false, has_label_ = false;
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
