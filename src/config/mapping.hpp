// Mapping files (docs/data.md "The mapping file"): how a data file's columns
// become customer fields and model states. Read here, with the other TOML
// files; src/data/ reads the data file through it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kernels/params.hpp"
#include "src/config/scorecard.hpp"

namespace limitsim {

// What a status code says about a month besides its delinquency bucket.
enum class UsageType : std::int8_t {
  kNone = 0,        // not stated (e.g. a delinquent code)
  kInactive = 1,    // no use of the card that month (UCI: -2 "no consumption")
  kTransactor = 2,  // paid the statement in full (UCI: -1)
  kRevolver = 3,    // revolved: paid at least the minimum, not in full (UCI: 0)
};

// The bucket of a status meaning the account has been charged off (past the
// model's last bucket; mapping `bucket = "charged_off"`). Calibration counts a
// move into it as a charge-off; a population leaves such accounts out.
constexpr std::int32_t kChargedOffBucket = kMaxBuckets;

// Status codes are stored in 16 bits (Panel::status_code).
constexpr std::int64_t kMinStatusCode = -32768;
constexpr std::int64_t kMaxStatusCode = 32767;

struct StatusCode {
  std::int32_t bucket = 0;             // 0 current, 1..6 delinquency buckets (docs/model.md), or kChargedOffBucket
  UsageType type = UsageType::kNone;
};

// How the score of a customer without a score column (or with an NA in it) is made.
struct ScoreRule {
  enum class Kind { kConstant, kRank, kScorecard } kind = Kind::kConstant;
  double value = 680.0;   // kConstant
  // kRank: score = mean + sd * Phi^-1((rank - 0.5) / n), ties get their mean rank, rank 1 the worst;
  // kScorecard: score = mean - sd * (eta - eta_mean) / eta_sd.
  double mean = 680.0;
  double sd = 80.0;
  std::string rank_field;          // kRank: "limit", "income" or "balance", or "" for ...
  std::string rank_column;         // ... a column of the file
  bool higher_is_better = true;    // kRank: the direction of the ranked value
  std::string scorecard_file;      // kScorecard: the scorecard file (absolute once read) ...
  std::shared_ptr<const Scorecard> scorecard;  // ... and its contents
};

// How a money field (limit, income, a snapshot's balance) is filled where the
// file has no value: no column, or an NA cell (with [source] na_values).
struct MoneyRule {
  enum class Kind {
    kNone,       // no rule: the field's column is required (balance: 0)
    kConstant,   // cents
    kFromField,  // limit = income x multiple; income = limit / multiple (from the filled other field)
    kColumn,     // column x multiple (the file's money units, scaled by money_scale)
    kRatio,      // balance = column x limit: a utilization ratio; capped at max_ratio when > 0
  } kind = Kind::kNone;
  std::int64_t cents = 0;   // kConstant
  double multiple = 0.0;    // kFromField, kColumn
  std::string column;       // kColumn, kRatio
  double max_ratio = 0.0;   // kRatio
};

// A snapshot's bucket from counts of past-due events: the worst bucket whose
// column holds at least min_count ([status] from_counts; docs/data.md).
struct CountRule {
  std::string column;
  std::int32_t bucket = 1;     // 1..6, or kChargedOffBucket
  double min_count = 1.0;
};

// A validated mapping file.
struct Mapping {
  std::string source;                  // the mapping file
  std::string format;                  // "csv" | "hdf5" | "" = from the data file's extension
  char delimiter = ',';
  double money_scale = 1.0;            // currency units per unit in the file: cents = round(value * scale * 100)
  // Cell texts that mean "no value" (CSV, compared after trimming; HDF5: NaN, and the numeric ones).
  std::vector<std::string> na_values;
  // Static fields: field name -> column (CSV header name, or HDF5 dataset path; "" is the CSV column
  // whose header is empty). Known fields: id, limit, balance, status, score, income, months_on_book, region, label.
  std::map<std::string, std::string> columns;
  bool id_from_row = false;            // fields.id = { row_number = true }: the id is the data row's number, 1-based
  std::vector<std::string> snapshot_status_columns;  // fields.status: one or more columns; the worst bucket wins
  std::vector<CountRule> status_from_counts;         // [status] from_counts (snapshot only)
  // Monthly panel, oldest month first; each series is empty or has months.size() columns.
  std::vector<std::string> months;           // month names, e.g. "2005-04"
  std::vector<std::string> status_columns;
  std::vector<std::string> balance_columns;
  std::vector<std::string> payment_columns;
  // Status code -> bucket and usage type. Every status value in the data must be listed.
  std::map<std::int64_t, StatusCode> codes;
  // Region names of a region column (the values it may hold); a customer's region index is its position here.
  std::vector<std::string> region_names;
  // What the label means ([label]): the customer reaches bucket >= label_min_bucket (or is charged off)
  // at a month end within label_horizon months after the last panel month (the snapshot).
  bool label_defined = false;          // [label] given (a snapshot backtest needs it)
  std::int32_t label_horizon = 1;
  std::int32_t label_min_bucket = 1;
  // Columns offered to `limitsim calibrate --scorecard` as inputs ([scorecard] columns).
  std::vector<std::string> feature_columns;
  bool allow_protected = false;        // [scorecard] protected_attributes = true
  // Fills for fields the data lacks (or holds as NA).
  ScoreRule score;
  MoneyRule limit, income, balance;
  std::int32_t months_on_book = 24;    // when no months_on_book column (or NA)
  bool score_fallback = false, mob_fallback = false;  // [defaults] given for a field that has a column (NA cells)
};

// The default income when neither a column nor [defaults] income gives one: 6000 currency units.
constexpr std::int64_t kDefaultIncomeCents = 600000;

// Parses and validates a mapping file. Throws ConfigError naming the file, line, key and reason.
Mapping load_mapping(const std::string& path);

}  // namespace limitsim
