// Host-side memory of the CUDA backend (kernels/cuda_backend.cu): the error check, device and pinned
// buffers that grow on demand, and the arena one batch of customers is gathered into and uploaded as.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace limitsim {

#define LIMITSIM_CUDA_TRY(call)                                                                      \
  do {                                                                                               \
    const cudaError_t err_ = (call);                                                                 \
    if (err_ != cudaSuccess)                                                                         \
      throw std::runtime_error(std::string("CUDA error ") + cudaGetErrorName(err_) + " (" +          \
                               cudaGetErrorString(err_) + ") at " __FILE__ ":" + std::to_string(__LINE__) + \
                               ": " #call);                                                          \
  } while (0)

namespace {

template <class T>
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  ~DeviceBuffer() { cudaFree(ptr_); }
  void reserve(std::size_t n) {
    if (n <= cap_) return;
    cudaFree(ptr_);
    ptr_ = nullptr;
    cap_ = 0;
    LIMITSIM_CUDA_TRY(cudaMalloc(&ptr_, n * sizeof(T)));
    cap_ = n;
  }
  T* get() const { return ptr_; }

 private:
  T* ptr_ = nullptr;
  std::size_t cap_ = 0;
};

class PinnedBuffer {
 public:
  PinnedBuffer() = default;
  PinnedBuffer(const PinnedBuffer&) = delete;
  PinnedBuffer& operator=(const PinnedBuffer&) = delete;
  ~PinnedBuffer() { cudaFreeHost(ptr_); }
  void reserve(std::size_t bytes) {
    if (bytes <= cap_) return;
    cudaFreeHost(ptr_);
    ptr_ = nullptr;
    cap_ = 0;
    LIMITSIM_CUDA_TRY(cudaHostAlloc(&ptr_, bytes, cudaHostAllocDefault));
    cap_ = bytes;
  }
  unsigned char* get() const { return static_cast<unsigned char*>(ptr_); }

 private:
  void* ptr_ = nullptr;
  std::size_t cap_ = 0;
};

// Where each customer array lives in a slot's arena (bytes from the start).
// Per customer: 4 x 8 + 10 x 4 + 2 x 1 = 74 bytes, and 4 x 4 more for
// applicants (the living book; none when the run acquires nobody).
struct ArenaLayout {
  std::size_t id, income, limit, balance, score, propensity, activity, shape, risk, segment, region, mob,
      months_current, since_missed, transactor, bucket, arrival, demand, pool_rank, dti, bytes;
  ArenaLayout(std::size_t n, bool applicants) {
    std::size_t at = 0;
    auto take = [&](std::size_t elem) {
      const std::size_t here = at;
      at += (n * elem + 255) / 256 * 256;
      return here;
    };
    id = take(8); income = take(8); limit = take(8); balance = take(8);
    score = take(4); propensity = take(4); activity = take(4); shape = take(4); risk = take(4);
    segment = take(4); region = take(4); mob = take(4); months_current = take(4); since_missed = take(4);
    transactor = take(1); bucket = take(1);
    const std::size_t a = applicants ? 4 : 0;
    arrival = take(a); demand = take(a); pool_rank = take(a); dti = take(a);
    bytes = at;
  }
};

// Copies src[perm[j]] to dst[j] for j < n.
template <class T>
void gather(const T* src, const std::int64_t* perm, std::int64_t n, unsigned char* dst_bytes) {
  T* dst = reinterpret_cast<T*>(dst_bytes);
#pragma omp parallel for schedule(static)
  for (std::int64_t j = 0; j < n; ++j) dst[j] = src[perm[j]];
}

template <class T>
T* at(unsigned char* base, std::size_t offset) {
  return reinterpret_cast<T*>(base + offset);
}

}  // namespace
}  // namespace limitsim
