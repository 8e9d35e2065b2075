// Real customer data: the mapping that says how a file's columns become
// customer fields and model states, the monthly panel read through it, and the
// population (one snapshot month) that a run simulates from.
//
// A data file (CSV, or HDF5 1-D column datasets of equal length) holds one row
// per customer: static fields (id, limit, ...) and optionally a panel of
// monthly series (status code, statement balance, payment). The mapping file
// format is documented in docs/data.md.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "src/config/config.hpp"
#include "src/data/population.hpp"

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

enum class BadRowPolicy { kError, kSkip };

// One customer per row; monthly arrays are [customer * months + t], oldest month first.
struct Panel {
  std::string source;                   // the data file
  std::string sha256;                   // of the data file
  std::vector<std::string> month_names; // empty when the mapping has no panel
  std::int32_t months = 0;

  std::vector<std::uint64_t> id;
  std::vector<std::int64_t> limit;      // cents
  std::vector<float> score;             // given or filled by the mapping's score rule
  std::vector<std::int64_t> income;     // cents, given or filled
  std::vector<std::int32_t> months_on_book;  // at the last panel month (or the snapshot)
  std::vector<std::int32_t> region;     // index into region_names (0 when there is no region column)
  std::vector<std::string> region_names;
  std::vector<std::int8_t> label;       // outcome column (0/1), -1 where absent; empty without a label column

  // Monthly series (empty when the panel lacks them). Without a panel, a
  // snapshot's balance / status columns load as a one-month panel.
  std::vector<std::int64_t> status_code;  // raw code
  std::vector<std::int8_t> bucket;        // mapped
  std::vector<UsageType> type;            // mapped
  std::vector<std::int64_t> balance;      // statement balance, cents (may be negative: a credit)
  std::vector<std::int64_t> payment;      // paid during the month, cents

  std::int64_t rows_read = 0;           // data rows in the file
  std::int64_t rows_skipped = 0;        // with --on-bad-row=skip
  std::vector<std::string> skipped_examples;  // the first few skip messages (file:line: column: reason)

  std::int64_t size() const { return static_cast<std::int64_t>(id.size()); }
  std::size_t at(std::int64_t i, std::int32_t t) const { return static_cast<std::size_t>(i) * months + t; }
};

// Reads a data file through a mapping, streaming (the file's text is never
// held whole). Malformed rows (wrong field count, unparsable numbers, NaN,
// negative limits, unknown status codes, unknown regions, duplicate ids) are
// reported as "file:line: column 'X': reason"; kError throws ConfigError at
// the first, kSkip skips them and counts them.
Panel load_panel(const std::string& data_file, const Mapping& m, BadRowPolicy bad_rows);

// How load_panel computes Panel::sha256: on a second thread reading the file
// alongside the parser (the 3-argument default: it keeps the hash off the
// parser's core when a second core is free), inside the CSV read loop, or in
// a second pass after parsing; docs/data.md measures all three. HDF5 files are
// not read as one byte stream, so kInline hashes them in a second pass.
enum class HashMode { kConcurrent, kInline, kSecondPass };
Panel load_panel(const std::string& data_file, const Mapping& m, BadRowPolicy bad_rows, HashMode hash);

// SHA-256 of a file's bytes as 64 lowercase hex digits (self-contained, FIPS
// 180-4; the x86 SHA instructions where the CPU has them, unless portable_only).
std::string sha256_file(const std::string& path, bool portable_only = false);

// Per-customer behaviour attributes estimated from a customer's own panel months
// [0, as_of] (docs/data.md "From panel to population"), shrunk towards the
// panel-wide means so a short history gives sensible values.
struct CustomerHabits {
  bool transactor;
  float activity, spend_propensity, revolve_shape;
};

// Shrinkage weight of the panel-wide means: a customer's estimate counts its
// own observed months plus this many months at the panel-wide mean. A choice,
// not a published figure (docs/data.md).
constexpr double kHabitPseudoMonths = 3.0;
// The revolve_shape estimate is clamped to this range.
constexpr double kMinRevolveShape = 0.05;
constexpr double kMaxRevolveShape = 50.0;

// The population a run starts from: each customer's state at the end of panel
// month `as_of` (0-based; the last month when negative): balance, bucket and
// limit of that month, habits from months up to it, risk = -(score - mean) / sd
// of the population's score parameters, segment = score band x regions + region;
// bp gives the minimum payment behind the revolver payment shape.
// Customers keep their ids.
// Customers charged off by month `as_of` (their status that month maps to
// kChargedOffBucket) are left out: the population holds the others, in panel
// order, and rows_in_population (when given) receives their panel rows.
Population population_from_panel(const Panel& p, std::int32_t as_of, const PopulationConfig& pc,
                                const BehaviourParams& bp, std::vector<std::int64_t>* rows_in_population = nullptr);

}  // namespace limitsim
