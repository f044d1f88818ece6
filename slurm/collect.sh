#!/usr/bin/env bash
# slurm/collect.sh DIR: the P99/SLO tables of a results folder (a sweep's `out`).
#
# Writes into DIR, and prints summary.md:
#   runs.{md,csv,tex}     `helm-bench report`: one row per complete results file
#   summary.{md,csv,tex}  one row per cell (mode, dataset, workload, router, load) and memory
#                         policy (lib/summary.py): mean and 95% confidence interval over seeds
#                         (Student t, lib/stats.py) of the P99 over all requests (drops counted)
#                         and SLO %, mean P50 and throughput, and `vs_best_static_pct` with its
#                         CI: the P99 reduction against the best static split (static:*, emb-only,
#                         kv-only) of the same cell, paired over seeds (the same seed is the same
#                         trace; positive = better; "-" when the cell has no finite static split).
# Files without a footer (killed or still running) are left out and listed on stderr.
# SLO % counts drops as misses. Needs python3 (the standard library only; $PYTHON overrides it).
# Environment: HELM_BENCH (the binary; found as slurm/sweep.sh finds it otherwise).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ $# -eq 1 ] || { echo "usage: slurm/collect.sh RESULTS_DIR" >&2; exit 2; }
dir=$1
[ -d "$dir" ] || { echo "collect.sh: $dir: no such folder" >&2; exit 2; }
bench=${HELM_BENCH:-}
if [ -z "$bench" ]; then
  for c in "$here/../../../bin/helm-bench" "$here/../build/bin/helm-bench"; do
    [ -x "$c" ] && { bench=$c; break; }
  done
fi
[ -n "$bench" ] || bench=$(command -v helm-bench || true)
[ -x "$bench" ] || { echo "collect.sh: helm-bench not found: build it, or set HELM_BENCH" >&2; exit 1; }

shopt -s nullglob
# A sweep's folder: its files in task order (tasks.tsv), then any others; else by name.
all=()
declare -A listed=()
if [ -f "$dir/tasks.tsv" ]; then
  while IFS=$'\t' read -r _ _ f _; do
    [ -e "$dir/$(basename "$f")" ] && { all+=("$dir/$(basename "$f")"); listed[$(basename "$f")]=1; }
  done <"$dir/tasks.tsv"
fi
for f in "$dir"/*.h5; do [ -n "${listed[$(basename "$f")]:-}" ] || all+=("$f"); done
[ ${#all[@]} -gt 0 ] || { echo "collect.sh: $dir has no .h5 results files" >&2; exit 2; }
files=()
while IFS=$'\t' read -r st verdict rows f why; do
  if [ "$st" = complete ]; then files+=("$f"); else echo "collect.sh: skipping $f: $st ($why)" >&2; fi
done < <("$bench" report --status "${all[@]}")
[ ${#files[@]} -gt 0 ] || { echo "collect.sh: no complete results file in $dir" >&2; exit 1; }

"$bench" report "${files[@]}" --format csv >"$dir/runs.csv"
"$bench" report "${files[@]}" --format markdown >"$dir/runs.md"
"$bench" report "${files[@]}" --format latex >"$dir/runs.tex"

# The per-cell table, its intervals from lib/stats.py (the one place they are computed).
"${PYTHON:-python3}" "$here/lib/summary.py" "$dir/runs.csv" "$dir"

cat "$dir/summary.md"
echo "collect.sh: ${#files[@]} results files -> $dir/summary.{md,csv,tex}, $dir/runs.{md,csv,tex}" >&2
