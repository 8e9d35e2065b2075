// Host/device qualifier macro: the model headers are compiled by nvcc for the
// GPU backend and by g++ (with OpenMP) for the CPU backend.
#pragma once

#if defined(__CUDACC__)
#define LIMITSIM_HD __host__ __device__
#define LIMITSIM_INLINE __host__ __device__ __forceinline__
#else
#define LIMITSIM_HD
#define LIMITSIM_INLINE inline
#endif
