#!/usr/bin/env bash
# H3 (docs/HYPOTHESES.md): every router x regime x seed in `sim`, heterogeneous static splits,
# the same trace per (regime, seed) for every router. Workload fixed before any router result:
# kuairand-27k profile at --scale 0.1 on the 'small' model and the cpu-small cost model, 3 nodes
# with EMB shares 0.2/0.8/0.5, 512 MiB pools, 550 qps (~0.72 of rr's saturated throughput,
# 764 req/s). ~1-3 s per run.
# usage: scripts/h3_sweep.sh HELM_BENCH OUTDIR [routers...]
set -euo pipefail
bin=${1:?helm-bench path}; out=${2:?output dir}; shift 2
routers=${*:-rr least-loaded p2c kv-affinity cache-aware helm}
mkdir -p "$out"
W=(--nodes 3 --cost-model cpu-small --model small --dataset kuairand-27k --scale 0.1 --pool-mib 5120
   --memory-policy static:0.2,0.8,0.5 --qps 550 --duration 60 --warmup-s 5 --drain-s 10 --slo-ms 200
   --burst-gap-s 20 --burst-duration-s 5)
for regime in steady trend burst; do for seed in 1 2 3; do for r in $routers; do
  "$bin" sim "${W[@]}" --workload "$regime" --router "$r" --seed "$seed" \
    --tag router="$r" --tag regime="$regime" --tag seed="$seed" \
    --out "$out/${regime}_${r}_s${seed}.h5" > "$out/${regime}_${r}_s${seed}.log" 2>&1
  echo "$regime $r $seed $(grep -E 'latency P99 all:' "$out/${regime}_${r}_s${seed}.log")"
done; done; done
