#!/usr/bin/env bash
# HELM's base policy trained on the experiments' KuaiRand setting (policies/helm-a100-80gb-kuairand.h5)
# against the shipped mixed-profile policy and the best static split of experiment 1 (quick mode:
# static:0.2), in `sim` with experiments/settings.sh's quick settings, seeds 1-3 (the trainer
# draws hashed episode seeds, never these), steady and trend, router kv-affinity. One CSV row per
# run; the P99 is over all requests (lost ones counted as infinite).
#   scripts/eval_helm_kuairand.sh [BIN] [OUT.csv]
set -euo pipefail
bin=${1:-build/bin/helm-bench}
out=${2:-docs/data/helm-kuairand-eval.csv}
HELM_EXP_QUICK=1
source "$(dirname "$0")/../experiments/settings.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "workload,seed,policy,p99_all_ms,slo_pct,mean_emb_share" > "$out"
for w in steady trend; do
  for s in 1 2 3; do
    for p in static:0.2 "helm:policies/helm-a100-80gb.h5,adapter=off" \
             "helm:policies/helm-a100-80gb-kuairand.h5,adapter=off" \
             "helm:policies/helm-a100-80gb-kuairand.h5,adapter=sync"; do
      HELM_PROGRESS=off "$bin" sim $EXP_SIM $EXP_COMMON --dataset kuairand-27k --workload "$w" --qps "$EXP_LOAD" \
        --seed "$s" --router "$EXP_BASE_ROUTER" --memory-policy "$p" --out "$tmp/r.h5" > "$tmp/o.txt" 2>&1 \
        || { cat "$tmp/o.txt" >&2; exit 1; }
      p99=$(awk '/latency P99 all:/ {print $4; exit}' "$tmp/o.txt")
      slo=$(awk '/SLO satisfaction:/ {sub("%", "", $3); print $3; exit}' "$tmp/o.txt")
      share=$(/usr/bin/python3 -c "import h5py,sys; n=h5py.File(sys.argv[1])['nodes']; print(round(float(n['emb_share'][:].mean()),3))" "$tmp/r.h5")
      echo "$w,$s,\"$p\",$p99,$slo,$share" >> "$out"
    done
  done
done
cat "$out"
