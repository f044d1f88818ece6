#!/usr/bin/env bash
# experiments/run_all.sh [--quick]: every experiment of RESULTS.md through the local Slurm, then
# the tables and plots. --quick (experiments/settings.sh says exactly what it scales down) took the
# time RESULTS.md states; the full run's time is estimated from a quick run's by
# experiments/estimate.sh (RESULTS.md: not run).
# Each step's wall time, its Slurm tasks and their summed own run times go to tables/times.tsv
# (step, seconds, tasks, task_seconds), the input of estimate.sh.
# Resubmitting re-runs only what is missing (finished results files are kept), so an interrupted
# run continues where it stopped. Needs build/bin/helm-bench and build/bin/bench_helm, and mpirun.
# Environment: HELM_SLURM_CPUS (array tasks at once when this script starts the local Slurm,
# default 2), HELM_EXP_RESULTS (results folder, default experiments/results/MODE).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
usage="usage: experiments/run_all.sh [--quick] [--step NN_name]"
export HELM_EXP_QUICK=0
only=""
while [ $# -gt 0 ]; do
  case $1 in
    --quick) export HELM_EXP_QUICK=1 ;;
    # One step alone, added to an existing run: its rows in times.tsv are replaced and the total
    # grows by its wall time (for a step added to the run after the others had finished).
    --step) [ $# -ge 2 ] && [ -x "$here/${2:-}/run.sh" ] || { echo "$usage (no runner $here/${2:-}/run.sh)" >&2; exit 2; }
            only=$2; shift ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
  shift
done
# A Slurm to submit to: the site's, or this machine's single-node one (slurm/local-cluster.sh).
if ! sinfo -h >/dev/null 2>&1; then
  export HELM_SLURM_CPUS=${HELM_SLURM_CPUS:-2}
  "$here/../slurm/local-cluster.sh" start
  eval "$("$here/../slurm/local-cluster.sh" env)"
fi
# shellcheck source=settings.sh
source "$here/settings.sh"  # EXP_DATASETS_E12: the profiles of the steps that run one sweep each
t0=$(date +%s)
log=$(mktemp -d)
results=${HELM_EXP_RESULTS:-$here/results/$([ "$HELM_EXP_QUICK" = 1 ] && echo quick || echo full)}
mkdir -p "$results/tables"
times=$results/tables/times.tsv
if [ -n "$only" ]; then
  [ -s "$times" ] || { echo "run_all: --step $only: no $times to add to (run the whole run first)" >&2; exit 2; }
  prev=$(awk -F'\t' '$1 == "total" { print $2 }' "$times")
  awk -F'\t' -v s="$only" '$1 != s && index($1, s "@") != 1 && $1 != "total"' "$times" >"$times.tmp"
  mv "$times.tmp" "$times"
else
  printf 'step\tseconds\ttasks\ttask_seconds\n' >"$times"
fi
# task_times STEP [PROFILE]: "TASKS<TAB>TASK_SECONDS" of the Slurm tasks STEP ran since its stamp
# (of those whose log path names PROFILE, when given). Each task's log says its own time: a sweep's
# `sim` as "end to end X s", its `run` as "run wall X s" (slurm/helm.sbatch), a lib/jobs.sh task as
# "jobs.sh: task seconds X".
task_times() {
  find "$results/$1" -path '*/logs/*' -path "*${2:-}*" -type f -newer "$log/$1.start" -print0 2>/dev/null |
    xargs -0 -r grep -ohE 'end to end [0-9.]+ s|run wall [0-9.]+ s|jobs.sh: task seconds [0-9.]+' |
    awk '{ n++; t += $(NF) == "s" ? $(NF - 1) : $(NF) } END { printf "%d\t%.1f", n, t }'
}
step() {  # step NN_name: one runner, its output in the log folder, its time on stdout and in times.tsv
  local s=$(date +%s) stamp=$log/$1.start
  touch "$stamp"
  if "$here/$1/run.sh" >"$log/$1.log" 2>&1; then
    local sec=$(( $(date +%s) - s ))
    printf '%s\t%s\t%s\n' "$1" "$sec" "$(task_times "$1")" >>"$times"
    # A step that runs one sweep per profile (a folder each, settings.sh's exp_profile) also gets a
    # row per profile, STEP@PROFILE, its tasks those whose log path names the profile (the seconds
    # column is "-": the profiles' sweeps share the step's wall time).
    local ds
    for ds in $EXP_DATASETS_E12; do
      [ ! -d "$results/$1/$ds" ] || printf '%s@%s\t-\t%s\n' "$1" "$ds" "$(task_times "$1" "$ds")" >>"$times"
    done
    echo "run_all: $1 done in $sec s"
  else
    echo "run_all: $1 FAILED after $(( $(date +%s) - s )) s; its log:" >&2
    tail -n 30 "$log/$1.log" >&2
    return 1
  fi
}
# Independent experiments go to Slurm at once (its queue keeps the cores busy between sweeps);
# 02 reads 01's static grid, 04 and 07 need 01's best static split, 05 needs 02 and 04, 06 and 10
# (timings: a benchmark, real runs) run last, alone.
if [ -n "$only" ]; then
  fail=0
  step "$only" || fail=1
  sec=$(awk -F'\t' -v s="$only" '$1 == s { print $2 }' "$times")
  printf 'total\t%s\t\t\n' "$(( ${prev:-0} + ${sec:-0} ))" >>"$times"
  echo "run_all: step $only $([ $fail -eq 0 ] && echo done || echo FAILED); times.tsv's total now includes it"
  exit $fail
fi
pids=() fail=0
for e in 01_static 03_repartition 08_load; do step "$e" & pids+=($!); done
wait "${pids[0]}" || fail=1
step 02_oracle & p2=$!
step 07_throughput & p7=$!
wait "$p2" || fail=1
step 04_main & p4=$!
for p in "${pids[@]:1}" "$p4" "$p7"; do wait "$p" || fail=1; done
step 05_ratio_gap || fail=1
step 06_decision || fail=1
step 10_real || fail=1  # real MPI runs: last and alone, as their latency is a measurement of the cores
printf 'total\t%s\t\t\n' "$(( $(date +%s) - t0 ))" >>"$times"
echo "run_all: $([ $fail -eq 0 ] && echo all done || echo "done with failures") in $(( $(date +%s) - t0 )) s; tables in" \
     "$results/tables (times.tsv: per step); logs in $log"
exit $fail
