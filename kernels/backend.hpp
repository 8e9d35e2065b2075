// The launch interface both backends implement. Host code (src/engine.cpp)
// owns the population and the accumulators; a backend runs one batch of
// customers over all paths for one (scenario, policy) and adds into sums.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
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
  // Called by simulate() from one host thread with the fraction of the current
  // launch done, in [0, 1]; may be empty.
  void set_progress(std::function<void(double)> f) { progress_ = std::move(f); }
  // The customers that following simulate() calls use (host arrays).
  virtual void set_customers(const CustomerView& host) = 0;
  // One launch: simulates paths [0, paths) of the current customers under each
  // of the n_combos (scenario, policy) pairs (their pointers are host arrays;
  // all pairs share one factor array) and adds pair k's sums into
  // sums[k][path][month][segment][metric]. Scenarios, policies and paths are
  // dimensions of the launch; every pair sees the same random numbers.
  virtual void simulate(const ModelView* combos, int n_combos, int paths, int segments,
                        std::int64_t* const* sums) = 0;

 protected:
  void report(double fraction) const {
    if (progress_) progress_(fraction);
  }

 private:
  std::function<void(double)> progress_;
};

std::unique_ptr<Backend> make_cpu_backend(int threads);  // threads 0 = all cores

// CUDA: true when this binary was built with the CUDA backend.
bool cuda_built();
// Name of the CUDA device a run would use, or an explanation why there is none.
std::string cuda_device_description(bool* available);
// Throws std::runtime_error if CUDA is not built or no device is present.
std::unique_ptr<Backend> make_cuda_backend();

}  // namespace limitsim
