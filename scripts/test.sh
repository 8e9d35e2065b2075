#!/usr/bin/env bash
# Builds limitsim and runs the whole test suite (GoogleTest via ctest, plus the
# end-to-end CLI test). GPU-labelled tests skip where there is no GPU.
# Then builds the MPI program in a second tree (build-mpi: LIMITSIM_MPI=ON,
# the CPU backend only, no unit tests) and runs its tests (ctest label mpi:
# mpirun -np 1..4 compared byte for byte with the program without MPI;
# docs/scaling.md). LIMITSIM_TEST_MPI=0 skips that part.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure -j "$(nproc)"
if [ "${LIMITSIM_TEST_MPI:-1}" != 0 ]; then
  MPI_DIR=${MPI_BUILD_DIR:-build-mpi}
  cmake -S . -B "$MPI_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLIMITSIM_CUDA=OFF -DLIMITSIM_MPI=ON \
    -DLIMITSIM_BUILD_TESTS=OFF >/dev/null
  cmake --build "$MPI_DIR" -j "$(nproc)" --target limitsim limitsim_serial
  ctest --test-dir "$MPI_DIR" --output-on-failure --no-tests=error -L mpi
fi
