#!/usr/bin/env bash
# The demo: real MPI runs on the CPU backend (1 scheduler + 3 workers), the MovieLens data replayed
# on a real production arrival trace and a synthetic session workload, each at two static splits of
# the pool between the embedding cache and the KV cache, then the P99/SLO table.
# The pool (4-8 MiB per worker) is sized so that neither cache holds its whole working set.
set -euo pipefail
BUILD=${1:-build}
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/scripts/mpi-env.sh"
bin="$here/$BUILD/bin/helm-bench"
shared="${HELM_SHARED:-$here/../shared}"
out="$here/$BUILD/demo"
mkdir -p "$out"
rm -f "$out"/*.h5

run() {  # name, then helm-bench run options
  local name=$1; shift
  echo "== $name"
  "${HELM_MPIRUN[@]}" -np 4 "$bin" run --duration 20 --warmup-s 5 --drain-s 5 --seed 1 \
      --out "$out/$name.h5" "$@" | sed -n '/== results/,$p'
}

ml="movielens:$shared/data/movielens-latest-small/ratings.csv"
azure="replay:$shared/data/azure-llm-2023/AzureLLMInferenceTrace_conv.csv"
for r in 0.2 0.8; do
  run "movielens-emb$r" --dataset "$ml" --workload "$azure" --qps 150 --pool-mib 4 --slo-ms 10 \
      --memory-policy "static:$r" --tag demo=movielens
done
for r in 0.2 0.8; do
  run "synthetic-emb$r" --dataset synthetic --qps 100 --session-gap-s 1 --pool-mib 8 --slo-ms 10 \
      --memory-policy "static:$r" --tag demo=synthetic
done
echo
echo "== report (helm-bench report $BUILD/demo/*.h5)"
"$bin" report "$out"/*.h5
