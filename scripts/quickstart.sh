#!/usr/bin/env bash
# Builds limitsim and runs the quickstart stress test:
# 100,000 customers x 32 paths x 36 months -> results/quickstart.h5
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
./build/limitsim run configs/quickstart.toml
