#!/usr/bin/env bash
# MPI strong and weak scaling on this machine (ranks x threads), the
# reduction's cost and rank 0's tail: builds the MPI program (build-mpi,
# LIMITSIM_MPI=ON) and records bench/results/mpi-scaling-DATE-COMMIT.json.
#   bash bench/run_mpi.sh [--repeats R] [--quick]
set -euo pipefail
cd "$(dirname "$0")/.."
MPI_DIR=${MPI_BUILD_DIR:-build-mpi}
cmake -S . -B "$MPI_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLIMITSIM_CUDA=OFF -DLIMITSIM_MPI=ON \
  -DLIMITSIM_BUILD_TESTS=OFF >/dev/null
cmake --build "$MPI_DIR" -j "$(nproc)" --target limitsim limitsim_serial >/dev/null
out="bench/results/mpi-scaling-$(date -u +%Y-%m-%d)-$(git rev-parse --short=12 HEAD).json"
/usr/bin/python3 bench/bench_mpi.py "$MPI_DIR" "$out" "$@"
