// select_local_gpu (gpu_select.hpp): one GPU per rank of a node.
#include "src/engine/gpu_select.hpp"

#ifdef LIMITSIM_WITH_CUDA
#include <cuda_runtime_api.h>
#endif

namespace limitsim {

std::string select_local_gpu([[maybe_unused]] int local_rank, [[maybe_unused]] int local_size) {
#ifdef LIMITSIM_WITH_CUDA
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess || count == 0) {
    cudaGetLastError();  // no GPU: the backend choice explains it
    return "";
  }
  const int device = local_rank % count;
  if (cudaSetDevice(device) != cudaSuccess) {
    cudaGetLastError();
    return "cannot select GPU " + std::to_string(device) + " for local rank " + std::to_string(local_rank);
  }
  if (local_size > count)
    return std::to_string(local_size) + " ranks on this node share its " + std::to_string(count) +
           " GPU(s): start one rank per GPU";
#endif
  return "";
}

}  // namespace limitsim
