// Tidy tables of a result file's exact sums (limitsim export): one row per scenario x policy x path x month [x segment].
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "src/engine/results.hpp"

namespace limitsim {

struct ExportOptions {
  std::vector<std::string> metrics;  // metric names as in the file (bucket_count, balance, ...); empty = all
  bool by_segment = false;           // one row per segment too (else portfolio totals)
  bool cents = false;                // money as exact int64 cents (else currency units, exact decimals)
};

// The columns, in order: scenario, policy, path, month[, segment], weight,
// then one per metric, a metric with a bucket or bin axis giving one column per
// entry named metric[label] (as python/limitsim's load_monthly wide form).
// Throws ConfigError naming the option for an unknown metric.
std::vector<std::string> export_columns(const RunResults& r, const ExportOptions& o);

// Writes the table as CSV (RFC 4180: a header row, names quoted where needed).
void write_export_csv(const RunResults& r, const ExportOptions& o, std::ostream& out);

}  // namespace limitsim
