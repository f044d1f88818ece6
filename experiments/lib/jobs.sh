#!/usr/bin/env bash
# experiments/lib/jobs.sh NAME LIST [SBATCH_OPTION...]: the commands of LIST (one a line: "OUTPUT<TAB>COMMAND") as one
# Slurm job array, waited for. For the steps slurm/sweep.sh does not run (helm-bench oracle, whose
# products are a schedule and a table, not a results file; capacity). A line whose OUTPUT exists
# is skipped (resubmitting re-runs only what is missing); each task writes OUTPUT.tmp and renames it
# when its command succeeds, so a killed task leaves nothing that looks finished.
# Logs: DIR(LIST)/logs/NAME_%A_%a.out. Exit 1 when any OUTPUT is still missing at the end.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: experiments/lib/jobs.sh NAME LIST [SBATCH_OPTION...]" >&2; exit 2; }
name=$1 list=$2
shift 2  # what is left goes to sbatch (e.g. --exclusive for a task that times itself)
[ -f "$list" ] || { echo "jobs.sh: $list: no such file" >&2; exit 2; }
if [ -z "${SLURM_CONF:-}" ] && [ ! -e /etc/slurm/slurm.conf ] && [ -f "${HELM_SLURM_DIR:-/tmp/helm-slurm}/slurm.conf" ]; then
  export SLURM_CONF=${HELM_SLURM_DIR:-/tmp/helm-slurm}/slurm.conf
fi
dir=$(cd "$(dirname "$list")" && pwd)
list=$dir/$(basename "$list")
mkdir -p "$dir/logs"
todo=()
i=0
while IFS=$'\t' read -r outp cmd; do
  [ -n "$outp" ] || continue
  [ -n "$cmd" ] || { echo "jobs.sh: $list:$((i + 1)): expected OUTPUT<TAB>COMMAND" >&2; exit 2; }
  [ -e "$outp" ] || todo+=("$i")
  i=$((i + 1))
done <"$list"
echo "jobs $name: $i tasks, ${#todo[@]} to run"
if [ ${#todo[@]} -gt 0 ]; then
  array=$(IFS=,; echo "${todo[*]}")
  # The task body: line SLURM_ARRAY_TASK_ID of LIST (0-based), run by bash, output renamed on success;
  # its own wall time goes to the Slurm log ("jobs.sh: task seconds X", read by run_all.sh's times.tsv).
  body='t0=$(date +%s.%N); line=$(awk -v i="$SLURM_ARRAY_TASK_ID" "NR == i + 1" "$JOBS_LIST"); outp=${line%%$(printf "\t")*}; cmd=${line#*$(printf "\t")}; rm -f "$outp.tmp"; OUT="$outp.tmp" bash -c "$cmd" && mv "$outp.tmp" "$outp"; rc=$?; echo "jobs.sh: task seconds $(awk -v a="$t0" -v b="$(date +%s.%N)" "BEGIN { printf \"%.3f\", b - a }")"; exit $rc'
  sbatch --parsable --wait --job-name="helm-$name" --output="$dir/logs/${name}_%A_%a.out" \
    --export="ALL,JOBS_LIST=$list" --array="$array" --ntasks=1 --time=01:00:00 "$@" --wrap="$body" >/dev/null || true
fi
missing=0
while IFS=$'\t' read -r outp cmd; do
  [ -n "$outp" ] || continue
  [ -e "$outp" ] || { echo "jobs.sh: $name: missing $outp" >&2; missing=$((missing + 1)); }
done <"$list"
[ $missing -eq 0 ] || exit 1
echo "jobs $name: all $i outputs present"
