#!/usr/bin/env bash
# A short real MPI run: 4 ranks, heterogeneous static splits, synthetic workload. Clock offsets
# are measured by ping-pong even on this one host, so the test can check them against zero.
set -euo pipefail
bin=$1 out=$2
source "$(dirname "$0")/../../scripts/mpi-env.sh"
rm -f "$out"
log=$(HELM_CLOCK_PINGPONG=1 "${HELM_MPIRUN[@]}" -x HELM_CLOCK_PINGPONG -np 4 "$bin" run --qps 40 --duration 4 --warmup-s 1 --drain-s 5 \
      --pool-mib 4 --memory-policy static:0.3,0.7 --slo-ms 200 --users 500 --items 20000 \
      --tag test=mpi --out "$out" 2>&1) || { echo "$log"; exit 1; }
echo "$log" | sed -n '/== results/,$p'
# The run checks itself: the footer's verdict must be PASS.
echo "$log" | grep -q "PASS: all" || { echo "footer has no PASS verdict"; exit 1; }
