// A customer's static attributes (structure of arrays) and the per-path state
// the monthly step evolves. Host code owns the arrays; kernels see the view.
#pragma once

#include <cstdint>
#include <type_traits>

#include "hd.hpp"
#include "params.hpp"

namespace limitsim {

constexpr std::int32_t kLongAgo = 1000;  // saturation of the "months since" counters

// Read-only view of a batch of customers. All arrays have n entries.
struct CustomerView {
  const std::uint64_t* id;          // stable customer id: keys the random numbers
  const float* score;               // credit score, 350-950
  const std::int64_t* income;       // monthly income, cents
  const float* spend_propensity;    // expected monthly card spend / income
  const float* activity;            // probability the card is used in a month
  const float* revolve_shape;       // revolver payment shape gamma (> 0): higher pays closer to the minimum
  const float* risk;                // latent risk (standard normal scale; higher is riskier)
  const std::uint8_t* transactor;   // 1 pays in full, 0 revolver
  const std::int32_t* segment;      // reporting segment: score band x regions + region
  const std::int32_t* region;       // region: index of the customer's systematic factor
  const std::int32_t* months_on_book;
  const std::int64_t* limit;        // current line, cents (ignored when months_on_book == 0)
  const std::int64_t* balance;      // opening balance, cents
  const std::int8_t* bucket;        // opening delinquency bucket
  // Payment history at the start (used only when the opening bucket is current):
  const std::int32_t* months_current;  // consecutive months current up to the start
  const std::int32_t* since_missed;    // months since the last missed payment (kLongAgo: none known)
  // Applicants (the living book; all four null when the run acquires nobody):
  const std::int32_t* arrival;      // run month (0-based) the applicant arrives in; -1: the opening book
  const float* demand;              // present under a scenario when demand < that month's applicant_mult
  const float* pool_rank;           // share of its month's applicant pool scoring higher (approve_share)
  const float* dti;                 // debt-to-income ratio (approve_max_dti)
  std::int64_t n;
};
static_assert(std::is_trivially_copyable<CustomerView>::value, "views must be trivially copyable");

// Last kHistoryMonths monthly values of a small unsigned quantity, most recent
// first, packed `Bits` wide into 64-bit words so that a GPU thread keeps them in
// registers (every index below is a compile-time constant once unrolled).
template <int Bits>
struct History {
  static constexpr int kPerWord = 64 / Bits;
  static constexpr int kWords = (kHistoryMonths + kPerWord - 1) / kPerWord;
  static constexpr std::uint64_t kMax = (std::uint64_t{1} << Bits) - 1;
  std::uint64_t w[kWords];

  LIMITSIM_HD void fill(std::uint64_t v) {
    v = v < kMax ? v : kMax;
    std::uint64_t word = 0;
    for (int i = 0; i < kPerWord; ++i) word |= v << (Bits * i);
    for (int k = 0; k < kWords; ++k) w[k] = word;
  }
  // Shifts every value one month back and stores v (saturated) as the latest.
  LIMITSIM_HD void push(std::uint64_t v) {
    v = v < kMax ? v : kMax;
    for (int k = kWords - 1; k > 0; --k) w[k] = (w[k] << Bits) | (w[k - 1] >> (Bits * (kPerWord - 1)));
    w[0] = (w[0] << Bits) | v;
  }
  // Sum of the latest n values (n <= kHistoryMonths).
  LIMITSIM_HD std::uint64_t sum(int n) const {
    std::uint64_t s = 0;
#ifdef __CUDA_ARCH__
#pragma unroll
#endif
    for (int i = 0; i < kHistoryMonths; ++i)
      if (i < n) s += (w[i / kPerWord] >> (Bits * (i % kPerWord))) & kMax;
    return s;
  }
};

// One customer's state on one path. Lives in registers.
struct AccountState {
  std::int64_t balance;         // cents
  std::int64_t limit;           // cents (the permanent line; a temporary raise is not part of it)
  std::int64_t open_limit;      // line at the start of the run (spending elasticity reference)
  History<16> util_bp;          // month-end utilization, basis points (saturates at 655%)
  History<8> draws;             // draws per month (saturates at 255)
  std::int32_t history_months;  // valid entries of util_bp / draws (0..kHistoryMonths)
  std::int32_t bucket;          // 0 current, 1..6 days-past-due buckets
  std::int32_t months_current;  // consecutive months ending current
  std::int32_t months_on_book;
  std::int32_t since_missed;    // months since the last missed payment (saturates at 1000)
  std::int32_t since_increase;  // months since the last line increase (saturates at 1000)
  std::int32_t since_decrease;  // months since the last line decrease (saturates at 1000)
  std::int32_t high_util_months;// consecutive months at or above the decrease rule's utilization
  std::int32_t shock_left;      // months left of an income shock (0 = none)
  float shock_size;             // share of income lost in that shock
  History<32> accrued;          // interest + fees billed per month, cents (saturates at 2^32 - 1): charge-off reversals
  std::int64_t borrowed;        // balance carried in response to line increases (behaviour mpb), cents
  std::int64_t recovery_total;  // after a charge-off: the recovery still to be collected in full (0 = none)
  std::int64_t recovery_done;   // of it, collected so far
  std::int32_t recovery_age;    // months since the charge-off month of the next collection
  bool open;                    // false once charged off or closed
  bool runoff;                  // attrited, balance running off (attrition_runoff)
  bool frozen;                  // line cannot be drawn
};

// What one customer-month did; the reducer folds these into sums.
struct MonthOutcome {
  std::int64_t balance;          // end of month, cents (0 once closed)
  std::int64_t limit;            // end of month, cents
  std::int64_t spend, payment, interest, fees;
  std::int64_t chargeoff_exposure;   // the charge-off: balance less the reversal
  std::int64_t chargeoff_loss, chargeoff_recovery;  // charge-off = loss + eventual recovery
  std::int64_t reversal;         // interest and fees reversed at charge-off
  std::int64_t recovery;         // recoveries collected this month (also after the account closed)
  std::int64_t limit_increase;   // cents raised this month (review or trigger)
  std::int64_t limit_decrease;   // cents cut this month
  std::int64_t temp_extra;       // temporary extra line held this month, cents
  std::int32_t draws;            // separate draws (transactions) this month
  std::int32_t bucket;           // end of month
  std::int32_t util_ppm;         // end-of-month utilization, parts per million (capped at 10x)
  bool was_open;                 // open at the start of the month
  bool active;                   // open at the end of the month
  bool charged_off, attrited, froze, frozen, missed;
  bool trigger_increase;         // the increase came from the event trigger
  bool shock_start;              // an income shock started this month
  bool shocked;                  // in an income shock this month
  bool signal;                   // borrowing-frequency signal on at month end
  bool declined;                 // purchases declined: past the behaviour's authorisation bucket
  bool partial_cure;             // moved back one or two buckets, not to current
  bool applicant;                // an applicant arrived this month (acquisition)
  bool opened;                   // ... and was approved: the account opened this month
  bool runoff;                   // open at month end, running off after attrition
};

}  // namespace limitsim
