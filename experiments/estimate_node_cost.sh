#!/usr/bin/env bash
# experiments/estimate_node_cost.sh: EST_NODE_COST for estimate.sh, measured: one `helm-bench sim`
# at the quick run's nodes and one at the full run's, both at the quick run's trace length and the
# same load per node (so the requests differ only by the node count), kuairand-27k steady,
# static:0.2, kv-affinity, seed 1. Prints each run's end-to-end requests per second and their ratio
# (the cost of a request at the full run's nodes over its cost at the quick run's).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bench=${HELM_BENCH:-$here/../build/bin/helm-bench}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rate() {  # rate NODES QPS: end-to-end requests per second of one sim
  (
    export HELM_EXP_QUICK=1; source "$here/settings.sh"
    nice "$bench" sim $EXP_COMMON --nodes "$1" --cost-model a100-80gb --pool-mib 73728 --dataset kuairand-27k \
      --workload steady --memory-policy static:0.2 --router "$EXP_BASE_ROUTER" --seed 1 --qps "$2" --out "$tmp/r.h5" |
      sed -n 's/.*end to end \([0-9.]*\) s (\([0-9]*\) requests\/s.*/\2/p'
  )
}
q=$(export HELM_EXP_QUICK=1; source "$here/settings.sh"; echo "$EXP_NODES $EXP_LOAD")
f=$(export HELM_EXP_QUICK=0; source "$here/settings.sh"; echo "$EXP_NODES $EXP_LOAD")
rq=$(rate $q) rf=$(rate $f)
echo "quick (nodes, qps: $q): $rq requests/s; full ($f): $rf requests/s; EST_NODE_COST=$(awk -v a="$rq" -v b="$rf" 'BEGIN { printf "%.2f", a / b }')"
