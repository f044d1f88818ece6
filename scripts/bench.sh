#!/usr/bin/env bash
# `make bench`: every Google Benchmark binary in BUILD/bin/bench_*, short repetitions, then one
# summary table (benchmark, median real time, and the counters each reports: speed-ups against
# the reference in the same binary, rates). JSON per binary lands in OUTDIR for comparisons.
# usage: scripts/bench.sh [BUILD] [OUTDIR]     (env: BENCH_REPS=3, BENCH_MIN_TIME=0.1 seconds)
set -euo pipefail
build=${1:-build}; out=${2:-$build/bench-results}
reps=${BENCH_REPS:-3}; min_time=${BENCH_MIN_TIME:-0.1}
shopt -s nullglob
bins=("$build"/bin/bench_*)
if [ ${#bins[@]} -eq 0 ]; then
  echo "bench.sh: no $build/bin/bench_* (build first: cmake --build $build)" >&2; exit 2
fi
mkdir -p "$out"
failed=0
for b in "${bins[@]}"; do
  name=$(basename "$b")
  echo "== $name"
  if ! "$b" --benchmark_repetitions="$reps" --benchmark_min_time="$min_time" \
       --benchmark_report_aggregates_only=true --benchmark_out="$out/$name.json" \
       --benchmark_out_format=json > "$out/$name.log" 2>&1; then
    echo "   FAILED (see $out/$name.log)"; failed=$((failed + 1))
  fi
done
/usr/bin/python3 - "$out" <<'PY'
import glob, json, os, sys
print(f"\n{'benchmark':<60} {'median':>14}  counters")
for path in sorted(glob.glob(os.path.join(sys.argv[1], "bench_*.json"))):
    with open(path) as f:
        data = json.load(f)
    for b in data.get("benchmarks", []):
        if b.get("aggregate_name", "median") != "median":
            continue
        skip = {"name", "run_name", "run_type", "repetitions", "repetition_index", "threads",
                "iterations", "real_time", "cpu_time", "time_unit", "aggregate_name",
                "aggregate_unit", "family_index", "per_family_instance_index", "label", "error_occurred",
                "error_message"}
        extra = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                          for k, v in b.items() if k not in skip)
        print(f"{b['run_name'][:60]:<60} {b['real_time']:>11.4g} {b['time_unit']:<2}  {extra}")
PY
[ "$failed" -eq 0 ] || { echo "bench.sh: $failed benchmark binaries failed" >&2; exit 1; }
