#!/usr/bin/env bash
# Configures and builds limitsim in ./build (Release). The CUDA backend is built
# too when nvcc is found (set LIMITSIM_CUDA=OFF to skip it).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLIMITSIM_CUDA="${LIMITSIM_CUDA:-AUTO}" >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)"
