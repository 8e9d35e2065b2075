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

}  // namespace limitsim
