// The launch interface both backends implement. Host code (src/engine.cpp)
// owns the population and the accumulators; a backend runs one batch of
// customers over all paths for one (scenario, policy) and adds into sums.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "customer.hpp"
#include "params.hpp"

namespace limitsim {

// Set by the SIGINT/SIGTERM handler; backends stop between paths.
std::atomic<bool>& cancel_flag();

// Thrown by host code that stops because cancel_flag() was set.
class Cancelled : public std::runtime_error {
 public:
  Cancelled() : std::runtime_error("interrupted") {}
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;    // "cpu" or "cuda"
  virtual std::string device() const = 0;  // human-readable device description
  // The customers that following simulate() calls use (host arrays).
  virtual void set_customers(const CustomerView& host) = 0;
  // Simulates paths [0, paths) of the current customers under `model` (its
  // pointers are host arrays) and adds into sums[path][month][segment][metric].
  virtual void simulate(const ModelView& model, int paths, int segments, std::int64_t* sums) = 0;
};

std::unique_ptr<Backend> make_cpu_backend(int threads);  // threads 0 = all cores

// CUDA: true when this binary was built with the CUDA backend.
bool cuda_built();
// Name of the CUDA device a run would use, or an explanation why there is none.
std::string cuda_device_description(bool* available);
// Throws std::runtime_error if CUDA is not built or no device is present.
std::unique_ptr<Backend> make_cuda_backend();

}  // namespace limitsim
