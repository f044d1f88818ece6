#!/usr/bin/env bash
# Experiment 4: the main table, P99 (all requests, drops counted) and SLO attainment of every
# memory policy x router with the paired P99 reduction vs the best static split (paper: 24-38%,
# SLO 93.5-99.6%). Needs 01 (best static per regime) and 02 (the oracle's replay). Writes
# tables/e4_main.{md,tex,csv}, tables/e4_routers.{md,tex,csv}, the latency CDF and SLO bars.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
d=$EXP_RESULTS/04_main
# The best static split of (this experiment's one profile, regime W), as experiment 1 chose it.
[ "$(wc -w <<<"$EXP_DATASETS")" -eq 1 ] || { echo "04_main: one profile expected in EXP_DATASETS" >&2; exit 2; }
best_of() { awk -F'\t' -v d="$EXP_DATASETS" -v w="$1" '$1 == d && $2 == w { print $3; exit }' "$EXP_TABLES/e1_best_static.tsv"; }
csvs=()
for w in $EXP_WORKLOADS_E4; do
  render "$EXP_ROOT/04_main/policies.ini" "$d/policies-$w.ini" WORKLOAD="$w" BEST="$(best_of "$w")"
  sweep "$d/policies-$w.ini"
  csvs+=("$d/policies-$w/runs.csv")
done
for w in $EXP_WORKLOADS_ROUTERS; do
  render "$EXP_ROOT/04_main/routers.ini" "$d/routers-$w.ini" WORKLOAD="$w" BEST="$(best_of "$w")"
  sweep "$d/routers-$w.ini"
  csvs+=("$d/routers-$w/runs.csv")
done
py "$EXP_ROOT/04_main/table.py" "$EXP_TABLES" "$EXP_RESULTS/02_oracle/replay.csv" "$EXP_BASE_ROUTER" "${csvs[@]}"
