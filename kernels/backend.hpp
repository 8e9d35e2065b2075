// The launch interface both backends implement. Host code (src/engine.cpp)
// owns the population and the accumulators; a backend runs one batch of
// customers over all paths and (scenario, policy) pairs and adds into sums.
// A backend may work asynchronously (the CUDA backend overlaps the next
// batch's upload and the host's work with the kernels): the sums are complete
// only after finish().
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "customer.hpp"
#include "params.hpp"
#include "rng.hpp"

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
  // One launch: simulates paths [first_path, paths) of the current customers under each
  // of the n_combos (scenario, policy) pairs (their pointers are host arrays;
  // all pairs share one factor array) and adds pair k's sums into
  // sums[k][path][month][segment][metric]. Scenarios, policies and paths are
  // dimensions of the launch; every pair sees the same random numbers. The
  // sums keep every path's place (a run spread over MPI ranks gives each
  // rank a range of paths: the others' stay zero here).
  // Where the customers include applicants (the living book), `vintages`
  // (else nullptr) gives pair k's vintage sums, vintages[k][cohort][months on
  // book][vintage metric] (cohort and months on book each 0..months-1,
  // kernels/metrics.hpp VintageMetric), summed over the launch's paths, to add
  // the applicants' accounts into.
  // The sums arrays, and the views' scenario and factor arrays, must stay
  // valid and unchanged until finish() returns.
  virtual void simulate(const ModelView* combos, int n_combos, int paths, int segments,
                        std::int64_t* const* sums, int first_path = 0,
                        std::int64_t* const* vintages = nullptr) = 0;
  // Waits for every simulate() call so far and completes its sums.
  virtual void finish() {}
  // Seconds the device spent in simulation kernels since construction,
  // measured on the device (CUDA events); 0 where not measured separately.
  virtual double kernel_seconds() const { return 0.0; }
  // The RNG-only roofline (kernels/roofline.hpp): customers with ids 1..n over
  // paths x months; returns the checksum and sets *seconds to the time spent
  // generating and folding (no population, no upload).
  virtual std::uint64_t rng_only(std::uint64_t seed, std::int64_t n, int paths, int months, double* seconds) = 0;

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
// Throws std::runtime_error if CUDA is not built, no device is present, or
// this binary carries no kernel image for the device's architecture.
std::unique_ptr<Backend> make_cuda_backend();

// The backend for --backend cpu|cuda|auto. "auto" takes the GPU when
// cuda_device_description() says it is usable, else the CPU; where a GPU is
// present but unusable (no kernel image for its architecture), *note says why
// (empty otherwise).
std::unique_ptr<Backend> make_backend(const std::string& which, int threads, std::string* note);

// The keyed Philox blocks of the GPU: for each id, `blocks` consecutive blocks
// of (seed, id, path, stream) from block 0, as KeyedPhilox::next() gives them
// on the device, flattened id-major; *curand_stateful (if given) gets those of
// cuRAND's curand_init + curand4 at the contract's offset. For the
// cross-backend test; throws where there is no usable GPU.
std::vector<Block4> cuda_keyed_blocks(std::uint64_t seed, const std::vector<std::uint64_t>& ids, std::uint32_t path,
                                      std::uint32_t stream, int blocks,
                                      std::vector<Block4>* curand_stateful = nullptr);

}  // namespace limitsim
