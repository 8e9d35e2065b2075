// CUDA backend: the same model headers, one thread per (customer, path).
// A block covers 256 customers of one path; per month it folds outcomes into
// shared-memory sums with 64-bit atomics, then adds the non-zero cells to the
// global [path][month][segment][metric] array. Integer atomics make the result
// independent of scheduling.
#include <cuda_runtime.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "backend.hpp"
#include "model.hpp"
#include "reduce.hpp"

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

constexpr int kBlock = 256;

std::string describe_device(int dev) {
  cudaDeviceProp prop{};
  cudaGetDeviceProperties(&prop, dev);
  return std::string(prop.name) + " (sm_" + std::to_string(prop.major) + std::to_string(prop.minor) + ", " +
         std::to_string(prop.totalGlobalMem >> 20) + " MiB)";
}

struct SharedSink {
  unsigned long long* row;
  __device__ void add(int metric, std::int64_t v) {
    if (v != 0) atomicAdd(row + metric, static_cast<unsigned long long>(v));
  }
};

__global__ void simulate_kernel(ModelView mv, CustomerView cv, int path0, int segments, unsigned long long* sums) {
  extern __shared__ unsigned long long cell[];  // [segment][metric] of the current month
  const int path = path0 + blockIdx.y;
  const std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  const int ncell = segments * kNumMetrics;
  const bool valid = i < cv.n;

  Customer c{};
  AccountState s{};
  if (valid) {
    c = load_customer(cv, i);
    s = init_state(mv, c);
  }
  KeyedPhilox rng(mv.seed, valid ? c.id : 0, static_cast<std::uint32_t>(path), kStreamCustomerMonth);
  const double* z = mv.factor + static_cast<std::size_t>(path) * mv.months;

  for (int m = 0; m < mv.months; ++m) {
    for (int k = threadIdx.x; k < ncell; k += blockDim.x) cell[k] = 0;
    __syncthreads();
    if (valid && s.open) {
      const MonthDraws d = next_month_draws(rng);
      const MonthOutcome o = step_month(mv, c, s, m, d, z[m]);
      SharedSink sink{cell + c.segment * kNumMetrics};
      accumulate(o, sink);
    }
    __syncthreads();
    unsigned long long* out = sums + (static_cast<std::size_t>(path) * mv.months + m) * ncell;
    for (int k = threadIdx.x; k < ncell; k += blockDim.x) {
      if (cell[k] != 0) atomicAdd(out + k, cell[k]);
    }
    __syncthreads();
  }
}

template <class T>
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  ~DeviceBuffer() { cudaFree(ptr_); }
  void assign(const T* host, std::size_t n) {
    reserve(n);
    if (n) LIMITSIM_CUDA_TRY(cudaMemcpy(ptr_, host, n * sizeof(T), cudaMemcpyHostToDevice));
  }
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

class CudaBackend final : public Backend {
 public:
  CudaBackend() {
    int count = 0;
    if (cudaGetDeviceCount(&count) != cudaSuccess || count == 0)
      throw std::runtime_error("--backend cuda: no CUDA device is available on this machine");
    LIMITSIM_CUDA_TRY(cudaGetDevice(&device_));
  }
  std::string name() const override { return "cuda"; }
  std::string device() const override { return "CUDA: " + describe_device(device_); }

  void set_customers(const CustomerView& h) override {
    n_ = h.n;
    const auto n = static_cast<std::size_t>(h.n);
    id_.assign(h.id, n);
    score_.assign(h.score, n);
    income_.assign(h.income, n);
    propensity_.assign(h.spend_propensity, n);
    activity_.assign(h.activity, n);
    shape_.assign(h.revolve_shape, n);
    risk_.assign(h.risk, n);
    transactor_.assign(h.transactor, n);
    segment_.assign(h.segment, n);
    mob_.assign(h.months_on_book, n);
    limit_.assign(h.limit, n);
    balance_.assign(h.balance, n);
    bucket_.assign(h.bucket, n);
  }

  void simulate(const ModelView& host, int paths, int segments, std::int64_t* sums) override {
    if (n_ == 0) return;
    const std::size_t months = static_cast<std::size_t>(host.months);
    const std::size_t cells = static_cast<std::size_t>(paths) * months * segments * kNumMetrics;
    scenario_.assign(host.scenario, months);
    factor_.assign(host.factor, static_cast<std::size_t>(host.paths_total) * months);
    ModelView dv = host;
    dv.scenario = scenario_.get();
    dv.factor = factor_.get();
    if (host.lgd_quantiles) {
      lgd_.assign(host.lgd_quantiles, kLgdTableSize);
      dv.lgd_quantiles = lgd_.get();
    }
    sums_.reserve(cells);
    LIMITSIM_CUDA_TRY(cudaMemset(sums_.get(), 0, cells * sizeof(unsigned long long)));
    const CustomerView cv{id_.get(),     score_.get(),      income_.get(), propensity_.get(), activity_.get(),
                          shape_.get(),  risk_.get(),       transactor_.get(), segment_.get(), mob_.get(),
                          limit_.get(),  balance_.get(),    bucket_.get(), n_};
    const unsigned blocks = static_cast<unsigned>((n_ + kBlock - 1) / kBlock);
    const std::size_t shmem = static_cast<std::size_t>(segments) * kNumMetrics * sizeof(unsigned long long);
    constexpr int kMaxGridY = 65535;
    for (int p0 = 0; p0 < paths; p0 += kMaxGridY) {
      if (cancel_flag().load()) break;
      const int np = paths - p0 < kMaxGridY ? paths - p0 : kMaxGridY;
      simulate_kernel<<<dim3(blocks, static_cast<unsigned>(np)), kBlock, shmem>>>(dv, cv, p0, segments, sums_.get());
      LIMITSIM_CUDA_TRY(cudaGetLastError());
    }
    LIMITSIM_CUDA_TRY(cudaDeviceSynchronize());
    std::vector<std::int64_t> host_sums(cells);
    LIMITSIM_CUDA_TRY(cudaMemcpy(host_sums.data(), sums_.get(), cells * sizeof(std::int64_t), cudaMemcpyDeviceToHost));
    for (std::size_t k = 0; k < cells; ++k) sums[k] += host_sums[k];
  }

 private:
  int device_ = 0;
  std::int64_t n_ = 0;
  DeviceBuffer<std::uint64_t> id_;
  DeviceBuffer<float> score_, propensity_, activity_, shape_, risk_;
  DeviceBuffer<std::int64_t> income_, limit_, balance_;
  DeviceBuffer<std::uint8_t> transactor_;
  DeviceBuffer<std::int32_t> segment_, mob_;
  DeviceBuffer<std::int8_t> bucket_;
  DeviceBuffer<ScenarioMonth> scenario_;
  DeviceBuffer<double> factor_, lgd_;
  DeviceBuffer<unsigned long long> sums_;
};

}  // namespace

bool cuda_built() { return true; }

std::string cuda_device_description(bool* available) {
  int count = 0;
  const cudaError_t err = cudaGetDeviceCount(&count);
  if (err != cudaSuccess || count == 0) {
    if (available) *available = false;
    return std::string("no CUDA device (") + (err != cudaSuccess ? cudaGetErrorString(err) : "none found") + ")";
  }
  int dev = 0;
  cudaGetDevice(&dev);
  if (available) *available = true;
  return describe_device(dev);
}

std::unique_ptr<Backend> make_cuda_backend() { return std::make_unique<CudaBackend>(); }

}  // namespace limitsim
