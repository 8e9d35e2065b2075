#!/usr/bin/env bash
# Builds limitsim for Hopper (sm_90) and packs the programs the GPU check
# needs, with their libraries, for a machine that has the GPU driver but none
# of our Debian libraries (bench/README.md, "Running the GPU check"):
#
#   bash scripts/device-pack.sh [DEST]        (default .device/pack, ignored by git)
#
# DEST gets bin/, lib/, env.sh (from ../shared/device/pack.sh), source_dir
# (where the test binaries look for configs/) and build.json (commit, date,
# compiler, the kernels' registers and spills as ptxas reported them).
set -euo pipefail
cd "$(dirname "$0")/.."
dest=${1:-.device/pack}
build=${BUILD_DIR:-build-sm90}
packer=${LIMITSIM_PACK:-../shared/device/pack.sh}
[ -x "$packer" ] || [ -f "$packer" ] || { echo "device-pack: $packer not found" >&2; exit 2; }
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLIMITSIM_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=90 \
  -DLIMITSIM_PTXAS_VERBOSE=ON >/dev/null
# Rebuild the CUDA object so that ptxas prints its report into the log.
touch kernels/cuda_backend.cu
if ! cmake --build "$build" -j "$(nproc)" --target limitsim limitsim_bench limitsim_gpu_tests >"$build/ptxas.log" 2>&1; then
  grep -E "error|FAILED" "$build/ptxas.log" | head -n 20 >&2
  echo "device-pack: the build failed (log: $build/ptxas.log); nothing packed" >&2
  exit 1
fi
rm -rf "$dest"
bash "$packer" "$dest" "$build/limitsim" "$build/limitsim_bench" "$build/tests/limitsim_gpu_tests"
pwd >"$dest/source_dir"
python3 - "$build/ptxas.log" "$dest/build.json" <<'PY'
import json, re, subprocess, sys
log = open(sys.argv[1]).read()
kernels, current = {}, None
for line in log.splitlines():
    m = re.search(r"Compiling entry function '(\S+)' for '(sm_\d+)'", line)
    if m:
        current = m.group(1)
        for short in ("simulate_kernelILi1E", "simulate_kernelILi2E", "simulate_kernelILi3E", "simulate_kernelILi4E",
                      "rng_only_kernel", "keyed_blocks_kernel"):
            if short in current:
                current = short.replace("ILi", "<").replace("E", ">") if "ILi" in short else short
        kernels.setdefault(current, {})["arch"] = m.group(2)
        continue
    if current is None:
        continue
    m = re.search(r"(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads", line)
    if m and "registers" not in kernels[current]:  # the line between "Compiling" and "Used" is the kernel's
        kernels[current].update(stack=int(m.group(1)), spill_stores=int(m.group(2)), spill_loads=int(m.group(3)))
    m = re.search(r"Used (\d+) registers", line)
    if m:
        kernels[current]["registers"] = int(m.group(1))
run = lambda *a: subprocess.run(a, capture_output=True, text=True).stdout.strip()
info = {"commit": run("git", "rev-parse", "HEAD"), "dirty": bool(run("git", "status", "--porcelain", "--untracked-files=no")),
        "date_utc": run("date", "-u", "+%Y-%m-%dT%H:%M:%SZ"), "nvcc": run("nvcc", "--version").splitlines()[-1],
        "gxx": run("g++", "--version").splitlines()[0], "cuda_architectures": "90", "kernels": kernels}
json.dump(info, open(sys.argv[2], "w"), indent=2)
for k, v in kernels.items():
    print(f"  {k}: {v}")
PY
du -sh "$dest"
