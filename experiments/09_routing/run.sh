#!/usr/bin/env bash
# Experiment 9, the routing study (H3' in docs/HYPOTHESES.md), in one command:
#   experiments/09_routing/run.sh [RAW_DIR]      (default /tmp/helm-e9; results files stay there)
# Per (nodes, profile) in settings.sh's R_SWEEPS: fill sweep.ini, let slurm/sweep.sh --dry-run
# measure the capacities (cached in RAW/NODESn-PROFILE/runs/capacity.tsv) and list the tasks, run
# the missing ones directly, two at a time under nice (this box's budget; on a cluster, submit
# the same filled sweep.ini with slurm/sweep.sh), then slurm/collect.sh and skew.py. Last,
# table.py writes experiments/results/routing/ (the committed CSV/markdown tables).
# Then the real-run cell, real_cell.sh RAW/real (mpirun, 1 + 3 ranks; R_REAL=0 skips it).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
source "$here/settings.sh"
raw=${1:-/tmp/helm-e9}
export HELM_BENCH=${HELM_BENCH:-$repo/build/bin/helm-bench}
[ -x "$HELM_BENCH" ] || { echo "09_routing: $HELM_BENCH not found: build helm-bench first (or set HELM_BENCH)" >&2; exit 1; }
export HELM_PROGRESS=off HDF5_USE_FILE_LOCKING=FALSE
jobs=${R_JOBS:-2}
dirs=()
for s in $R_SWEEPS; do
  nodes=${s%%:*} prof=${s#*:}
  d=$raw/${nodes}n-$prof
  mkdir -p "$d"
  r_profile "$prof"
  common=$(r_common "$nodes" "$prof")
  sed -e "s|@NODES@|$nodes|g" -e "s|@DATASET@|$prof|g" -e "s|@WORKLOADS@|$R_WORKLOADS|g" \
      -e "s|@ROUTERS@|$R_ROUTERS|g" -e "s|@LOADS@|$R_LOADS|g" -e "s|@SEEDS@|$R_SEEDS|g" \
      -e "s|@COMMON@|$common|g" -e "s|@CAP0@|$((R_CAP0 * nodes))|g" \
      -e "s|@DIR@|$d|g" "$here/sweep.ini" >"$d/sweep.ini"
  echo "09_routing: $d: capacities and tasks ($(date -u +%T))" >&2
  # The dry run's listing: per task a line 'INDEX MODE STATE VERDICT FILE', then its arguments
  # indented by 7 spaces; only tasks whose file is not complete are run.
  "$repo/slurm/sweep.sh" --dry-run "$d/sweep.ini" >"$d/dry-run.txt"
  awk '/^ *[0-9]+  sim  / { st = $3; next } /^       / { if (st != "complete") { sub(/^       /, ""); print } }' \
    "$d/dry-run.txt" >"$d/todo.txt"
  echo "09_routing: $d: $(wc -l <"$d/todo.txt") runs to do" >&2
  start=$(date +%s)
  # shellcheck disable=SC2016
  xargs -P "$jobs" -d '\n' -n 1 bash -c 'f=${0##* --out }; f=${f%% *}; nice -n 10 "$HELM_BENCH" sim $0 >"${f%.h5}.log" 2>&1 || echo "09_routing: failed: $f (log ${f%.h5}.log)" >&2' <"$d/todo.txt"
  echo "09_routing: $d: runs done in $(( $(date +%s) - start )) s" >&2
  "$repo/slurm/collect.sh" "$d/runs" >/dev/null
  /usr/bin/python3 "$here/skew.py" "$d/runs" >"$d/runs/skew.csv"
  dirs+=("$d")
done
if [ "${R_REAL:-1}" = 1 ]; then
  "$here/real_cell.sh" "$raw/real"
  dirs+=("$raw/real")
fi
# The tables' inputs are committed beside them (input/NAME/runs/: runs.csv, skew.csv,
# capacity.tsv), so table.py reruns without the results files.
out=$repo/experiments/results/routing
inputs=()
for d in "${dirs[@]}"; do
  i=$out/input/$(basename "$d")/runs
  mkdir -p "$i"
  cp "$d/runs/runs.csv" "$d/runs/skew.csv" "$d/runs/capacity.tsv" "$i/"
  inputs+=("$(dirname "$i")")
done
/usr/bin/python3 "$here/table.py" "$out" "${inputs[@]}"
