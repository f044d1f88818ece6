#!/usr/bin/env bash
# Experiment 6: decision latency (paper: 32 us) from the Google Benchmark binary bench_helm: a whole
# HELM decision (features, normalisation, base + residual, burst check, clamp) with the deployed
# networks, and the bare MLP forward. One core, as a Slurm job (the number is a CPU's, not the
# paper's GPU host's). Writes tables/e6_decision.{md,tex,csv} and the raw JSON beside the runs.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
d=$EXP_RESULTS/06_decision
mkdir -p "$d"
bench=${HELM_BENCH_HELM:-$REPO/build/bin/bench_helm}
[ -x "$bench" ] || { echo "06: $bench not found: cmake --build build --target bench_helm" >&2; exit 1; }
reps=3; [ "$EXP_MODE" = quick ] || reps=10
printf '%s\t%s\n' "$d/bench_helm.json" \
  "nice \"$bench\" --benchmark_filter='BM_MlpForward|BM_HelmDecision' --benchmark_repetitions=$reps --benchmark_min_time=0.2 --benchmark_format=json >\"\$OUT\"" \
  >"$d/jobs.tsv"
rm -f "$d/bench_helm.json"  # a measurement, never reused from an earlier run
"$EXP_ROOT/lib/jobs.sh" "e6-decision-$EXP_MODE" "$d/jobs.tsv"
py "$EXP_ROOT/06_decision/table.py" "$d/bench_helm.json" "$EXP_TABLES"
