// The keyed Philox blocks on the device, for the cross-backend test (backend.hpp cuda_keyed_blocks): the
// blocks of KeyedPhilox, and those of cuRAND's stateful API at the offset the keying contract names.
#include <curand_kernel.h>

#include <vector>

#include "backend.hpp"
#include "cuda_memory.cuh"
#include "rng.hpp"

namespace limitsim {

namespace {

// For the cross-backend test: the blocks of KeyedPhilox on the device, and
// those of cuRAND's stateful API (curand_init + curand4) at the offset the
// keying contract (rng.hpp) names.
__global__ void keyed_blocks_kernel(std::uint64_t seed, const std::uint64_t* ids, int n, std::uint32_t path,
                                    std::uint32_t stream, int blocks, Block4* keyed, Block4* stateful) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  KeyedPhilox rng(seed, ids[i], path, stream);
  curandStatePhilox4_32_10_t state;
  const unsigned long long offset = ((static_cast<unsigned long long>(path) << 32) | (stream << 24)) * 4ull;
  curand_init(seed, ids[i], offset, &state);
  for (int b = 0; b < blocks; ++b) {
    keyed[static_cast<std::size_t>(i) * blocks + b] = rng.next();
    const uint4 r = curand4(&state);
    stateful[static_cast<std::size_t>(i) * blocks + b] = Block4{r.x, r.y, r.z, r.w};
  }
}

}  // namespace

std::vector<Block4> cuda_keyed_blocks(std::uint64_t seed, const std::vector<std::uint64_t>& ids, std::uint32_t path,
                                      std::uint32_t stream, int blocks, std::vector<Block4>* curand_stateful) {
  bool ok = false;
  const std::string why = cuda_device_description(&ok);
  if (!ok) throw std::runtime_error("cuda_keyed_blocks: " + why);
  const int n = static_cast<int>(ids.size());
  std::vector<Block4> out(static_cast<std::size_t>(n) * blocks);
  if (curand_stateful) curand_stateful->assign(out.size(), Block4{});
  if (n == 0 || blocks < 1) return out;
  DeviceBuffer<std::uint64_t> d_ids;
  DeviceBuffer<Block4> d_out, d_state;
  d_ids.reserve(ids.size());
  d_out.reserve(out.size());
  d_state.reserve(out.size());
  LIMITSIM_CUDA_TRY(cudaMemcpy(d_ids.get(), ids.data(), ids.size() * sizeof(std::uint64_t), cudaMemcpyHostToDevice));
  keyed_blocks_kernel<<<(n + 127) / 128, 128>>>(seed, d_ids.get(), n, path, stream, blocks, d_out.get(), d_state.get());
  LIMITSIM_CUDA_TRY(cudaGetLastError());
  LIMITSIM_CUDA_TRY(cudaMemcpy(out.data(), d_out.get(), out.size() * sizeof(Block4), cudaMemcpyDeviceToHost));
  if (curand_stateful)
    LIMITSIM_CUDA_TRY(cudaMemcpy(curand_stateful->data(), d_state.get(), out.size() * sizeof(Block4),
                                 cudaMemcpyDeviceToHost));
  return out;
}

}  // namespace limitsim
