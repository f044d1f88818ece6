#!/usr/bin/env bash
# Experiment 7: capacity under the SLO per memory policy (`helm-bench capacity --mode sim --target
# 0.99`: the highest offered qps whose SLO attainment, drops counted, is at least 99%, within 5%),
# the paper's "without sacrificing throughput" made a number; achieved vs offered throughput is in
# experiment 8's table. Needs 01 (best static per regime). Each capacity search is one Slurm task.
# Writes tables/e7_capacity.{md,tex,csv}.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
d=$EXP_RESULTS/07_throughput
mkdir -p "$d"
list=$d/jobs.tsv
: >"$list"
for ds in $EXP_DATASETS; do for w in $EXP_WORKLOADS_E7; do
  best=$(awk -F'\t' -v d="$ds" -v w="$w" '$1 == d && $2 == w { print $3; exit }' "$EXP_TABLES/e1_best_static.tsv")
  for pol in "$best" mrc "helm:$EXP_POLICY_ABS,adapter=sync"; do
    tag=$(echo "$pol" | sed 's#helm:[^,]*#helm#' | tr -c 'A-Za-z0-9.=\n-' '-')
    for s in $EXP_SEEDS_E7; do
      o=$d/${ds}_${w}_${tag}_s$s
      printf '%s\t%s\n' "$o.log" "cd \"$d\" && nice \"$HELM_BENCH\" capacity --mode sim --target 0.99 --out-dir $o.runs $EXP_COMMON $EXP_SIM --dataset $ds --workload $w --seed $s --router $EXP_BASE_ROUTER --memory-policy $pol --qps $EXP_LOAD >\"\$OUT\" 2>&1" >>"$list"
    done
  done
done; done
"$EXP_ROOT/lib/jobs.sh" "e7-capacity-$EXP_MODE" "$list"
py "$EXP_ROOT/07_throughput/table.py" "$list" "$EXP_TABLES"
