#!/usr/bin/env bash
# experiments/run_all.sh [--quick]: every experiment of RESULTS.md through the local Slurm, then
# the tables and plots. The full settings (32 nodes, 5 seeds, 6 s traces, finer grids) are
# estimated at ~40 hours of this 2-core machine (RESULTS.md: not run); --quick (4 nodes, 3 seeds,
# 1.2 s traces, fewer regimes in the larger tables: experiments/settings.sh says exactly what) took
# the time RESULTS.md states.
# Resubmitting re-runs only what is missing (finished results files are kept), so an interrupted
# run continues where it stopped. Needs build/bin/helm-bench and build/bin/bench_helm.
# Environment: HELM_SLURM_CPUS (array tasks at once when this script starts the local Slurm,
# default 2), HELM_EXP_RESULTS (results folder, default experiments/results/MODE).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
case ${1:-} in
  --quick) export HELM_EXP_QUICK=1 ;;
  "") export HELM_EXP_QUICK=0 ;;
  *) echo "usage: experiments/run_all.sh [--quick]" >&2; exit 2 ;;
esac
# A Slurm to submit to: the site's, or this machine's single-node one (slurm/local-cluster.sh).
if ! sinfo -h >/dev/null 2>&1; then
  export HELM_SLURM_CPUS=${HELM_SLURM_CPUS:-2}
  "$here/../slurm/local-cluster.sh" start
  eval "$("$here/../slurm/local-cluster.sh" env)"
fi
t0=$(date +%s)
log=$(mktemp -d)
step() {  # step NN_name: one runner, its output in the log folder, its time on stdout
  local s=$(date +%s)
  if "$here/$1/run.sh" >"$log/$1.log" 2>&1; then
    echo "run_all: $1 done in $(( $(date +%s) - s )) s"
  else
    echo "run_all: $1 FAILED after $(( $(date +%s) - s )) s; its log:" >&2
    tail -n 30 "$log/$1.log" >&2
    return 1
  fi
}
# Independent experiments go to Slurm at once (its queue keeps the cores busy between sweeps);
# 04 and 07 need 01's best static split, 05 needs 02 and 04, 06 (a timing) runs last, alone.
pids=()
for e in 01_static 02_oracle 03_repartition 08_load; do step "$e" & pids+=($!); done
wait "${pids[0]}"
step 04_main & p4=$!
step 07_throughput & p7=$!
fail=0
for p in "${pids[@]:1}" "$p4" "$p7"; do wait "$p" || fail=1; done
step 05_ratio_gap || fail=1
step 06_decision || fail=1
echo "run_all: $([ $fail -eq 0 ] && echo all done || echo "done with failures") in $(( $(date +%s) - t0 )) s; tables in" \
     "${HELM_EXP_RESULTS:-$here/results/$([ "$HELM_EXP_QUICK" = 1 ] && echo quick || echo full)}/tables; logs in $log"
exit $fail
