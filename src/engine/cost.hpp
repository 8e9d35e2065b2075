// What a run will cost, estimated before it starts: customer-months, time at the backend's measured
// speed, and memory (docs/config.md, "Cost of a run").
#pragma once

#include <cstdint>
#include <string>

#include "src/config/config.hpp"

namespace limitsim {

// Measured speeds of the full model (bench/README.md), in customer-months per second: the CPU backend
// per thread (9.2e6 on one EPYC core, 3.2e6 per thread of a 16-core Xeon running all 16; the rounder,
// lower of the two kinds of figure is used), and one NVIDIA H200 running the CUDA backend.
constexpr double kCpuRatePerThread = 4e6;
constexpr double kCudaRate = 5.9e9;
// Host bytes per customer of a batch: the structure-of-arrays Population (ids, money as int64,
// attributes as float or int32); the CUDA backend holds two pinned copies besides.
constexpr double kBytesPerCustomer = 80.0;

struct RunCost {
  double customer_months = 0.0;  // customers x months x paths x scenario-policy pairs, applicants' months included
  double applicant_months = 0.0; // of them, the living book's applicants' (from their arrival months)
  double applicants = 0.0;       // applicants drawn (a constant book's estimated)
  double rate = 0.0;             // customer-months per second assumed
  double seconds = 0.0;          // customer_months / rate
  double sums_bytes = 0.0;       // the exact sums, held for the whole run
  double memory_bytes = 0.0;     // sums, a batch of customers (and a loaded file population)
  double file_bytes = 0.0;       // a lower bound of the result file's size (sums compressed 8:1)
  std::string basis;             // how the rate was chosen, for messages
};

// The cost of cfg on `backend` ("cpu" or "cuda") with `threads` CPU threads (the backend's own count).
// For a file population, cfg.population.customers must be the loaded count.
RunCost estimate_cost(const RunConfig& cfg, const std::string& backend, int threads);

// Physical memory of this machine, bytes (0 when unknown).
double physical_memory_bytes();

}  // namespace limitsim
