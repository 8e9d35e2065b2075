// Built instead of cuda_backend.cu when the CUDA backend is not compiled in.
#include <stdexcept>

#include "backend.hpp"

namespace limitsim {

bool cuda_built() { return false; }

std::string cuda_device_description(bool* available) {
  if (available) *available = false;
  return "none (this build has no CUDA backend)";
}

std::unique_ptr<Backend> make_cuda_backend() {
  throw std::runtime_error("--backend cuda: this limitsim was built without the CUDA backend (nvcc not found at configure time)");
}

std::vector<Block4> cuda_keyed_blocks(std::uint64_t, const std::vector<std::uint64_t>&, std::uint32_t, std::uint32_t,
                                      int, std::vector<Block4>*) {
  throw std::runtime_error("cuda_keyed_blocks: this limitsim was built without the CUDA backend");
}

}  // namespace limitsim
