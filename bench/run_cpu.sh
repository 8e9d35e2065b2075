#!/usr/bin/env bash
# Measures the CPU backend and records the figures, with the machine, date and
# commit, in bench/results/:
#   quickstart        the quickstart model (1 policy), 1 thread and all cores;
#   policies          configs/compare_policies.toml (4 policies), all cores;
#   sweep             configs/sweep_lender_rules.toml (base + 24 variants) at
#                     20,000 customers, all cores: the cost per policy variant.
#   stress            configs/tail_risk.toml: 1,000 paths x 3 scenarios x 1 policy,
#                     10,000 customers, 36 months, all cores, in one launch.
#   living            configs/living_book.toml: 3 policies x 2 scenarios with 2% of the book applying
#                     every month (acquisition, vintages), all cores; applicants' months counted.
#   load              limitsim_bench_load: load_panel on a generated 10,000,000-row
#                     CSV in the UCI layout (rows/s, peak RSS, each way of hashing);
#                     needs about 1 GiB in $TMPDIR and 2.5 GiB of memory.
#   bash bench/run_cpu.sh [quickstart|policies|sweep|stress|living|load ...]   (default: the first four)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh >/dev/null
commit=$(git rev-parse --short=12 HEAD)
stamp=$(date -u +%Y-%m-%d)
which=("$@")
[ ${#which[@]} -eq 0 ] && which=(quickstart policies sweep stress)
for name in "${which[@]}"; do
  bin=limitsim_bench
  case "$name" in
    quickstart) args=(configs/quickstart.toml --threads 1 --threads "$(nproc)" --repeats 2) ;;
    policies) args=(configs/compare_policies.toml --threads "$(nproc)" --repeats 1) ;;
    sweep) args=(configs/sweep_lender_rules.toml --sweep --customers 20000 --threads "$(nproc)" --repeats 1) ;;
    stress) args=(configs/tail_risk.toml --threads "$(nproc)" --repeats 1) ;;
    living) args=(configs/living_book.toml --threads "$(nproc)" --repeats 1) ;;
    load) bin=limitsim_bench_load; args=(--rows 10000000 --repeats 3) ;;
    *) echo "unknown benchmark: $name" >&2; exit 2 ;;
  esac
  out="bench/results/cpu-${name}-${stamp}-${commit}.json"
  raw=$(mktemp)
  "./build/$bin" "${args[@]}" --json "$raw"
  python3 - "$raw" "$out" "$commit" "$stamp" <<'PY'
import json, platform, subprocess, sys
raw, out, commit, stamp = sys.argv[1:]
r = json.load(open(raw))
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "unknown")
r.update({"date": stamp, "commit": commit, "machine": {"cpu": cpu, "cores": int(subprocess.check_output(["nproc"])),
          "kernel": platform.release()}, "compiler": subprocess.check_output(["g++", "--version"], text=True).splitlines()[0]})
json.dump(r, open(out, "w"), indent=2)
print("wrote", out)
PY
  rm -f "$raw"
done
