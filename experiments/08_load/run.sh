#!/usr/bin/env bash
# Experiment 8: the tables as a function of offered load, 0.3 to 0.95 of the stated capacity
# (PILOT.md predicts the static-vs-oracle gap is ~1% at moderate load and ~27% near saturation).
# Writes tables/e8_oracle_gap_by_load.*, tables/e8_load.* and e8_load_WORKLOAD.png.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
d=$EXP_RESULTS/08_load
# Its own grid step (settings.sh: EXP_GRID_STEP_E8), for the sweep and the oracle alike.
EXP_GRID_STEP=$EXP_GRID_STEP_E8
EXP_STATIC_GRID=$(exp_static_grid "$EXP_GRID_STEP")
pairs=()
for l in $EXP_LOADS; do pairs+=("$l=$(qps_of "$l")"); done
# The static grid at each load first: the oracle reads its schedule off those runs (--from-runs).
render "$EXP_ROOT/08_load/sweep.ini" "$d/sweep.ini" WORKLOADS_E8="$EXP_WORKLOADS_E8"
sweep "$d/sweep.ini"
EXP_WORKLOADS=$EXP_WORKLOADS_E8 oracle_jobs "$d" "e8-oracle-$EXP_MODE" "$d/load" "${pairs[@]}"
render "$EXP_ROOT/08_load/replay.ini" "$d/replay.ini" WORKLOADS_E8="$EXP_WORKLOADS_E8" SCHED="$d/sched"
sweep "$d/replay.ini"
py "$EXP_ROOT/02_oracle/table.py" "$d/load/runs.csv" "$d/replay/runs.csv" "$d/sched" "$EXP_TABLES" e8_oracle_gap_by_load
py "$EXP_ROOT/08_load/table.py" "$d/load/runs.csv" "$d/replay/runs.csv" "$EXP_CAPACITY" "$EXP_TABLES"
