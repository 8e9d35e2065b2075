#!/usr/bin/env bash
# Builds limitsim and runs the whole test suite (GoogleTest via ctest, plus the
# end-to-end CLI test). GPU-labelled tests skip where there is no GPU.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure -j "$(nproc)"
