#!/usr/bin/env bash
# HELM's hypotheses in `sim` (docs/HELM_POLICY.md, "Hypothesis study"): three profiles x three
# regimes x two loads (0.5 and 0.85 of the capacity `helm-bench capacity` measures per profile and
# regime), seeds 1-3, for the shipped policy's three layers and its ablation against the static
# grid, `mrc` and the per-window oracle. Resumable: an output that exists is not recomputed.
#   scripts/eval_helm_study.sh [BIN] [WORKDIR]     (then scripts/eval_helm_study_table.py)
# Writes docs/data/helm-study-capacity.csv and docs/data/helm-study-runs.csv; the results files
# stay in WORKDIR (default build/helm-study). HELM_STUDY_JOBS (2) processes at once, nice 10.
#
# Scaled to fit 45 minutes of wall time at 2 processes on the shared 2-core machine (each shape
# timed first): the experiments' quick settings (4 nodes, --scale 0.05, 1.2 s of arrivals, 0.4 s
# warm-up: 8 measured windows of 100 ms) with the EMB cache as a miniature (--emb-sample 0.05,
# README: the KV side stays exact, EMB counts are estimates; kuairand-27k runs 6x faster with it). Every policy of a cell runs
# on the same trace, the same miniature and the same settings.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(realpath "${1:-$root/build/bin/helm-bench}")
work=$(mkdir -p "${2:-$root/build/helm-study}" && cd "${2:-$root/build/helm-study}" && pwd)
jobs=${HELM_STUDY_JOBS:-2}
profiles=${HELM_STUDY_PROFILES:-"kuairand-27k taobao amazon-books"}
regimes="steady trend burst"
loads="0.5 0.85"
seeds=${HELM_STUDY_SEEDS:-"1 2 3"}   # the trainer hashes its episode seeds from --train-seed, never these
policy=$root/policies/helm-a100-80gb.h5
common="--nodes 4 --cost-model a100-80gb --pool-mib 73728 --scale 0.05 --duration 1.2 --warmup-s 0.4 --drain-s 3 --session-gap-s 0.02 --slo-ms 50 --control-interval-ms 100 --burst-multiplier 2 --burst-duration-s 0.2 --burst-gap-s 0.6 --trend-amplitude 0.3 --router kv-affinity --emb-sample 0.05"
static_grid="static:0 static:0.2 static:0.4 static:0.6 static:0.8 static:1"  # experiments' quick grid
oracle_step=0.1
# label<TAB>spec: the ablation is spelled as the spec's options (adapter=sync: trained inside
# the decision, so a `sim` run is reproducible).
policies="helm	helm:$policy,adapter=sync
helm-base+adapter	helm:$policy,adapter=sync,burst=off
helm-base	helm:$policy,adapter=off,burst=off
mrc	mrc"
for p in $static_grid; do policies+=$'\n'"$p	$p"; done
cap_csv=$root/docs/data/helm-study-capacity.csv
runs_csv=$root/docs/data/helm-study-runs.csv

parallel() {  # run the command lines of file $1, $jobs at a time, stop on the first failure
  xargs -P "$jobs" -d '\n' -n 1 bash -c 'eval "$0" || { echo "FAILED: $0" >&2; exit 255; }' < "$1"
}

# 1. Capacity per profile and regime: saturation throughput of `mrc` on seed 1.
mkdir -p "$work/cap"
: > "$work/cap/jobs.txt"
for d in $profiles; do for w in $regimes; do
  o=$work/cap/${d}_$w
  case $d in kuairand-27k) q0=8000 ;; *) q0=100000 ;; esac
  [ -s "$o.log" ] && grep -q '^capacity:' "$o.log" && continue
  echo "nice -n 10 '$bin' capacity --mode sim $common --dataset $d --workload $w --seed 1 --memory-policy mrc --qps $q0 --out-dir '$o.runs' > '$o.tmp' 2>&1 && mv '$o.tmp' '$o.log' && rm -rf '$o.runs'" >> "$work/cap/jobs.txt"
done; done
parallel "$work/cap/jobs.txt"
echo "profile,regime,capacity_qps,policy,seed" > "$cap_csv"
for d in $profiles; do for w in $regimes; do
  echo "$d,$w,$(awk '/^capacity:/ { print $2 }' "$work/cap/${d}_$w.log"),mrc,1" >> "$cap_csv"
done; done
cat "$cap_csv"
[ "${HELM_STUDY_CAPACITY_ONLY:-0}" = 1 ] && exit 0  # to time one run of each shape first

# 2. Per cell and seed: the oracle's schedule (grid step $oracle_step) and every policy's run.
: > "$work/jobs.txt"
for d in $profiles; do for w in $regimes; do
  cap=$(awk -F, -v d="$d" -v w="$w" '$1 == d && $2 == w { print $3 }' "$cap_csv")
  for l in $loads; do
    qps=$(awk -v c="$cap" -v f="$l" 'BEGIN { printf "%d", c * f }')
    for s in $seeds; do
      c=$work/runs/${d}_${w}_${l}_s$s
      mkdir -p "$c"
      args="$common --dataset $d --workload $w --qps $qps --seed $s"
      [ -s "$c/oracle.csv" ] || echo "nice -n 10 '$bin' oracle $args --grid-step $oracle_step --schedule '$c/oracle.tmp' --table '$c/oracle.windows.csv' > '$c/oracle.log' 2>&1 && mv '$c/oracle.tmp' '$c/oracle.csv'" >> "$work/jobs.txt"
      while IFS=$'\t' read -r label spec; do
        [ -s "$c/$label.h5" ] || echo "HELM_PROGRESS=off nice -n 10 '$bin' sim $args --memory-policy '$spec' --out '$c/$label.tmp.h5' > '$c/$label.log' 2>&1 && mv '$c/$label.tmp.h5' '$c/$label.h5'" >> "$work/jobs.txt"
      done <<< "$policies"
    done
  done
done; done
echo "$(wc -l < "$work/jobs.txt") runs to do ($jobs at a time)"
start=$(date +%s)
parallel "$work/jobs.txt"
echo "runs took $(( $(date +%s) - start )) s"

# 3. One row per run: the report's figures and the ratio gap against that trace's oracle.
/usr/bin/python3 "$root/scripts/eval_helm_study_collect.py" "$bin" "$work/runs" "$cap_csv" > "$runs_csv"
echo "wrote $runs_csv ($(($(wc -l < "$runs_csv") - 1)) runs); table: scripts/eval_helm_study_table.py"
