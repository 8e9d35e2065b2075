#!/usr/bin/env bash
# Installs everything limitsim needs on Debian 12 (bookworm), from Debian's own
# packages only. Run as root (or with sudo). Safe to run again.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build git pkg-config
  libhdf5-dev        # HDF5 C API (1.10 on bookworm)
  libcli11-dev       # CLI11 (header-only)
  libtoml11-dev      # toml11 (header-only TOML parser with file:line errors)
  libgtest-dev       # GoogleTest
  python3 python3-h5py python3-numpy   # end-to-end tests read results back with h5py
  python3-pandas python3-matplotlib    # the limitsim Python package and `limitsim report` (python/)
  python3-xarray python3-h5netcdf      # tested: result files open in xarray with labelled dimensions
  python3-venv python3-setuptools python3-wheel   # tested: pip install ./python into a fresh venv
  python3-nbclient python3-nbformat python3-ipykernel  # tested: docs/example.ipynb runs
  r-cran-hdf5r                         # the tested R snippet, scripts/read_results.R (brings R and bit64)
  libopenmpi-dev openmpi-bin           # MPI runs over many ranks (LIMITSIM_MPI=ON, docs/scaling.md) and their tests
  clang libclang-rt-14-dev libomp-dev  # the libFuzzer harnesses (fuzz/, docs/fuzzing.md; ctest fuzz_smoke)
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
