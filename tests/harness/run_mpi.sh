#!/usr/bin/env bash
# A short real MPI run: 4 ranks, heterogeneous static splits, synthetic workload. The workers'
# clocks are set 1.5 s ahead of rank 0's (the clock test hook, harness/mpi/clock_sync.h), so the
# offsets are measured by ping-pong on this one host and test_run_file checks them against it.
set -euo pipefail
bin=$1 out=$2
source "$(dirname "$0")/../../scripts/mpi-env.sh"
rm -f "$out"
log=$(HELM_CLOCK_OFFSET_NS=1500000000 "${HELM_MPIRUN[@]}" -x HELM_CLOCK_OFFSET_NS -np 4 "$bin" run --qps 40 --duration 4 --warmup-s 1 --drain-s 5 \
      --pool-mib 4 --memory-policy static:0.3,0.7 --slo-ms 200 --users 500 --items 20000 \
      --tag test=mpi --out "$out" 2>&1) || { echo "$log"; exit 1; }
echo "$log" | sed -n '/== results/,$p'
# The run checks itself: the footer's verdict must be PASS.
echo "$log" | grep -q "PASS: all" || { echo "footer has no PASS verdict"; exit 1; }
