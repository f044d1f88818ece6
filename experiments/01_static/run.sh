#!/usr/bin/env bash
# Experiment 1: best static split per regime and how far it moves (paper: up to 0.35).
# Writes tables/e1_static_grid.csv (every split) and tables/e1_best_static.{csv,md,tex}.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
d=$EXP_RESULTS/01_static
render "$EXP_ROOT/01_static/sweep.ini" "$d/sweep.ini"
sweep "$d/sweep.ini"
py "$EXP_ROOT/01_static/table.py" "$d/static/runs.csv" "$EXP_TABLES"
