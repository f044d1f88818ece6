#!/usr/bin/env bash
# HELM's KuaiRand base policy (policies/helm-a100-80gb-kuairand.h5) on two workloads it was not
# trained on, against every static split of a 0.2 grid and `mrc`, in `sim` with
# experiments/settings.sh's quick settings otherwise (4 nodes, kuairand-27k, scale 0.05), seeds
# 1-3 (the trainer draws hashed episode seeds, never these), router kv-affinity:
#   gap04-steady  steady, --session-gap-s 0.04 (training: 0.02): twice the users in session per
#                 pool, so more KV pressure than any training episode; 6,000 qps (1,500 a node:
#                 scouting one run at seed 1 found 8,000 qps overloads static:0.2, SLO 25%)
#   trend-9000    trend, 9,000 qps (2,250 a node; training: 1,500 and 2,000 a node), the usual gap
# One CSV row per run; P99 over all requests (lost ones counted as infinite).
#   scripts/eval_helm_heldout.sh [BIN] [OUT.csv]      (about 50 sims; table: eval_helm_heldout_table.py)
set -euo pipefail
bin=${1:-build/bin/helm-bench}
out=${2:-docs/data/helm-heldout-eval.csv}
HELM_EXP_QUICK=1
source "$(dirname "$0")/../experiments/settings.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "workload,seed,policy,p99_all_ms,slo_pct,mean_emb_share" > "$out"
run() {  # LABEL SEED POLICY ARGS...
  local label=$1 seed=$2 policy=$3
  shift 3
  HELM_PROGRESS=off "$bin" sim $EXP_SIM $EXP_COMMON --dataset kuairand-27k "$@" --seed "$seed" \
    --router "$EXP_BASE_ROUTER" --memory-policy "$policy" --out "$tmp/r.h5" > "$tmp/o.txt" 2>&1 \
    || { cat "$tmp/o.txt" >&2; exit 1; }
  "$bin" report "$tmp/r.h5" --format csv > "$tmp/r.csv"
  /usr/bin/python3 - "$tmp/r.csv" "$tmp/r.h5" "$label" "$seed" "$policy" >> "$out" <<'PY'
import csv, sys, h5py
row = next(csv.DictReader(open(sys.argv[1])))
share = float(h5py.File(sys.argv[2], "r")["nodes"]["emb_share"][:].mean())
print('%s,%s,"%s",%s,%s,%.3f' % (sys.argv[3], sys.argv[4], sys.argv[5], row["p99_all_ms"], row["slo_pct"], share))
PY
}
# The held-out gap replaces the common one (helm-bench refuses an option given twice).
EXP_COMMON_GAP04=${EXP_COMMON/--session-gap-s 0.02/--session-gap-s 0.04}
for s in 1 2 3; do
  for p in $EXP_STATIC_GRID mrc "helm:policies/helm-a100-80gb-kuairand.h5,adapter=off"; do
    EXP_COMMON=$EXP_COMMON_GAP04 run gap04-steady "$s" "$p" --workload steady --qps 6000
    run trend-9000 "$s" "$p" --workload trend --qps 9000
  done
done
cat "$out"
