#!/usr/bin/env bash
# The one-shot GPU check (issue 22): on a machine with an NVIDIA GPU and the
# packed build (scripts/device-pack.sh), measures everything the device part of
# the GPU issue asks for and writes it, as JSON and logs, into OUTDIR:
#
#   bash scripts/gpu-check.sh OUTDIR [--pack DIR] [--limit SECONDS] [--quick]
#
#   info.json, nvidia-smi.txt, version.txt   device, driver, clocks, limitsim --version
#   gpu-tests.{log,xml}                       the GPU-labelled tests (CPU vs CUDA, bit-identity)
#   e2e-compare.json                          the quickstart on both backends, every dataset compared
#   bench-*.json, bench-*.log                 throughput: GPU and CPU, full model and RNG-only roofline
#   ncu.log, ncu-metrics.log, ncu-stalls.log  one Nsight Compute profile of the simulation kernel
#   largest.json                              the largest population that completed (up to 1e8 x 36 months)
#   memcheck.log, racecheck.log               compute-sanitizer on a small run
#   summary.json                              every step: status, seconds, key figures
#
# Every step has its own time box, and the whole check stops at --limit
# (default 420 s): a step that does not fit is recorded as skipped, a step
# that overruns is killed and recorded as timed out, and what was measured
# stays. --quick runs the tests, the two main benchmarks and the largest
# population only (for a rerun after a fix). The steps run in priority order.
set -uo pipefail

out=""
pack=".device/pack"
limit=420
quick=0
while [ $# -gt 0 ]; do
  case "$1" in
    --pack) pack=$2; shift 2 ;;
    --limit) limit=$2; shift 2 ;;
    --quick) quick=1; shift ;;
    -*) echo "gpu-check: unknown option $1" >&2; exit 2 ;;
    *) out=$1; shift ;;
  esac
done
[ -n "$out" ] || { echo "usage: gpu-check.sh OUTDIR [--pack DIR] [--limit SECONDS] [--quick]" >&2; exit 2; }
cd "$(dirname "$0")/.."
root=$(pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
start=$(date +%s)
steps="$out/steps.jsonl"
: >"$steps"

# The packed programs and their libraries (the machine has none of our Debian libraries).
if [ -f "$pack/env.sh" ]; then
  # shellcheck disable=SC1091
  source "$pack/env.sh"
  bin="$(cd "$pack/bin" && pwd)"
else
  bin="$root/build-sm90"  # a local build (a machine with the libraries)
fi
for p in limitsim limitsim_bench limitsim_gpu_tests; do
  [ -x "$bin/$p" ] || { echo "gpu-check: $bin/$p is missing: build and pack first (scripts/device-pack.sh)" >&2; exit 2; }
done
# The test binaries read configs under the source directory they were built in.
if [ -f "$pack/source_dir" ]; then
  src_dir=$(cat "$pack/source_dir")
  if [ ! -e "$src_dir/configs" ]; then
    mkdir -p "$(dirname "$src_dir")" && ln -sfn "$root" "$src_dir"
  fi
fi

remaining() { echo $(( limit - ($(date +%s) - start) )); }

# step NAME BOX CMD...: runs CMD with a time box of min(BOX, what is left - 5 s),
# its output in NAME.log, and records the step in steps.jsonl.
step() {
  local name=$1 box=$2; shift 2
  local left=$(( $(remaining) - 5 ))
  if [ "$left" -lt 10 ]; then
    echo "{\"step\": \"$name\", \"status\": \"skipped\", \"why\": \"out of time\"}" >>"$steps"
    echo "== $name: skipped (out of time)"
    return 0
  fi
  [ "$box" -gt "$left" ] && box=$left
  echo "== $name (time box ${box} s, $(remaining) s left)"
  local t0=$(date +%s.%N)
  timeout --kill-after=5 "$box" "$@" >"$out/$name.log" 2>&1
  local rc=$?
  local t1=$(date +%s.%N)
  local status=ok
  [ $rc -ne 0 ] && status=failed
  [ $rc -eq 124 ] || [ $rc -eq 137 ] && status=timed_out
  local secs
  secs=$(python3 -c "print(round($t1 - $t0, 2))")
  echo "{\"step\": \"$name\", \"status\": \"$status\", \"rc\": $rc, \"seconds\": $secs, \"box\": $box}" >>"$steps"
  echo "   $status (rc $rc, $secs s)"
  tail -n 4 "$out/$name.log" | sed 's/^/   | /'
  return 0
}

# --- 1. The device, the driver, the clocks, the build -----------------------
nvidia-smi >"$out/nvidia-smi.txt" 2>&1
nvidia-smi -q -d CLOCK,PERFORMANCE,POWER,TEMPERATURE,MEMORY >>"$out/nvidia-smi.txt" 2>&1
"$bin/limitsim" --version >"$out/version.txt" 2>&1
python3 - "$out/info.json" <<'PY'
import json, os, platform, subprocess, sys
def q(fields):
    try:
        r = subprocess.run(["nvidia-smi", "--query-gpu=" + fields, "--format=csv,noheader"], capture_output=True, text=True)
        return [x.strip() for x in r.stdout.strip().split(",")]
    except Exception as e:
        return [str(e)]
f = "name,driver_version,memory.total,clocks.sm,clocks.max.sm,clocks.mem,power.limit,pstate,compute_cap"
vals = q(f)
info = dict(zip(f.split(","), vals))
info["cpu"] = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
info["cores"] = os.cpu_count()
info["kernel"] = platform.release()
info["date_utc"] = subprocess.run(["date", "-u", "+%Y-%m-%dT%H:%M:%SZ"], capture_output=True, text=True).stdout.strip()
json.dump(info, open(sys.argv[1], "w"), indent=2)
PY
cat "$out/version.txt"
if [ -f "$pack/build.json" ]; then cp "$pack/build.json" "$out/build.json"; fi

# --- 2. Correctness on the GPU ----------------------------------------------
step gpu-tests 90 "$bin/limitsim_gpu_tests" --gtest_output="xml:$out/gpu-tests.xml"

B="$bin/limitsim_bench"
export out bin B
bench() {  # bench NAME BOX ARGS...: a benchmark step writing NAME.json
  local name=$1 box=$2; shift 2
  step "$name" "$box" "$B" "$@" --json "$out/$name.json"
}

# --- 3. Throughput ----------------------------------------------------------
bench bench-gpu-quickstart 25 configs/quickstart.toml --backend cuda --repeats 3
bench bench-gpu-large 60 bench/configs/gpu_large.toml --customers 10000000 --backend cuda --repeats 1 \
  --time-box 30 --no-summary
bench bench-gpu-rng 25 bench/configs/gpu_large.toml --customers 10000000 --backend cuda --repeats 3 --rng-only \
  --time-box 10
nproc_all=$(nproc)
bench bench-cpu-full 45 bench/configs/gpu_large.toml --customers 1000000 --backend cpu --threads "$nproc_all" \
  --repeats 1 --time-box 25 --no-summary
bench bench-cpu-rng 20 bench/configs/gpu_large.toml --customers 1000000 --backend cpu --threads "$nproc_all" \
  --repeats 1 --rng-only --time-box 8

# --- 4. The largest population (1e8 customers x 36 months, one path) ---------
largest() {
  local n
  for n in 100000000 30000000 10000000; do
    if "$B" configs/quickstart.toml --customers "$n" --paths 1 --backend cuda --repeats 1 --no-summary \
         --json "$out/largest-$n.json"; then
      cp "$out/largest-$n.json" "$out/largest.json"
      return 0
    fi
  done
  return 1
}
export -f largest
step largest 120 bash -c largest

if [ "$quick" -eq 0 ]; then
  # --- 5. One profile of the simulation kernel --------------------------------
  ncu=$(command -v ncu || ls /usr/local/cuda/bin/ncu /opt/nvidia/nsight-compute/*/ncu 2>/dev/null | head -n 1)
  if [ -n "$ncu" ]; then
    # 262,144 customers x 2 paths x 36 months: one launch of 1.9e7 customer-months.
    prof=("$B" configs/quickstart.toml --customers 262144 --paths 2 --backend cuda --repeats 1 --no-summary)
    step ncu 75 "$ncu" --clock-control none --kernel-name regex:simulate_kernel --launch-count 1 \
      --section SpeedOfLight --section Occupancy --section LaunchStats --section ComputeWorkloadAnalysis \
      --section InstructionStats --section WarpStateStats --section SchedulerStats "${prof[@]}"
    # Instruction counts per launch, for instructions and FP64 work per customer-month.
    step ncu-metrics 45 "$ncu" --clock-control none --kernel-name regex:simulate_kernel --launch-count 1 \
      --metrics sm__inst_executed.sum,smsp__thread_inst_executed.sum,sm__sass_thread_inst_executed_op_dfma_pred_on.sum,sm__sass_thread_inst_executed_op_dmul_pred_on.sum,sm__sass_thread_inst_executed_op_dadd_pred_on.sum,sm__sass_thread_inst_executed_op_fp64_pred_on.sum,sm__sass_inst_executed_op_shared_atom.sum,sm__sass_inst_executed_op_global_red.sum,gpu__time_duration.sum \
      "${prof[@]}"
    # Why warps wait: cycles stalled per issued instruction, by reason.
    stalls=""
    for r in barrier long_scoreboard short_scoreboard wait math_pipe_throttle mio_throttle lg_throttle not_selected \
      selected dispatch_stall no_instruction branch_resolving membar drain tex_throttle imc_miss; do
      stalls="$stalls${stalls:+,}smsp__average_warps_issue_stalled_${r}_per_issue_active.ratio"
    done
    step ncu-stalls 45 "$ncu" --clock-control none --kernel-name regex:simulate_kernel --launch-count 1 \
      --metrics "$stalls" "${prof[@]}"
  else
    echo "{\"step\": \"ncu\", \"status\": \"skipped\", \"why\": \"ncu not found\"}" >>"$steps"
  fi

  # --- 6. The whole quickstart on both backends, every dataset compared --------
  e2e() {
    "$bin/limitsim" run configs/quickstart.toml --customers 20000 --paths 16 --backend cuda --quiet --out "$out/qs-cuda.h5" &&
      "$bin/limitsim" run configs/quickstart.toml --customers 20000 --paths 16 --backend cpu --quiet --out "$out/qs-cpu.h5" &&
      python3 scripts/h5-compare.py "$out/qs-cpu.h5" "$out/qs-cuda.h5" "$out/e2e-compare.json"
  }
  export -f e2e
  step e2e-compare 60 bash -c e2e
  rm -f "$out/qs-cpu.h5" "$out/qs-cuda.h5"

  # --- 7. compute-sanitizer on a small run (every lever, two regions' worth of segments) ---
  sanitizer=$(command -v compute-sanitizer || ls /usr/local/cuda/bin/compute-sanitizer \
    /usr/local/cuda/compute-sanitizer/compute-sanitizer 2>/dev/null | head -n 1)
  if [ -n "$sanitizer" ]; then
    small=(run configs/compare_policies.toml --customers 700 --paths 2 --months 4 --backend cuda --quiet)
    step memcheck 45 "$sanitizer" --tool memcheck --error-exitcode 3 "$bin/limitsim" "${small[@]}" --out "$out/mc.h5"
    step racecheck 60 "$sanitizer" --tool racecheck --racecheck-report hazard --error-exitcode 3 "$bin/limitsim" \
      "${small[@]}" --out "$out/rc.h5"
    rm -f "$out/mc.h5" "$out/rc.h5"
  else
    echo "{\"step\": \"sanitizer\", \"status\": \"skipped\", \"why\": \"compute-sanitizer not found\"}" >>"$steps"
  fi

  # --- 8. Register budgets of the kernel (LIMITSIM_CUDA_MIN_BLOCKS; 4 is the default) ---
  for mb in 1 2 3; do
    LIMITSIM_CUDA_MIN_BLOCKS=$mb bench "bench-gpu-minblocks$mb" 25 bench/configs/gpu_large.toml --customers 4000000 \
      --paths 20 --backend cuda --repeats 1 --no-summary
  done
  bench bench-gpu-minblocks4 25 bench/configs/gpu_large.toml --customers 4000000 --paths 20 --backend cuda \
    --repeats 1 --no-summary
fi

# --- Summary ------------------------------------------------------------------
python3 - "$out" "$limit" "$start" <<'PY'
import json, os, sys, time
out, limit, start = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
steps = [json.loads(l) for l in open(os.path.join(out, "steps.jsonl")) if l.strip()]
def load(name):
    p = os.path.join(out, name)
    return json.load(open(p)) if os.path.exists(p) else None
figures = {}
for name in sorted(os.listdir(out)):
    if name.startswith("bench-") and name.endswith(".json") or name == "largest.json":
        j = load(name)
        if j and j.get("runs"):
            r = j["runs"][-1]
            figures[name[:-5]] = {k: r.get(k) for k in ("paths", "customer_months", "best_seconds", "kernel_seconds",
                                  "customer_months_per_s", "kernel_customer_months_per_s", "share_of_requested")}
            figures[name[:-5]]["customers"] = j.get("customers")
g, rng, cpu = figures.get("bench-gpu-large"), figures.get("bench-gpu-rng"), figures.get("bench-cpu-full")
cpu_rng = figures.get("bench-cpu-rng")
derived = {}
if g and rng:
    derived["gpu_share_of_rng_roofline"] = g["kernel_customer_months_per_s"] / rng["kernel_customer_months_per_s"]
if cpu and cpu_rng:
    derived["cpu_share_of_rng_roofline"] = cpu["customer_months_per_s"] / cpu_rng["customer_months_per_s"]
if g and cpu:
    derived["gpu_kernel_over_cpu"] = g["kernel_customer_months_per_s"] / cpu["customer_months_per_s"]
    derived["gpu_end_to_end_over_cpu"] = g["customer_months_per_s"] / cpu["customer_months_per_s"]
summary = {"info": load("info.json"), "build": load("build.json"), "limit_seconds": limit,
           "elapsed_seconds": int(time.time()) - start, "steps": steps, "figures": figures, "derived": derived,
           "e2e_compare": load("e2e-compare.json")}
json.dump(summary, open(os.path.join(out, "summary.json"), "w"), indent=2)
print("\n== summary")
for s in steps:
    print(f"  {s['step']:<24} {s['status']:<10} {s.get('seconds', '')}")
for k, v in figures.items():
    print(f"  {k:<24} {v.get('kernel_customer_months_per_s') or 0:.3e} cm/s (kernel)  {v.get('customer_months_per_s') or 0:.3e} cm/s (end to end)  share {v.get('share_of_requested')}")
for k, v in derived.items():
    print(f"  {k:<28} {v:.3f}")
PY
