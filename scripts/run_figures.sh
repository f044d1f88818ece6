#!/usr/bin/env bash
# Regenerates the `run` figures the README quotes: the CPU link rule's rate, the overloaded
# 1 + 3 rank run (~2x what 3 workers on 2 cores serve), and rank 0's ceiling with the instant
# executor (3 and 31 workers).
# Usage: scripts/run_figures.sh [BUILD] [all|ceiling] (defaults: build all). The ceiling search
# takes ~10-25 runs per worker count: ~5-12 minutes with 31 workers on 2 cores, ~2-4 with 3.
set -euo pipefail
build=${1:-build}
what=${2:-all}
repeats=${REPEATS:-3}
bin=$build/bin/helm-bench
source "$(dirname "$0")/mpi-env.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
np=4
run() { "${HELM_MPIRUN[@]}" -np "$np" "$bin" run "$@" --out "$tmp/r.h5" 2>&1; }
pick() { grep -E "$1" | sed 's/^ *//'; }

if [ "$what" = all ]; then
  echo "== link rule (small model, --link-like a100-80gb)"
  run --dataset ml-20m --scale 0.01 --model small --qps 100 --duration 4 | pick '^h2d link:'

  echo "== overload: --qps 3000 --duration 8 (1 + 3 ranks; 1000 qps is served in full since the link rule)"
  start=$SECONDS
  run --dataset ml-20m --scale 0.01 --model small --qps 3000 --duration 8 |
    pick 'requests:|dispatch lag P99|PASS|FAIL'
  echo "wall: $((SECONDS - start)) s"
fi

# Rank 0's ceiling: the highest --qps whose dispatch-lag P99 (rank 0 sending a request after its
# scheduled time) stays within 5% of the 10 ms SLO, the footer's own validity bound. The no-op
# executor completes each request at once, so the workers cost nothing but their message loop and
# rank 0's pacing, routing and accounting are all that is measured. Doubling from 500 qps to the
# first failure, then bisection to within 10%. Each probe is a 3 s run, repeated up to REPEATS
# times (default 3) until one is within the bound: other processes only ever add lag (a
# preemption of rank 0 delays every send due meanwhile), so the least P99 of the repeats is the
# closest to rank 0's own; on the shared VM single runs two minutes apart gave ceilings 3-30x
# apart. The load average is printed with each result. With 31 workers on 2 cores the ranks are
# oversubscribed 16x: rank 0 competes with 31 polling workers, as it would not on a 32-GPU cluster.
lag_ms() {  # dispatch-lag P99 in ms of one noop run at --qps $1
  { run --executor noop --qps "$1" --duration 3 --warmup-s 1 --slo-ms 10 || true; } |
    awk '/dispatch lag P99:/ {print $4; found=1} END {if (!found) print "nan"}'
}
ceiling() {  # $1 workers
  np=$(($1 + 1))
  local lo=0 hi=0 q=500 lag ok
  probe() {  # up to $repeats runs; the rate passes if any does (see above)
    local r all=""
    for r in $(seq 1 "$repeats"); do
      lag=$(lag_ms "$1")
      all="$all $lag"
      ok=$(awk -v l="$lag" 'BEGIN {print (l != "nan" && l <= 0.5) ? 1 : 0}')
      [ "$ok" = 1 ] && break
    done
    echo "  $(($np - 1)) workers, qps $1: dispatch-lag P99$all ms: $([ "$ok" = 1 ] && echo within || echo over) 0.5 ms" >&2
  }
  while :; do
    probe "$q"
    if [ "$ok" = 1 ]; then lo=$q; [ "$q" -ge 256000 ] && break; q=$((q * 2)); else hi=$q; break; fi
  done
  while [ "$lo" = 0 ] && [ "$q" -gt 60 ]; do  # failed at the first probe: go down
    q=$((q / 2)); probe "$q"; [ "$ok" = 1 ] && lo=$q || hi=$q
  done
  while [ "$hi" -gt 0 ] && [ "$lo" -gt 0 ] && [ $((hi * 10)) -gt $((lo * 11)) ]; do
    q=$(((lo + hi) / 2)); probe "$q"; [ "$ok" = 1 ] && lo=$q || hi=$q
  done
  echo "rank 0 ceiling, $1 workers ($np ranks on $(nproc) cores): $lo qps (first failure $hi qps); load average $(cut -d' ' -f1-3 /proc/loadavg)"
}
echo "== rank 0 ceiling: --executor noop, SLO 10 ms, dispatch-lag P99 <= 0.5 ms; load average $(cut -d' ' -f1-3 /proc/loadavg)"
ceiling 3
ceiling 31
