#!/usr/bin/env bash
# Experiment 2: best static vs the per-window oracle, the latency left on the table (paper:
# 20-30%). Needs 01's runs: the best static split per regime, on the same seeds, and the static
# grid the oracle picks from (read back, not simulated again). Writes tables/e2_oracle_gap.{md,tex,csv}.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
d=$EXP_RESULTS/02_oracle
oracle_jobs "$d" "e2-oracle-$EXP_MODE" "$EXP_RESULTS/01_static/static" "$EXP_LOAD=$EXP_LOAD"
render "$EXP_ROOT/02_oracle/sweep.ini" "$d/sweep.ini" SCHED="$d/sched"
sweep "$d/sweep.ini"
py "$EXP_ROOT/02_oracle/table.py" "$EXP_RESULTS/01_static/static/runs.csv" "$d/replay/runs.csv" "$d/sched" "$EXP_TABLES"
