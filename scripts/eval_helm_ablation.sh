#!/usr/bin/env bash
# HELM's ablation where its layers can act (docs/HELM_POLICY.md, "Ablation on longer traces"): the
# hypothesis study's 1.2 s traces hold 8 windows a node, so the adapter (one PPO round per 64
# pooled windows) never trained and the burst detector (1 s warm-up) never armed. Here the same
# settings run 8 s of arrivals (70 measured windows a node, 4 nodes: about 4 adapter rounds) on
# kuairand-27k (the profile where the split matters; the others would cost 30x more requests) at
# 0.5 and 0.85 of the study's capacity per regime (measured on its 1.2 s traces), seeds 1-3, the
# three forms of the shipped policy, and as references `mrc` and static 0.2 (the short study's
# best static split in every kuairand-27k steady and trend cell, chosen there, not here).
#   scripts/eval_helm_ablation.sh [BIN] [WORKDIR]   (then scripts/eval_helm_ablation_table.py)
# Writes docs/data/helm-ablation-runs.csv; results files stay in WORKDIR (default build/helm-ablation).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(realpath "${1:-$root/build/bin/helm-bench}")
work=$(mkdir -p "${2:-$root/build/helm-ablation}" && cd "${2:-$root/build/helm-ablation}" && pwd)
jobs=${HELM_STUDY_JOBS:-2}
policy=$root/policies/helm-a100-80gb.h5
cap_csv=$root/docs/data/helm-study-capacity.csv
out=$root/docs/data/helm-ablation-runs.csv
common="--nodes 4 --cost-model a100-80gb --pool-mib 73728 --scale 0.05 --duration 8 --warmup-s 1 --drain-s 3 --session-gap-s 0.02 --slo-ms 50 --control-interval-ms 100 --burst-multiplier 2 --burst-duration-s 0.2 --burst-gap-s 0.6 --trend-amplitude 0.3 --router kv-affinity --emb-sample 0.05 --dataset kuairand-27k"
policies="helm	helm:$policy,adapter=sync
helm-base+adapter	helm:$policy,adapter=sync,burst=off
helm-base	helm:$policy,adapter=off,burst=off
mrc	mrc
static-0.2	static:0.2"
: > "$work/jobs.txt"
for w in steady trend burst; do
  cap=$(awk -F, -v w="$w" '$1 == "kuairand-27k" && $2 == w { print $3 }' "$cap_csv")
  [ -n "$cap" ] || { echo "$cap_csv: no kuairand-27k,$w row" >&2; exit 2; }
  for load in 0.5 0.85; do
  qps=$(awk -v c="$cap" -v f="$load" 'BEGIN { printf "%d", c * f }')
  for s in 1 2 3; do
    while IFS=$'\t' read -r label spec; do
      f=$work/${w}_${load}_s${s}_$label
      [ -s "$f.h5" ] || echo "HELM_PROGRESS=off nice -n 10 '$bin' sim $common --workload $w --qps $qps --seed $s --memory-policy '$spec' --out '$f.tmp.h5' > '$f.log' 2>&1 && mv '$f.tmp.h5' '$f.h5'" >> "$work/jobs.txt"
    done <<< "$policies"
  done
  done
done
echo "$(wc -l < "$work/jobs.txt") runs to do ($jobs at a time)"
start=$(date +%s)
xargs -P "$jobs" -d '\n' -n 1 bash -c 'eval "$0" || { echo "FAILED: $0" >&2; exit 255; }' < "$work/jobs.txt"
echo "runs took $(( $(date +%s) - start )) s"
# One row per run: the report's figures (results/summary.cpp owns them) and, from /controller,
# how often each layer acted: decisions with a non-zero residual (the adapter's output after a
# round, or its exploration), decisions with the burst flag set.
echo "regime,load_frac,seed,policy,qps,p99_all_ms,slo_pct,goodput_rps,dropped,decisions,residual_nonzero,residual_abs_mean,burst_decisions" > "$out"
for h in "$work"/*_0.*_s[0-9]*_*.h5; do
  case $h in *.tmp.h5) continue ;; esac
  b=$(basename "$h" .h5); IFS=_ read -r w l s label <<< "$b"
  "$bin" report "$h" --format csv | /usr/bin/python3 -c '
import csv, sys, h5py, numpy as np
row = next(csv.DictReader(sys.stdin))
with h5py.File(sys.argv[1], "r") as f:
    c = f["controller"][...]
    qps = f.attrs["qps"] if "qps" in f.attrs else ""
r = c["residual_part"]
print(",".join(str(x) for x in (sys.argv[2], sys.argv[5], sys.argv[3][1:], sys.argv[4], row.get("offered_qps", qps), row["p99_all_ms"],
      row["slo_pct"], row["goodput_rps"], row["dropped"], len(c), int((r != 0).sum()), "%.5f" % float(np.abs(r).mean()),
      int((c["burst_flag"] != 0).sum()))))' "$h" "$w" "$s" "$label" "$l" >> "$out"
done
echo "wrote $out ($(($(wc -l < "$out") - 1)) runs); table: scripts/eval_helm_ablation_table.py"
