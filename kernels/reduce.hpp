// The exact reducer: folds one customer-month's outcome into integer sums.
// Written once for both backends. Every metric is offered to the sink on every
// call, whatever the outcome (zero when it does not apply): the GPU's warp-wide
// sink needs all 32 lanes of a warp to make the same calls. A sink provides
//   add(metric, v)              adds an int64 amount,
//   count(metric, flag)         adds 1 where flag,
//   add_at(base, index, v)      adds v to metric base + index,
//   count_at(base, index, flag) adds 1 to metric base + index where flag.
// The CPU sink adds into a thread-private row; the GPU sinks reduce within the
// warp first and then add to shared memory (kernels/cuda_backend.cu). Integer
// addition is associative, so any order gives the same bits.
#pragma once

#include <cstdint>

#include "customer.hpp"
#include "hd.hpp"
#include "metrics.hpp"

namespace limitsim {

template <class Sink>
LIMITSIM_INLINE void accumulate(const MonthOutcome& o, Sink& sink) {
  const bool open = o.was_open;  // open at the start of the month: flows are counted
  const bool act = o.active;     // open at the end: stocks are counted
  sink.add(kSpend, open ? o.spend : 0);
  sink.add(kPayment, open ? o.payment : 0);
  sink.add(kInterest, open ? o.interest : 0);
  sink.add(kFees, open ? o.fees : 0);
  sink.count(kMissedCount, open && o.missed);
  const bool co = open && o.charged_off;
  sink.count(kChargeoffCount, co);
  sink.add(kChargeoffExposure, co ? o.chargeoff_exposure : 0);
  sink.add(kChargeoffLoss, co ? o.chargeoff_loss : 0);
  sink.add(kChargeoffRecovery, co ? o.chargeoff_recovery : 0);
  sink.add(kReversal, co ? o.reversal : 0);
  sink.add(kRecovery, o.recovery);  // also from accounts charged off in an earlier month
  sink.count(kPartialCureCount, open && o.partial_cure);
  sink.count(kAttritedCount, open && o.attrited);
  sink.add(kDrawCount, open ? o.draws : 0);
  sink.count(kShockStartCount, open && o.shock_start);
  sink.count(kShockedCount, open && o.shocked);
  sink.count(kActive, act);
  const int bucket = act ? o.bucket : 0;  // a closed account's bucket may lie past the last one
  sink.count_at(kBucketCount0, bucket, act);
  sink.add_at(kBucketBalance0, bucket, act ? o.balance : 0);
  sink.add(kLimit, act ? o.limit : 0);
  sink.add(kBalance, act ? o.balance : 0);
  sink.count(kLimitIncreaseCount, act && o.limit_increase > 0);
  sink.add(kLimitIncreaseAmount, act ? o.limit_increase : 0);
  sink.count(kTriggerIncreaseCount, act && o.trigger_increase);
  sink.count(kLimitDecreaseCount, act && o.limit_decrease > 0);
  sink.add(kLimitDecreaseAmount, act ? o.limit_decrease : 0);
  sink.count(kTempLimitCount, act && o.temp_extra > 0);
  sink.add(kTempLimitAmount, act ? o.temp_extra : 0);
  sink.count(kSignalCount, act && o.signal);
  sink.count(kFreezeCount, act && o.froze);
  sink.count(kFrozenCount, act && o.frozen);
  sink.count(kDeclinedCount, act && o.declined);
  sink.add(kUtilizationSumPpm, act ? o.util_ppm : 0);
  sink.count(kApplicantCount, o.applicant);  // counted whether or not approved
  sink.count(kNewAccountCount, o.opened);
  sink.count(kRunoffCount, act && o.runoff);
  sink.count(kInactiveCount, act && o.spend == 0);
  sink.count_at(kUtilHist0, util_bin(o.util_ppm), act);
}

// Folds an acquired account's month into its vintage row (cohort, months on book): the same calls
// whatever the outcome, as accumulate().
template <class Sink>
LIMITSIM_INLINE void accumulate_vintage(const MonthOutcome& o, Sink& sink) {
  const bool act = o.active;
  const bool co = o.was_open && o.charged_off;
  const bool late = act && o.bucket >= kOverdue30Bucket;
  sink.count(kVintOpened, o.opened);
  sink.count(kVintActive, act);
  sink.add(kVintBalance, act ? o.balance : 0);
  sink.add(kVintLimit, act ? o.limit : 0);
  sink.count(kVintOverdue30Count, late);
  sink.add(kVintOverdue30Balance, late ? o.balance : 0);
  sink.count(kVintChargeoffCount, co);
  sink.add(kVintChargeoffExposure, co ? o.chargeoff_exposure : 0);
  sink.add(kVintChargeoffLoss, co ? o.chargeoff_loss : 0);
}

// CPU sink: one (month, segment) row of a thread-private accumulator.
struct RowSink {
  std::int64_t* row;
  LIMITSIM_INLINE void add(int metric, std::int64_t v) { row[metric] += v; }
  LIMITSIM_INLINE void count(int metric, bool f) { row[metric] += f ? 1 : 0; }
  LIMITSIM_INLINE void add_at(int base, int index, std::int64_t v) { row[base + index] += v; }
  LIMITSIM_INLINE void count_at(int base, int index, bool f) { row[base + index] += f ? 1 : 0; }
};

}  // namespace limitsim
