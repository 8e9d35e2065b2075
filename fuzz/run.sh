#!/usr/bin/env bash
# Builds the libFuzzer harnesses (fuzz/, docs/fuzzing.md) with clang and runs each for a while.
#
#   fuzz/run.sh [--seconds N] [--timeout T] [--build DIR] [HARNESS...]
#
# --seconds N   run each harness N seconds (default 10: the smoke run of the test suite)
# --timeout T   seconds one input may take before it is a finding (default 10; the smoke run of
#               the test suite passes 120: it runs beside other tests, and it looks for crashes)
# --build DIR   build folder (default build-fuzz; ctest passes one under its build)
# HARNESS       run_file policy_file scenario_file behaviour_file mapping_file csv_data result_file (default all)
#
# Each harness starts from its seed corpus (configs/, tests/data/loader/ and the saved inputs of
# fuzz/regressions/HARNESS/) plus what earlier runs found (DIR/corpus/HARNESS). A crash, sanitizer
# report, timeout (T s per input) or memory blow-up (2 GiB) is saved in DIR/findings/HARNESS/ and
# fails the run. Prints one line per harness: executions, corpus size, findings. Exit code 77
# (ctest: skipped) where clang or its libFuzzer runtime is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SECONDS_EACH=10
TIMEOUT=10
BUILD=build-fuzz
HARNESSES=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) SECONDS_EACH=$2; shift 2 ;;
    --timeout) TIMEOUT=$2; shift 2 ;;
    --build) BUILD=$2; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) HARNESSES+=("$1"); shift ;;
  esac
done
[ ${#HARNESSES[@]} -gt 0 ] || HARNESSES=(run_file policy_file scenario_file behaviour_file mapping_file csv_data result_file)

if ! command -v clang++ >/dev/null || ! echo 'extern "C" int LLVMFuzzerTestOneInput(const char*, unsigned long) { return 0; }' |
     clang++ -x c++ -fsanitize=fuzzer,address - -o /dev/null 2>/dev/null; then
  echo "fuzz: skipped: clang++ with libFuzzer (Debian: clang libclang-rt-14-dev libomp-dev) is not installed"
  exit 77
fi

mkdir -p "$BUILD"
if ! { cmake -S . -B "$BUILD" -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Release \
         -DLIMITSIM_FUZZ=ON -DLIMITSIM_CUDA=OFF -DLIMITSIM_BUILD_TESTS=OFF &&
       cmake --build "$BUILD" --target fuzzers -j "$(nproc)"; } >"$BUILD/build.log" 2>&1; then
  tail -30 "$BUILD/build.log"
  echo "fuzz: the build failed (log: $BUILD/build.log)"
  exit 1
fi

seeds() {  # the seed files of a harness
  case "$1" in
    run_file) ls configs/*.toml configs/validation/*.toml ;;
    policy_file) ls configs/policies/*.toml ;;
    scenario_file) ls configs/scenarios/*.toml ;;
    behaviour_file) ls configs/behaviour/*.toml configs/validation/behaviour.toml ;;
    mapping_file) ls configs/population/uci_credit_card.toml tests/data/loader/*.toml ;;
    csv_data) ls tests/data/loader/*.csv tests/data/loader/*.txt ;;
    result_file) ;;
  esac
}

status=0
for h in "${HARNESSES[@]}"; do
  bin="$BUILD/fuzz/fuzz_$h"
  [ -x "$bin" ] || { echo "fuzz: no harness '$h'"; exit 2; }
  seed_dir="$BUILD/seeds/$h"; corpus="$BUILD/corpus/$h"; findings="$BUILD/findings/$h"
  rm -rf "$seed_dir"; mkdir -p "$seed_dir" "$corpus" "$findings"
  for f in $(seeds "$h"); do cp "$f" "$seed_dir/$(echo "$f" | tr / _)"; done
  if [ "$h" = csv_data ]; then head -c 4000 data/uci-credit-card/uci_credit_card.csv > "$seed_dir/uci_head.csv"; fi
  dirs=("$corpus" "$seed_dir")
  for extra in "fuzz/regressions/$h" "fuzz/seeds/$h"; do [ -d "$extra" ] && dirs+=("$extra"); done
  dict=()
  case "$h" in csv_data|result_file) ;; *) dict=(-dict=fuzz/toml.dict) ;; esac
  log="$BUILD/$h.log"
  rc=0
  nice "$bin" "${dict[@]}" -max_total_time="$SECONDS_EACH" -timeout="$TIMEOUT" -rss_limit_mb=2048 -max_len=65536 \
    -artifact_prefix="$findings/" -print_final_stats=1 "${dirs[@]}" >"$log" 2>&1 || rc=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  found=$(find "$findings" -type f | wc -l)
  echo "fuzz $h: ${execs:-0} executions in ${SECONDS_EACH} s, corpus $(find "$corpus" -type f | wc -l) inputs, $found findings (exit $rc)"
  if [ "$rc" -ne 0 ] || [ "$found" -ne 0 ]; then
    status=1
    grep -E "ERROR|SUMMARY|fuzz finding|runtime error|deadly signal|Timeout|out-of-memory" "$log" | head -5 || true
    echo "  log: $log; inputs: $findings/"
  fi
done
exit $status
