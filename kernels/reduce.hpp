// The exact reducer: folds one customer-month's outcome into integer sums.
// Written once; each backend supplies a Sink with add(metric, value): plain
// adds into a thread-private array on the CPU, shared-memory atomics on the GPU.
// Integer addition is associative, so any order gives the same bits.
#pragma once

#include <cstdint>

#include "customer.hpp"
#include "hd.hpp"
#include "metrics.hpp"

namespace limitsim {

template <class Sink>
LIMITSIM_INLINE void accumulate(const MonthOutcome& o, Sink& sink) {
  if (!o.was_open) return;
  sink.add(kSpend, o.spend);
  sink.add(kPayment, o.payment);
  sink.add(kInterest, o.interest);
  sink.add(kFees, o.fees);
  if (o.missed) sink.add(kMissedCount, 1);
  if (o.charged_off) {
    sink.add(kChargeoffCount, 1);
    sink.add(kChargeoffExposure, o.chargeoff_exposure);
    sink.add(kChargeoffLoss, o.chargeoff_loss);
    sink.add(kChargeoffRecovery, o.chargeoff_recovery);
  }
  if (o.attrited) sink.add(kAttritedCount, 1);
  sink.add(kDrawCount, o.draws);
  if (o.shock_start) sink.add(kShockStartCount, 1);
  if (o.shocked) sink.add(kShockedCount, 1);
  if (!o.active) return;
  sink.add(kActive, 1);
  sink.add(kBucketCount0 + o.bucket, 1);
  sink.add(kBucketBalance0 + o.bucket, o.balance);
  sink.add(kLimit, o.limit);
  sink.add(kBalance, o.balance);
  if (o.limit_increase > 0) {
    sink.add(kLimitIncreaseCount, 1);
    sink.add(kLimitIncreaseAmount, o.limit_increase);
  }
  if (o.trigger_increase) sink.add(kTriggerIncreaseCount, 1);
  if (o.limit_decrease > 0) {
    sink.add(kLimitDecreaseCount, 1);
    sink.add(kLimitDecreaseAmount, o.limit_decrease);
  }
  if (o.temp_extra > 0) {
    sink.add(kTempLimitCount, 1);
    sink.add(kTempLimitAmount, o.temp_extra);
  }
  if (o.signal) sink.add(kSignalCount, 1);
  if (o.froze) sink.add(kFreezeCount, 1);
  if (o.frozen) sink.add(kFrozenCount, 1);
  sink.add(kUtilizationSumPpm, o.util_ppm);
  sink.add(kUtilHist0 + util_bin(o.util_ppm), 1);
}

// CPU sink: one (month, segment) row of a thread-private accumulator.
struct RowSink {
  std::int64_t* row;
  LIMITSIM_INLINE void add(int metric, std::int64_t v) { row[metric] += v; }
};

}  // namespace limitsim
