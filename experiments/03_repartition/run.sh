#!/usr/bin/env bash
# Experiment 3: naive reallocation vs budgeted refill for the adaptive policies (paper:
# qualitative). Writes tables/e3_repartition.{md,tex,csv}.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
d=$EXP_RESULTS/03_repartition
for m in naive budgeted; do
  render "$EXP_ROOT/03_repartition/$m.ini" "$d/$m.ini" WORKLOADS_E3="$EXP_WORKLOADS_E3"
  sweep "$d/$m.ini"
done
py "$EXP_ROOT/03_repartition/table.py" "$d/naive/runs.csv" "$d/budgeted/runs.csv" "$EXP_TABLES"
