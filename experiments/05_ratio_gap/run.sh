#!/usr/bin/env bash
# Experiment 5: the ratio gap to the oracle (paper: 0.024-0.029), from experiment 4's adaptive runs
# and experiment 2's schedules (no new runs). Writes tables/e5_ratio_gap.{md,tex,csv} and the plot
# of the split over time against the oracle's, with burst flags.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
csvs=()
for w in $EXP_WORKLOADS_E4; do csvs+=("$EXP_RESULTS/04_main/policies-$w/runs.csv"); done
py "$EXP_ROOT/05_ratio_gap/table.py" "$EXP_TABLES" "$EXP_RESULTS/02_oracle/sched" "$EXP_BASE_ROUTER" "${csvs[@]}"
