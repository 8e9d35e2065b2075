// The result file's schema as tables the writer and the reader share: metric groups, names, paths, attributes.
#pragma once

#include <hdf5.h>

#include <cstddef>
#include <string>
#include <vector>

#include "src/io/h5io.hpp"

namespace limitsim {
namespace h5 {

// Consecutive metrics sharing one MetricInfo (bucket and histogram columns)
// form one dataset with an extra trailing dimension.
struct MetricGroup {
  int first;
  int width;
  const MetricInfo* info;
};

const std::vector<MetricGroup>& metric_groups();

// "current,1-30,...,151-180" and "0,(0-10%],...,>100%": the labels of the bucket and bin dimensions.
std::string bucket_labels();
std::string bin_labels();

struct ExtraDim {
  const char* name;  // nullptr: a scalar metric
  std::string labels;
};

ExtraDim extra_dim(const MetricGroup& g);

// The description attribute of a metric's datasets.
const char* metric_description(const char* name);
// Description of vintage metric m (kernels/metrics.hpp VintageMetric) in the vintages group (schema 1.5).
const char* vintage_metric_description(int metric);

struct MetaString {
  const char* name;
  std::string RunMetadata::*field;
};
inline const MetaString kMetaStrings[] = {
    {"run_name", &RunMetadata::name},
    {"limitsim_version", &RunMetadata::limitsim_version}, {"git_commit", &RunMetadata::git_commit},
    {"backend", &RunMetadata::backend},                   {"device", &RunMetadata::device},
    {"created_utc", &RunMetadata::created_utc},           {"config_file", &RunMetadata::config_file},
    {"baseline_policy", &RunMetadata::baseline_policy},
};

struct TailField {
  const char* name;
  const char* units;
  const char* description;
  double TailEstimate::*field;
};
inline const TailField kTailFields[] = {
    {"level", "share", "tail level q", &TailEstimate::level},
    {"var", "currency", "VaR_q of losses/net_loss: order statistic ceil(q * paths) (weighted: mass rule)",
     &TailEstimate::var},
    {"var_lo", "currency",
     "lower end of the 95% CI of VaR_q: order statistics, or bootstrap percentile when weighted (NaN: too few paths)",
     &TailEstimate::var_lo},
    {"var_hi", "currency",
     "upper end of the 95% CI of VaR_q: order statistics, or bootstrap percentile when weighted (NaN: too few paths)",
     &TailEstimate::var_hi},
    {"var_se", "currency", "bootstrap standard error of VaR_q", &TailEstimate::var_se},
    {"es", "currency", "ES_q: (weighted) mean of the losses at or beyond VaR_q", &TailEstimate::es},
    {"es_se", "currency", "bootstrap standard error of ES_q", &TailEstimate::es_se},
    {"es_lo", "currency", "lower end of the 95% bootstrap percentile CI of ES_q", &TailEstimate::es_lo},
    {"es_hi", "currency", "upper end of the 95% bootstrap percentile CI of ES_q", &TailEstimate::es_hi},
};

// The columns of the /comparison and /stress tables, in order (docs/hdf5-schema.md).
inline constexpr const char* kComparisonColumns =
    "scenario,policy,figure,month,unit,value,se,diff,diff_lo,diff_hi,pairing_ratio";

// Group names of scenarios and policies: '%' and '/' percent-encoded, "." as "%2E".
std::string group_name(const std::string& name);

std::string combo_path(const std::string& scenario, const std::string& policy);

// Calls f(row, cell) for every (path, month, segment) of paths [p0, p0 + n), in
// row-major order: row counts them from 0, cell = r.cell_index(path, month, segment, 0).
template <class F>
void for_each_cell(const RunResults& r, hsize_t p0, hsize_t n, F f) {
  std::size_t row = 0;
  for (hsize_t p = p0; p < p0 + n; ++p)
    for (int t = 0; t < r.months; ++t)
      for (int g = 0; g < r.segments; ++g) f(row++, r.cell_index(static_cast<int>(p), t, g, 0));
}

// "" when the sums of r (as read from a file) are possible results of a run, else what is wrong, naming
// the dataset and the element: counts in [0, the segment's customers], the buckets and the utilization
// bins adding up to the open accounts and the buckets' balances to the balance, overdue balances >= 0,
// segment customers adding up to the run's, and per path the sum of |value| of every metric below
// 2^63 (so every sum formed from them fits in int64).
std::string check_read_results(const RunResults& r);

// Refuses what the file could not represent, before anything touches the disk.
void validate_for_write(const RunResults& r, const Summary& s, const Comparison& cmp, const std::string& path);

}  // namespace h5
}  // namespace limitsim
