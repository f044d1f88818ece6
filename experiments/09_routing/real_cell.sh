#!/usr/bin/env bash
# Experiment 9's real-run cell (H3'): `helm-bench run` on the CPU backend, 1 + 3 MPI ranks, helm vs
# kv-affinity vs rr at 0.7 of the config's capacity, seeds 1-3, heterogeneous splits 0.2/0.8/0.5.
#   experiments/09_routing/real_cell.sh [RAW_DIR]   (default /tmp/helm-e9-real; run.sh calls it with RAW/real)
# The capacity is `capacity --mode run` on the same options (router rr), taken as the highest rate
# any of its steps served (docs/FIDELITY.md, "Capacity": the saturation rule's figure collapses
# when starved workers stall). Then slurm/collect.sh, skew.py and table.py's real-run table.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
raw=${1:-/tmp/helm-e9-real}
bench=${HELM_BENCH:-$repo/build/bin/helm-bench}
export HELM_PROGRESS=off HDF5_USE_FILE_LOCKING=FALSE
# shellcheck source=../../scripts/mpi-env.sh
source "$repo/scripts/mpi-env.sh"
mkdir -p "$raw/runs"
opts=(--dataset ml-20m --scale 0.01 --model small --warmup-s 2 --drain-s 5 --slo-ms 50 --memory-policy static:0.2,0.8,0.5)
mpi="mpirun --oversubscribe --bind-to none"
if [ ! -s "$raw/capacity.txt" ]; then
  "$bench" capacity --mode run --workers 3 --mpirun "$mpi" --out-dir "$raw/capacity" "${opts[@]}" --duration 5 --qps 100 \
    >"$raw/capacity.log" 2>&1 || { echo "real_cell: capacity failed (log $raw/capacity.log)" >&2; exit 1; }
  awk '/^offered/ { s = $5 + 0; if (s > m) m = s } END { printf "%d\n", m }' "$raw/capacity.log" >"$raw/capacity.txt"
fi
cap=$(cat "$raw/capacity.txt")
qps=$(awk -v c="$cap" 'BEGIN { printf "%d", 0.7 * c }')
echo "real_cell: capacity (peak served, 1 + 3 ranks) $cap qps; offered $qps qps" >&2
for seed in 1 2 3; do
  for router in rr kv-affinity helm; do
    f=$raw/runs/run_${router}_s$seed.h5
    "$bench" report --status "$f" 2>/dev/null | grep -q '^complete' && continue
    $mpi -np 4 "$bench" run "${opts[@]}" --duration 8 --router "$router" --qps "$qps" --seed "$seed" \
      --tag seed="$seed" --tag load=0.7x --tag capacity="$cap" --out "$f" >"${f%.h5}.log" 2>&1 ||
      echo "real_cell: failed: $f (log ${f%.h5}.log)" >&2
  done
done
"$repo/slurm/collect.sh" "$raw/runs" >/dev/null
/usr/bin/python3 "$here/skew.py" "$raw/runs" >"$raw/runs/skew.csv"
# Keyed as table.py joins it: the runs' dataset|workload (`run`'s default workload, steady).
printf 'ml-20m|steady\t%s\n' "$cap" >"$raw/runs/capacity.tsv"
