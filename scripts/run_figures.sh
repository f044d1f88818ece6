#!/usr/bin/env bash
# Regenerates the `run` figures the README quotes: the CPU link rule's rate, the overloaded
# 1 + 3 rank run (~2x what 3 workers on 2 cores serve), and rank 0's ceiling with the instant
# executor. Usage: scripts/run_figures.sh [BUILD] (default build). About 1 minute on 2 cores.
set -euo pipefail
build=${1:-build}
bin=$build/bin/helm-bench
source "$(dirname "$0")/mpi-env.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run() { "${HELM_MPIRUN[@]}" -np 4 "$bin" run "$@" --out "$tmp/r.h5" 2>&1; }
pick() { grep -E "$1" | sed 's/^ *//'; }

echo "== link rule (small model, --link-like a100-80gb)"
run --dataset ml-20m --scale 0.01 --model small --qps 100 --duration 4 | pick '^h2d link:'

echo "== overload: --qps 3000 --duration 8 (1 + 3 ranks; 1000 qps is served in full since the link rule)"
start=$SECONDS
run --dataset ml-20m --scale 0.01 --model small --qps 3000 --duration 8 |
  pick 'requests:|dispatch lag P99|PASS|FAIL'
echo "wall: $((SECONDS - start)) s"

echo "== rank 0 ceiling: --executor noop, 3 workers, SLO 10 ms"
for q in 5000 20000; do
  echo "qps $q: $(run --executor noop --qps "$q" --duration 3 --warmup-s 1 --slo-ms 10 |
                  pick 'dispatch lag P99' | tr -s ' ')"
done
