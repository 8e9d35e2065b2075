// Mapping files (docs/data.md "The mapping file"): how a data file's columns
// become customer fields and model states. Read here, with the other TOML
// files; src/data/ reads the data file through it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "kernels/params.hpp"

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

struct StatusCode {
  std::int32_t bucket = 0;             // 0 current, 1..6 delinquency buckets (docs/model.md), or kChargedOffBucket
  UsageType type = UsageType::kNone;
};

// How the score of a customer without a score column is made.
struct ScoreRule {
  enum class Kind { kConstant, kLimitRank } kind = Kind::kConstant;
  double value = 680.0;   // kConstant
  double mean = 680.0;    // kLimitRank: score = mean + sd * Phi^-1((rank - 0.5) / n), ties get their mean rank
  double sd = 80.0;
};

// A validated mapping file.
struct Mapping {
  std::string source;                  // the mapping file
  std::string format;                  // "csv" | "hdf5" | "" = from the data file's extension
  char delimiter = ',';
  double money_scale = 1.0;            // currency units per unit in the file: cents = round(value * scale * 100)
  // Static fields: field name -> column (CSV header name, or HDF5 dataset path).
  // Known fields: id, limit, balance, status, score, income, months_on_book, region, label.
  std::map<std::string, std::string> columns;
  // Monthly panel, oldest month first; each series is empty or has months.size() columns.
  std::vector<std::string> months;           // month names, e.g. "2005-04"
  std::vector<std::string> status_columns;
  std::vector<std::string> balance_columns;
  std::vector<std::string> payment_columns;
  // Status code -> bucket and usage type. Every status value in the data must be listed.
  std::map<std::int64_t, StatusCode> codes;
  // Region names of a region column (the values it may hold); a customer's region index is its position here.
  std::vector<std::string> region_names;
  // Fills for fields the data lacks.
  ScoreRule score;
  double income_limit_multiple = 0.0;  // income = limit / multiple when > 0 and no income column ...
  std::int64_t income = 600000;        // ... else this constant, cents
  std::int32_t months_on_book = 24;    // when no months_on_book column
};

// Parses and validates a mapping file. Throws ConfigError naming the file, line, key and reason.
Mapping load_mapping(const std::string& path);

}  // namespace limitsim
