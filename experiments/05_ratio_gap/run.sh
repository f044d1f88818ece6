#!/usr/bin/env bash
# Experiment 5: the ratio gap to the oracle (paper: 0.024-0.029), from experiment 4's adaptive runs
# and experiment 2's schedules, plus helm and mrc in the regimes experiment 4 left out. Writes
# tables/e5_ratio_gap.{md,tex,csv} and the split over time against the oracle's, with burst flags.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
d=$EXP_RESULTS/05_ratio_gap
csvs=()
for w in $EXP_WORKLOADS_E4; do csvs+=("$EXP_RESULTS/04_main/policies-$w/runs.csv"); done
extra=""
for w in $EXP_WORKLOADS; do [[ " $EXP_WORKLOADS_E4 " == *" $w "* ]] || extra+="$w "; done
if [ -n "$extra" ]; then
  render "$EXP_ROOT/05_ratio_gap/sweep.ini" "$d/sweep.ini" WORKLOADS_E5="$extra"
  sweep "$d/sweep.ini"
  csvs+=("$d/extra/runs.csv")
fi
py "$EXP_ROOT/05_ratio_gap/table.py" "$EXP_TABLES" "$EXP_RESULTS/02_oracle/sched" "$EXP_BASE_ROUTER" "${csvs[@]}"
