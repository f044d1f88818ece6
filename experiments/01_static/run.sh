#!/usr/bin/env bash
# Experiment 1: best static split per regime and how far it moves (paper: up to 0.35), on each of
# the three profiles (settings.sh: exp_profile). One sweep per profile, all submitted at once;
# their runs.csv are joined into 01_static/runs.csv, which 02 and the table step read.
# Writes tables/e1_static_grid.csv (every split) and tables/e1_best_static.{csv,md,tex}.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
d=$EXP_RESULTS/01_static
pids=() csvs=()
for ds in $EXP_DATASETS_E12; do
  ( exp_profile "$ds"
    render "$EXP_ROOT/01_static/sweep.ini" "$d/$ds/sweep.ini"
    sweep "$d/$ds/sweep.ini" ) & pids+=($!)
  csvs+=("$d/$ds/static/runs.csv")
done
for p in "${pids[@]}"; do wait "$p"; done
join_csv "$d/runs.csv" "${csvs[@]}"
py "$EXP_ROOT/01_static/table.py" "$d/runs.csv" "$EXP_TABLES"
