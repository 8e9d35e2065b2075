// The GPU of one process among several on a node (MPI ranks, docs/scaling.md).
#pragma once

#include <string>

namespace limitsim {

// Makes GPU (local_rank mod the GPUs this process sees) its current CUDA
// device, before any backend is made (the CUDA backend runs on the current
// device), so that the ranks of a node use different GPUs. Where a launcher
// already gives each rank one GPU (CUDA_VISIBLE_DEVICES), that one is GPU 0.
// Returns a note when the node has fewer GPUs than ranks (they share), else "".
// Does nothing in a build without the CUDA backend or on a machine without a GPU.
std::string select_local_gpu(int local_rank, int local_size);

}  // namespace limitsim
