#!/usr/bin/env bash
# Measures the CPU backend on the quickstart model and records the figures,
# with the machine, date and commit, in bench/results/.
#   bash bench/run_cpu.sh [extra limitsim_bench arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh >/dev/null
commit=$(git rev-parse --short=12 HEAD)
stamp=$(date -u +%Y-%m-%d)
out="bench/results/cpu-quickstart-${stamp}-${commit}.json"
raw=$(mktemp)
./build/limitsim_bench configs/quickstart.toml --threads 1 --threads "$(nproc)" --repeats 2 --json "$raw" "$@"
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
