// Real customer data: the monthly panel read from a data file through its
// mapping (src/config/mapping.hpp), and the population (one snapshot month)
// that a run simulates from.
//
// A data file (CSV, or HDF5 1-D column datasets of equal length) holds one row
// per customer: static fields (id, limit, ...) and optionally a panel of
// monthly series (status code, statement balance, payment). The mapping file
// format is documented in docs/data.md.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "src/config/config.hpp"
#include "src/config/mapping.hpp"
#include "src/config/scorecard.hpp"
#include "src/data/population.hpp"

namespace limitsim {

enum class BadRowPolicy { kError, kSkip };

// One customer per row; monthly arrays are [customer * months + t], oldest month first.
struct Panel {
  std::string source;                   // the data file
  std::string sha256;                   // of the data file
  std::vector<std::string> month_names; // empty when the mapping has no panel
  std::int32_t months = 0;

  std::vector<std::uint64_t> id;
  std::vector<std::int64_t> limit;      // cents, given or filled
  std::vector<float> score;             // given or filled by the mapping's score rule (as of the last month)
  std::vector<std::int64_t> income;     // cents, given or filled
  std::vector<std::int32_t> months_on_book;  // at the last panel month (or the snapshot)
  std::vector<std::int32_t> region;     // index into region_names (0 when there is no region column)
  std::vector<std::string> region_names;
  std::vector<std::int8_t> label;       // outcome column (0/1), -1 where absent; empty without a label column

  // Monthly series (empty when the panel lacks them). Without a panel, a
  // snapshot's balance / status load as a one-month panel.
  std::vector<std::int16_t> status_code;  // raw code (the worst one where several columns give the status; 0 from counts)
  std::vector<std::int8_t> bucket;        // mapped
  std::vector<UsageType> type;            // mapped
  std::vector<std::int64_t> balance;      // statement balance, cents (may be negative: a credit)
  std::vector<std::int64_t> payment;      // paid during the month, cents

  // Columns kept as scorecard inputs ([scorecard] columns of the mapping, and
  // the columns a scorecard score reads): [customer * feature_columns.size() + k], NaN = NA.
  std::vector<std::string> feature_columns;
  std::vector<float> features;
  bool income_observed = false;         // income comes from a column (a behaviour feature may use it)
  // When the score comes from a scorecard (score = { scorecard = ... }), the
  // score of any month t is that scorecard applied to the months up to t
  // (score_at, src/data/features.hpp): score = score_mean - score_sd * risk.
  std::shared_ptr<const Scorecard> scorecard;
  double score_mean = 680.0, score_sd = 80.0;

  std::int64_t rows_read = 0;           // data rows in the file
  std::int64_t rows_skipped = 0;        // with --on-bad-row=skip
  std::int64_t duplicates_skipped = 0;  // of rows_skipped: repeated ids (the only skips a Shard sees alone)
  std::vector<std::string> skipped_examples;  // the first few skip messages (file:line: column: reason)
  // The load report (load_report): cells filled by a rule, per field
  // ("income: NA -> defaults.income", "label: NA -> unknown", ...), and ratios
  // capped; a Shard counts them over every row of the file, like one shard.
  std::map<std::string, std::int64_t> filled;
  std::int64_t ratio_capped = 0;

  std::int64_t size() const { return static_cast<std::int64_t>(id.size()); }
  std::size_t at(std::int64_t i, std::int32_t t) const { return static_cast<std::size_t>(i) * months + t; }
};

// A share of a data file's customers: those whose id hashes to `index` of
// `count` (a 64-bit mix of the id, modulo count). Every row of the file is
// still read and checked, so a malformed row is found by every share alike;
// the rows of an id (and so its repeats) all fall in one share. A Shard of
// count 1 is the whole file.
struct Shard {
  int index = 0, count = 1;
  bool owns(std::uint64_t id) const;
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
// Only the customers of `shard`. Their Panel differs from the whole file's in
// two ways: its scores are left unset (NaN) where the mapping ranks them by
// limit (scores_by_limit_rank: the rank is the whole file's, which the caller
// computes with limit_counts and apply_limit_rank_scores), and it may be
// empty. rows_read and the rows refused by their own values are the whole
// file's; duplicates_skipped counts the shard's repeated ids.
Panel load_panel(const std::string& data_file, const Mapping& m, BadRowPolicy bad_rows, HashMode hash,
                 const Shard& shard);

// Whether the mapping fills the score from the rank of the limit, higher
// limits better (defaults.score = { rank_of = "limit" }: every score, or with a
// score column its NA cells). The only rank rule a Shard of count > 1 accepts:
// load_panel refuses the others, whose ranks are not gathered across shards.
bool scores_by_limit_rank(const Mapping& m);
// The distinct limits of a panel with how many customers have each, ascending.
using LimitCounts = std::vector<std::pair<std::int64_t, std::int64_t>>;
LimitCounts limit_counts(const Panel& p);
// Sets every score still unset (NaN: a score the file does not give) from
// its limit's mean rank among `all` (the whole population's LimitCounts,
// which must hold every limit of p):
// score = mean + sd * Phi^-1((rank - 0.5) / n), clamped to 350..950.
void apply_limit_rank_scores(Panel& p, const LimitCounts& all, double mean, double sd);

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
//
// The panel-wide figures (the majority type, the shrinkage targets) are exact
// integer sums; when the population is split across processes, sum_across
// adds them over all of them in place (sum_all_exact), so each process's
// customers come out as from the whole panel. It is called twice, on every
// process, whatever its share.
using SumAcross = std::function<void(std::vector<__int128>&)>;
Population population_from_panel(const Panel& p, std::int32_t as_of, const PopulationConfig& pc,
                                const BehaviourParams& bp, std::vector<std::int64_t>* rows_in_population = nullptr,
                                const SumAcross& sum_across = {});

// What a load read and what the population starts from, as text for the
// terminal (docs/data.md "The load report"): rows read, kept and skipped;
// cells filled by a rule, per field; the starting mix by bucket, utilization
// band and segment; and a warning for delinquent accounts with nothing due
// (the model cures them at once). pop is population_from_panel's
// result. When the panel is one Shard of several, sum_across (called once,
// on every process) adds the kept rows and the starting mix over all of them;
// the fill counts are already the whole file's, and the caller sets
// p.rows_skipped and p.skipped_examples to the whole file's.
std::string load_report(const Panel& p, const Population& pop, const PopulationConfig& pc,
                        const SumAcross& sum_across = {});

}  // namespace limitsim
