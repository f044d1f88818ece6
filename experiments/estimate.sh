#!/usr/bin/env bash
# experiments/estimate.sh [TIMES_TSV] [SLOTS]: the full run's wall time, computed from a quick run.
#
# TIMES_TSV (default experiments/results/quick/tables/times.tsv) is what `run_all.sh --quick`
# wrote: per step its wall seconds, Slurm tasks and their summed own run times (task_seconds).
# For each step:  full task-seconds = quick task_seconds x (full tasks / quick tasks) x size ratio,
# where the task counts come from settings.sh's two modes (the formulas below, one per runner: the
# quick count is checked against the measured one) and the size ratio is the requests per task,
# (qps x duration) full / quick, times EST_NODE_COST: the cost of a request at the full run's
# nodes relative to the quick run's (measured, see below; per request, 32 simulated nodes cost
# more than 4: every routing decision looks at every node). The estimate is the sum over steps,
# divided by SLOTS (array tasks at once, default 2: HELM_SLURM_CPUS of run_all.sh), times the quick
# run's own packing loss: its wall time over its task-seconds / SLOTS (Slurm slots idle at step
# barriers, the table steps, and other users of the cores all count there). Assumes a task's time
# grows linearly with its requests; the oracle reads (02, 08) are counted as tasks like the sims.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
times=${1:-$here/results/quick/tables/times.tsv}
slots=${2:-2}
[ -f "$times" ] || { echo "estimate.sh: $times: no such file (run experiments/run_all.sh --quick first)" >&2; exit 2; }
# Per-request cost, 32 simulated nodes over 4, both at 2,000 qps per node and 1.2 s traces, one
# `helm-bench sim` each (kuairand-27k steady, static:0.2, kv-affinity, seed 1, the settings'
# common options), end-to-end requests per second: experiments/estimate_node_cost.sh measured
# 3,644 requests/s at 4 nodes and 3,490 at 32 (load average ~3), so 1.04.
node_cost=${EST_NODE_COST:-1.04}

counts() {  # counts quick|full: "step tasks size" lines (size: requests per task, relative)
  (
    if [ "$1" = quick ]; then export HELM_EXP_QUICK=1; else export HELM_EXP_QUICK=0; fi
    unset HELM_EXP_TINY EXP_WORKLOADS
    source "$here/settings.sh"
    n() { echo $#; }
    requests() { awk -v q="$1" -v d="$2" 'BEGIN { print q * d }'; }  # per task: qps x seconds
    D=$(n $EXP_DATASETS) W=$(n $EXP_WORKLOADS) S=$(n $EXP_SEEDS)
    G=$(n $EXP_STATIC_GRID) G8=$(n $(exp_static_grid "$EXP_GRID_STEP_E8")) L=$(n $EXP_LOADS)
    extra=0
    for w in $EXP_WORKLOADS; do [[ " $EXP_WORKLOADS_E4 " == *" $w "* ]] || extra=$((extra + 1)); done
    size=$(requests "$EXP_LOAD" "$EXP_DURATION")
    size8=$(requests "$EXP_CAPACITY" "$EXP_DURATION")
    reps=3; [ "$EXP_MODE" = quick ] || reps=10
    for ds in $EXP_DATASETS_E12; do  # one row per profile: each has its own load and trace length
      ( exp_profile "$ds"
        z=$(requests "$EXP_LOAD" "$EXP_DURATION")
        echo "01_static@$ds $((W * G * S)) $z"                            # the static grid
        echo "02_oracle@$ds $((2 * W * S)) $z" )                          # oracle read + replay
    done
    echo "03_repartition $((2 * D * $(n $EXP_WORKLOADS_E3) * 2 * S)) $size"  # naive, budgeted x 2 policies
    echo "04_main $((D * $(n $EXP_WORKLOADS_E4) * 8 * 2 * S + D * $(n $EXP_WORKLOADS_ROUTERS) * 2 * 7 * S)) $size"
    echo "05_ratio_gap $((D * extra * 2 * S)) $size"                      # helm, mrc where 04 left a regime out
    echo "06_decision 1 $reps"                                            # bench_helm: repetitions
    echo "07_throughput $((D * $(n $EXP_WORKLOADS_E7) * 3 * $(n $EXP_SEEDS_E7))) $size"  # capacity searches
    # Real runs: the same settings in both modes, so the same tasks and size (their time is wall
    # time, not simulated requests: no node cost either).
    echo "10_real $((1 + W * $(n $EXP_REAL_GRID) * $(n $EXP_REAL_SEEDS) + W * 2 * $(n $EXP_REAL_SEEDS))) 1"
    echo "08_load $((D * $(n $EXP_WORKLOADS_E8) * L * (G8 + 2) * S + 2 * D * $(n $EXP_WORKLOADS_E8) * L * S)) $size8"
  )
}

awk -v slots="$slots" -v node_cost="$node_cost" -v times="$times" '
  FNR == 1 { f++ }
  f == 1 && FNR > 1 { if ($1 == "total") wall = $2; else { qt[$1] = $3; qs[$1] = $4 }; next }
  f == 2 { cq[$1] = $2; zq[$1] = $3; order[++n] = $1; next }
  f == 3 { cf[$1] = $2; zf[$1] = $3 }
  END {
    printf "%-15s %11s %9s %12s %10s %8s %12s\n", "step", "quick tasks", "(formula)", "task-seconds", "full tasks", "size x", "full task-s"
    for (i = 1; i <= n; i++) {
      s = order[i]
      if (!(s in qt)) { printf "estimate.sh: %s: no row for step %s\n", times, s > "/dev/stderr"; bad = 1; continue }
      r = zf[s] / zq[s] * (s == "06_decision" || s == "10_real" ? 1 : node_cost)
      per = qt[s] > 0 ? qs[s] / qt[s] : 0
      x = per * cf[s] * r
      tq += qs[s]; tf += x
      if (qt[s] != cq[s]) off = off " " s
      printf "%-15s %11d %9d %12.1f %10d %8.3g %12.0f\n", s, qt[s], cq[s], qs[s], cf[s], r, x
    }
    if (bad) exit 2
    if (off != "") printf "warning: measured quick tasks differ from the formulas in%s (a resumed run, or a runner changed: fix the formula)\n", off
    pack = wall / (tq / slots)
    printf "quick: %d s wall, %.0f task-seconds on %d slots: packing loss x%.2f\n", wall, tq, slots, pack
    printf "full: %.0f task-seconds / %d slots x %.2f = %.0f s = %.1f h (EST_NODE_COST %s)\n", tf, slots, pack, tf / slots * pack, tf / slots * pack / 3600, node_cost
  }' "$times" <(counts quick) <(counts full)
