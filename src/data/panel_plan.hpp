// What a mapping asks of each row (Slot, Sources, plan): the columns read and the fields they fill, which
// the row checks (panel_builder.hpp) walk for every row.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "src/data/features.hpp"
#include "src/data/panel.hpp"

namespace limitsim {
namespace loading {

// One mapped column and what it fills.
struct Slot {
  enum Kind { kId, kLimit, kScore, kIncome, kMob, kRegion, kLabel, kStatus, kBalance, kPayment, kSource } kind;
  std::int32_t month;   // series month (0 for a snapshot's balance / status); kSource: the source index
  std::string column;   // CSV header name or HDF5 dataset path
  std::string key;      // the mapping key that names it, for messages
  std::size_t field = 0;  // CSV: position in the header
};

// The columns that fill rules, rank rules, count rules and scorecard inputs read (each once).
struct Sources {
  std::vector<std::string> columns;
  std::vector<std::string> keys;  // the mapping key that first names each
  int limit = -1, income = -1, balance = -1, rank = -1;
  std::vector<int> counts;        // per status.from_counts rule
  std::vector<int> features;      // per kept feature column (Panel::feature_columns)
  std::vector<std::string> feature_columns;

  int add(const std::string& column, const std::string& key) {
    const auto it = std::find(columns.begin(), columns.end(), column);
    if (it != columns.end()) return static_cast<int>(it - columns.begin());
    columns.push_back(column);
    keys.push_back(key);
    return static_cast<int>(columns.size()) - 1;
  }
};

inline Sources sources(const Mapping& m) {
  Sources s;
  if (m.limit.kind == MoneyRule::Kind::kColumn) s.limit = s.add(m.limit.column, "defaults.limit.column");
  if (m.income.kind == MoneyRule::Kind::kColumn) s.income = s.add(m.income.column, "defaults.income.column");
  if (m.balance.kind == MoneyRule::Kind::kColumn) s.balance = s.add(m.balance.column, "defaults.balance.column");
  if (m.balance.kind == MoneyRule::Kind::kRatio) s.balance = s.add(m.balance.column, "defaults.balance.ratio");
  if (m.score.kind == ScoreRule::Kind::kRank && !m.score.rank_column.empty())
    s.rank = s.add(m.score.rank_column, "defaults.score.rank_of");
  for (std::size_t k = 0; k < m.status_from_counts.size(); ++k)
    s.counts.push_back(s.add(m.status_from_counts[k].column, "status.from_counts[" + std::to_string(k) + "].column"));
  std::vector<std::string> kept = m.feature_columns;
  if (m.score.kind == ScoreRule::Kind::kScorecard)
    for (const std::string& c : m.score.scorecard->columns())
      if (std::find(kept.begin(), kept.end(), c) == kept.end()) kept.push_back(c);
  for (std::size_t k = 0; k < kept.size(); ++k) {
    const bool listed = k < m.feature_columns.size();
    s.features.push_back(s.add(kept[k], listed ? "scorecard.columns[" + std::to_string(k) + "]" : "defaults.score.scorecard"));
  }
  s.feature_columns = kept;
  return s;
}

inline std::vector<Slot> plan(const Mapping& m) {
  std::vector<Slot> s;
  auto add = [&](Slot::Kind k, const char* field) {
    const auto it = m.columns.find(field);
    if (it != m.columns.end()) s.push_back({k, 0, it->second, std::string("fields.") + field});
  };
  if (!m.id_from_row) add(Slot::kId, "id");
  add(Slot::kLimit, "limit");
  add(Slot::kScore, "score");
  add(Slot::kIncome, "income");
  add(Slot::kMob, "months_on_book");
  add(Slot::kRegion, "region");
  add(Slot::kLabel, "label");
  for (std::size_t k = 0; k < m.snapshot_status_columns.size(); ++k)
    s.push_back({Slot::kStatus, 0, m.snapshot_status_columns[k],
                 m.snapshot_status_columns.size() == 1 ? std::string("fields.status")
                                                       : "fields.status[" + std::to_string(k) + "]"});
  add(Slot::kBalance, "balance");
  auto series = [&](Slot::Kind k, const std::vector<std::string>& cols, const char* name) {
    for (std::size_t t = 0; t < cols.size(); ++t)
      s.push_back({k, static_cast<std::int32_t>(t), cols[t], std::string("panel.") + name + "[" + std::to_string(t) + "]"});
  };
  series(Slot::kStatus, m.status_columns, "status");
  series(Slot::kBalance, m.balance_columns, "balance");
  series(Slot::kPayment, m.payment_columns, "payment");
  const Sources src = sources(m);
  for (std::size_t k = 0; k < src.columns.size(); ++k)
    s.push_back({Slot::kSource, static_cast<std::int32_t>(k), src.columns[k], src.keys[k]});
  return s;
}

}  // namespace loading
}  // namespace limitsim
