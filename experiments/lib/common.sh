# experiments/lib/common.sh: sourced by every runner. Paths, the settings, and three steps:
#   render TEMPLATE OUT [KEY=VALUE ...]  a sweep template with @KEY@ filled (EXP_KEY from
#                                       settings.sh, or the KEY=VALUE given), written to OUT
#   sweep INI                           slurm/sweep.sh --wait, then slurm/collect.sh (runs.csv)
#   py SCRIPT ARGS                      /usr/bin/python3 with experiments/lib on the path
#   join_csv OUT CSV...                 the CSVs as one (one header: they must all have it)
set -euo pipefail
EXP_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO=$(cd "$EXP_ROOT/.." && pwd)
# shellcheck source=../settings.sh
source "$EXP_ROOT/settings.sh"
export HELM_BENCH=${HELM_BENCH:-$REPO/build/bin/helm-bench}
[ -x "$HELM_BENCH" ] || { echo "experiments: $HELM_BENCH not found: build helm-bench first (or set HELM_BENCH)" >&2; exit 1; }
export HELM_PROGRESS=${HELM_PROGRESS:-off}
export HDF5_USE_FILE_LOCKING=FALSE  # collect/report read files other tasks may still be writing
# Results of this mode: experiments/results/MODE/NN_name/ (h5 files are not committed; the
# summary CSVs the tables come from are, under experiments/results/MODE/tables/).
EXP_RESULTS=${HELM_EXP_RESULTS:-$EXP_ROOT/results/$EXP_MODE}
EXP_TABLES=$EXP_RESULTS/tables
mkdir -p "$EXP_TABLES"
EXP_POLICY_ABS=$REPO/$EXP_POLICY

render() {
  local tpl=$1 out=$2; shift 2
  mkdir -p "$(dirname "$out")"
  local text
  text=$(cat "$tpl")
  local kv k v
  for kv in "$@"; do k=${kv%%=*} v=${kv#*=}; text=${text//@$k@/$v}; done
  for k in MODE DATASETS NODES SCALE DURATION WARMUP SEEDS LOAD CAPACITY LOADS STATIC_GRID WORKLOADS \
           COMMON SIM BASE_ROUTER POLICY_ABS; do
    v=EXP_$k
    text=${text//@$k@/${!v}}
  done
  if grep -q '@[A-Z_]*@' <<<"$text"; then
    echo "experiments: $tpl: unfilled $(grep -o '@[A-Z_]*@' <<<"$text" | sort -u | tr '\n' ' ')" >&2
    exit 2
  fi
  printf '%s\n' "$text" >"$out"
}

sweep() {
  local ini=$1
  "$REPO/slurm/sweep.sh" --wait "$ini"
  local out
  out=$(awk -F'=' '/^out *=/ { gsub(/[ \t]/, "", $2); print $2 }' "$ini")
  "$REPO/slurm/collect.sh" "$(dirname "$ini")/$out" >/dev/null
}

py() {
  PYTHONPATH="$EXP_ROOT/lib${PYTHONPATH:+:$PYTHONPATH}" /usr/bin/python3 "$@"
}

# oracle_jobs DIR NAME RUNS LABEL=QPS...: `helm-bench oracle --from-runs RUNS` (the best split per
# window) for every dataset x workload x seed at each load, as one Slurm array (lib/jobs.sh). RUNS
# is the folder of a sweep that already ran the static grid on these very traces (same settings,
# router and grid: the oracle refuses, exit 2, files that are not its grid), so the grid is
# simulated once, not again per experiment. Writes DIR/sched/DATASET_WORKLOAD_qLABEL_sSEED.{csv,
# windows.csv,log}; a sweep replays the .csv with memory_policy =
# oracle:DIR/sched/{dataset}_{workload}_q{load}_s{seed}.csv and --max-step 1.
oracle_jobs() {
  local dir=$1 name=$2 runs=$3; shift 3
  mkdir -p "$dir/sched"
  local list=$dir/$name.tsv lq label qps ds wl s stem
  : >"$list"
  for lq in "$@"; do
    label=${lq%%=*} qps=${lq#*=}
    for ds in $EXP_DATASETS; do for wl in $EXP_WORKLOADS; do for s in $EXP_SEEDS; do
      stem=$dir/sched/${ds}_${wl}_q${label}_s${s}
      printf '%s\t%s\n' "$stem.log" "nice \"$HELM_BENCH\" oracle $EXP_COMMON $EXP_SIM --dataset $ds --workload $wl --seed $s --qps $qps --router $EXP_BASE_ROUTER --grid-step $EXP_GRID_STEP --from-runs \"$runs\" --schedule $stem.csv --table $stem.windows.csv >\"\$OUT\" 2>&1" >>"$list"
    done; done; done
  done
  "$EXP_ROOT/lib/jobs.sh" "$name" "$list"
}

join_csv() {
  local out=$1 f; shift
  for f in "$@"; do
    [ "$(head -n 1 "$f")" = "$(head -n 1 "$1")" ] || { echo "experiments: $f: header differs from $1's" >&2; exit 2; }
  done
  awk 'FNR == 1 && NR != 1 { next } { print }' "$@" >"$out"
}

# qps_of LOAD: a load as the sweeps write it (a qps, or a share of EXP_CAPACITY like 0.7x).
qps_of() {
  case $1 in *x) awk -v f="${1%x}" -v c="$EXP_CAPACITY" 'BEGIN { printf "%.6g", f * c }' ;; *) echo "$1" ;; esac
}
