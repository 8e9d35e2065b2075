// The exact reducer's layout: integer sums per (path, month, segment, metric).
// Money in int64 cents, counts in int64, so any summation order gives the same
// bits. Rates and quantiles are derived on the host (src/summary.cpp).
#pragma once

#include <cstdint>

#include "params.hpp"

namespace limitsim {

enum Metric : int {
  kActive = 0,                          // accounts open at month end
  kBucketCount0,                        // + b, b < kMaxBuckets: accounts in bucket b at month end
  kBucketBalance0 = kBucketCount0 + kMaxBuckets,   // + b: their balances, cents
  kChargeoffCount = kBucketBalance0 + kMaxBuckets, // accounts charged off this month
  kChargeoffExposure,                   // gross charge-off: balance at charge-off less the reversal, cents
  kChargeoffLoss,                       // net loss = charge-off x LGD, cents
  kChargeoffRecovery,                   // eventual recovery = charge-off - loss, booked at charge-off, cents
  kAttritedCount,                       // accounts closed voluntarily this month
  kLimit,                               // total line of open accounts, cents
  kBalance,                             // total balance of open accounts, cents
  kSpend,                               // purchases this month, cents
  kPayment,                             // payments received this month, cents
  kInterest,                            // interest charged this month, cents
  kFees,                                // late fees charged this month, cents
  kMissedCount,                         // payments missed (miss or roll forward) this month
  kLimitIncreaseCount,                  // line increases this month
  kLimitIncreaseAmount,                 // cents added by those increases
  kFreezeCount,                         // lines newly frozen this month
  kFrozenCount,                         // open accounts frozen at month end
  kUtilizationSumPpm,                   // sum over open accounts of balance/limit, parts per million
  kLimitDecreaseCount,                  // line decreases (score, utilization or frequency cuts) this month
  kLimitDecreaseAmount,                 // cents removed by those decreases
  kTriggerIncreaseCount,                // of kLimitIncreaseCount: event-triggered (not periodic review) increases
  kTempLimitCount,                      // open accounts holding a temporary raise this month
  kTempLimitAmount,                     // their temporary extra line, cents
  kSignalCount,                         // open accounts whose borrowing-frequency signal is on at month end
  kDrawCount,                           // separate draws (transactions) this month
  kShockStartCount,                     // income shocks that started this month (accounts open at month start)
  kShockedCount,                        // accounts open at month start that were in an income shock this month
  kReversal,                            // interest and fees reversed at charge-off this month, cents
  kRecovery,                            // recoveries collected this month (from charge-offs of this or earlier months), cents
  kDeclinedCount,                       // open accounts at month end past the authorisation bucket (purchases declined)
  kPartialCureCount,                    // delinquent accounts that moved back one or two buckets (not to current) this month
  kApplicantCount,                      // applicants arriving this month (the living book: [acquisition])
  kNewAccountCount,                     // of them, approved: accounts opened this month
  kRunoffCount,                         // open accounts at month end running off after attrition (no new spending)
  kInactiveCount,                       // open accounts at month end with no purchase this month
  kUtilHist0,                           // + bin, bin < kUtilBins: open accounts by utilization bin
  kNumMetrics = kUtilHist0 + kUtilBins
};

// Column names, in Metric order, as written to HDF5 (docs/hdf5-schema.md).
// Bucket and histogram columns are grouped into 3-D datasets by the writer.
struct MetricInfo {
  const char* name;
  const char* unit;   // "accounts", "cents", "ppm" or "draws"
};

inline const MetricInfo& metric_info(int m) {
  static const MetricInfo scalar[] = {
      {"active", "accounts"},
  };
  static const MetricInfo tail[] = {
      {"chargeoff_count", "accounts"},    {"chargeoff_exposure", "cents"}, {"chargeoff_loss", "cents"},
      {"chargeoff_recovery", "cents"},    {"attrited_count", "accounts"},  {"limit", "cents"},
      {"balance", "cents"},               {"spend", "cents"},              {"payment", "cents"},
      {"interest", "cents"},              {"fees", "cents"},               {"missed_count", "accounts"},
      {"limit_increase_count", "accounts"}, {"limit_increase_amount", "cents"}, {"freeze_count", "accounts"},
      {"frozen_count", "accounts"},       {"utilization_sum", "ppm"},
      {"limit_decrease_count", "accounts"}, {"limit_decrease_amount", "cents"},
      {"trigger_increase_count", "accounts"}, {"temp_limit_count", "accounts"},
      {"temp_limit_amount", "cents"},     {"signal_count", "accounts"},   {"draw_count", "draws"},
      {"shock_start_count", "accounts"}, {"shocked_count", "accounts"},
      {"reversal", "cents"},              {"recovery", "cents"},
      {"declined_count", "accounts"},     {"partial_cure_count", "accounts"},
      {"applicant_count", "accounts"},    {"new_account_count", "accounts"},
      {"runoff_count", "accounts"},       {"inactive_count", "accounts"},
  };
  static const MetricInfo bucket_count{"bucket_count", "accounts"};
  static const MetricInfo bucket_balance{"bucket_balance", "cents"};
  static const MetricInfo util_hist{"utilization_histogram", "accounts"};
  static_assert(sizeof(tail) / sizeof(tail[0]) == kUtilHist0 - kChargeoffCount, "one tail entry per scalar metric");
  if (m == kActive) return scalar[0];
  if (m < kBucketBalance0) return bucket_count;
  if (m < kChargeoffCount) return bucket_balance;
  if (m < kUtilHist0) return tail[m - kChargeoffCount];
  return util_hist;
}

// The vintage reducer (the living book): integer sums per (cohort, months on book, metric) over all
// paths, for accounts opened by acquisition; cohort = arrival month (0-based), months on book =
// month - cohort. The opening book's vintage is the portfolio sums less these (src/analysis/vintages.cpp).
enum VintageMetric : int {
  kVintOpened = 0,        // accounts opened (months on book 0 only)
  kVintActive,            // accounts open at month end
  kVintBalance,           // their balances, cents
  kVintLimit,             // their lines (a temporary raise included, as kLimit), cents
  kVintOverdue30Count,    // of them, more than 30 days past due (bucket >= 2)
  kVintOverdue30Balance,  // their balances, cents
  kVintChargeoffCount,    // accounts charged off this month
  kVintChargeoffExposure, // gross charge-offs this month, cents (as kChargeoffExposure)
  kVintChargeoffLoss,     // net loss booked this month, cents (as kChargeoffLoss)
  kNumVintageMetrics
};
constexpr int kOverdue30Bucket = 2;  // 31-60 days past due: "30+" counts this bucket and worse

inline const MetricInfo& vintage_metric_info(int m) {
  static const MetricInfo info[] = {
      {"opened", "accounts"},          {"active", "accounts"},         {"balance", "cents"},
      {"limit", "cents"},              {"overdue30_count", "accounts"}, {"overdue30_balance", "cents"},
      {"chargeoff_count", "accounts"}, {"chargeoff_exposure", "cents"}, {"chargeoff_loss", "cents"},
  };
  static_assert(sizeof(info) / sizeof(info[0]) == kNumVintageMetrics, "one entry per vintage metric");
  return info[m];
}

// Utilization histogram bin of a utilization given in ppm.
LIMITSIM_INLINE int util_bin(std::int32_t ppm) {
  if (ppm <= 0) return 0;
  if (ppm > 1000000) return kUtilBins - 1;
  return 1 + (ppm - 1) / 100000;  // (0,10%] -> 1, ..., (90%,100%] -> 10
}

}  // namespace limitsim
