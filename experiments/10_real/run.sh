#!/usr/bin/env bash
# Experiment 10: experiments 1 and 4 as real runs (`helm-bench run`, CPU backend, 1 + 3 MPI ranks),
# the issue's smaller real-run variant. The settings are settings.sh's EXP_REAL_*; its tables
# are experiment 1's and 4's own table steps, written to tables/real/ (same names, so the same
# readers open them). Steps, each through Slurm with the node to itself (a run's latency is a
# measurement of its cores: run_all.sh runs this step last, alone):
#   1. the capacity (`capacity --mode run`, steady, static:0.5; its highest served step);
#   2. the static grid per regime at EXP_REAL_LOAD_SHARE of it -> tables/real/e1_*;
#   3. per regime, mrc and helm at the same load -> tables/real/e4_main (the grid's runs are the
#      table's static rows: the best of them is the baseline).
# No oracle here: `oracle` simulates or reads a simulated grid; the real grid's files are runs.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
# shellcheck source=../../scripts/mpi-env.sh
source "$REPO/scripts/mpi-env.sh"  # mpirun as root, for the capacity task's runs
d=$EXP_RESULTS/10_real
t=$EXP_TABLES/real
mkdir -p "$d" "$t"
cap_log=$d/capacity.log
printf '%s\t%s\n' "$cap_log" "cd \"$d\" && \"$HELM_BENCH\" capacity --mode run --workers 3 --mpirun 'mpirun --oversubscribe --bind-to none' --out-dir \"$d/capacity\" $(exp_real_opts "$EXP_REAL_CAP_DURATION") --dataset $EXP_REAL_DATASET --workload steady --router $EXP_BASE_ROUTER --memory-policy static:0.5 --qps 100 >\"\$OUT\" 2>&1" >"$d/capacity.tsv"
"$EXP_ROOT/lib/jobs.sh" "e10-capacity-$EXP_MODE" "$d/capacity.tsv" --exclusive
cap=$(awk '/^offered/ { s = $5 + 0; if (s > m) m = s } END { printf "%d", m }' "$cap_log")
[ "${cap:-0}" -gt 0 ] || { echo "10_real: no served rate in $cap_log" >&2; exit 1; }
load=$(awk -v c="$cap" -v f="$EXP_REAL_LOAD_SHARE" 'BEGIN { printf "%d", c * f }')
echo "10_real: capacity (highest served, 1 + 3 ranks) $cap qps; offered $load qps"
real=(REAL_DATASET="$EXP_REAL_DATASET" REAL_GRID="$EXP_REAL_GRID" REAL_SEEDS="$EXP_REAL_SEEDS"
      REAL_OPTS="$EXP_REAL_OPTS" LOAD="$load")
render "$EXP_ROOT/10_real/static.ini" "$d/static.ini" "${real[@]}"
sweep "$d/static.ini"
py "$EXP_ROOT/01_static/table.py" "$d/static/runs.csv" "$t"
csvs=("$d/static/runs.csv")
for w in $EXP_WORKLOADS; do
  render "$EXP_ROOT/10_real/policies.ini" "$d/policies-$w.ini" "${real[@]}" WORKLOAD="$w"
  sweep "$d/policies-$w.ini"
  csvs+=("$d/policies-$w/runs.csv")
done
# 04's table takes the oracle's runs as a CSV; a path with no file means none (there is no real oracle).
rm -f "$d/no-oracle.csv"
py "$EXP_ROOT/04_main/table.py" "$t" "$d/no-oracle.csv" "$EXP_BASE_ROUTER" "${csvs[@]}"
