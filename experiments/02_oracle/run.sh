#!/usr/bin/env bash
# Experiment 2: best static vs the per-window oracle, the latency left on the table (paper:
# 20-30%), on each of experiment 1's profiles. Needs 01's runs: the best static split per regime,
# on the same seeds, and the static grid the oracle picks from (read back, not simulated again).
# Writes tables/e2_oracle_gap.{md,tex,csv}.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
d=$EXP_RESULTS/02_oracle
pids=() csvs=()
for ds in $EXP_DATASETS_E12; do
  ( exp_profile "$ds"
    oracle_jobs "$d" "e2-oracle-$EXP_MODE-$ds" "$EXP_RESULTS/01_static/$ds/static" "$EXP_LOAD=$EXP_LOAD"
    render "$EXP_ROOT/02_oracle/sweep.ini" "$d/$ds/sweep.ini" SCHED="$d/sched"
    sweep "$d/$ds/sweep.ini" ) & pids+=($!)
  csvs+=("$d/$ds/replay/runs.csv")
done
for p in "${pids[@]}"; do wait "$p"; done
join_csv "$d/replay.csv" "${csvs[@]}"
py "$EXP_ROOT/02_oracle/table.py" "$EXP_RESULTS/01_static/runs.csv" "$d/replay.csv" "$d/sched" "$EXP_TABLES"
