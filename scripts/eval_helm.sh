#!/usr/bin/env bash
# A quick evaluation of HELM in `sim` on a100-80gb: one profile x steady/burst x two loads x
# seeds the trainer never draws (it derives its episode seeds by hashing; these are small
# integers), for helm (all three layers, adapter=sync so the run is reproducible), its ablations
# (adapter=off; burst=off), static:0.5, the best static split of an oracle grid (chosen per
# cell on the same seed: an upper bound for any static choice) and mrc. One CSV row per run.
#   scripts/eval_helm.sh [BIN] [POLICY.h5] [OUT.csv]
set -euo pipefail
bin=${1:-build/bin/helm-bench}
pol=${2:-policies/helm-a100-80gb.h5}
out=${3:-docs/data/helm-eval.csv}
profile=${EVAL_PROFILE:-taobao}
nodes=4
common="--nodes $nodes --cost-model a100-80gb --dataset $profile --scale 0.1 --duration 20 --warmup-s 2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "profile,workload,qps_per_node,seed,policy,p99_ms,slo_pct,completed,dropped" > "$out"
row() {  # workload qps seed label -- runs sim with the remaining args, appends one row
  local w=$1 q=$2 s=$3 label=$4; shift 4
  HELM_PROGRESS=off "$bin" sim $common --workload "$w" --qps $((q * nodes)) --seed "$s" "$@" \
    --out "$tmp/r.h5" > "$tmp/o.txt" 2>&1 || { cat "$tmp/o.txt" >&2; exit 1; }
  local p99 slo req
  p99=$(awk '/latency P99 all:/ {print $4; exit}' "$tmp/o.txt")  # over all requests, lost ones as inf
  slo=$(awk '/SLO satisfaction:/ {sub("%", "", $3); print $3; exit}' "$tmp/o.txt")
  req=$(awk '/requests:/ && /generated/ {print $4 "," $6; exit}' "$tmp/o.txt")
  echo "$profile,$w,$q,$s,$label,$p99,$slo,$req" >> "$out"
}
for w in steady burst; do
  for q in 300 900; do
    for s in 101 102 103; do
      row $w $q $s helm --memory-policy "helm:$pol,adapter=sync"
      row $w $q $s helm-adapter-off --memory-policy "helm:$pol,adapter=off"
      row $w $q $s helm-burst-off --memory-policy "helm:$pol,adapter=sync,burst=off"
      row $w $q $s static:0.5 --memory-policy static:0.5
      row $w $q $s mrc --memory-policy mrc
      HELM_PROGRESS=off "$bin" oracle $common --workload "$w" --qps $((q * nodes)) --seed "$s" --grid-step 0.25 \
        --schedule "$tmp/s.csv" --table "$tmp/t.csv" > "$tmp/g.txt" 2>&1
      best=$(awk '/best static split/ {print $4; exit}' "$tmp/g.txt")
      row $w $q $s "best-static:$best" --memory-policy "static:$best"
    done
  done
done
echo "wrote $out"
