#!/usr/bin/env bash
# slurm/sweep.sh [--dry-run] [--wait] SWEEP_FILE [-- SBATCH_OPTIONS...]
#
# Runs a sweep file (format: slurm/README.md) as Slurm job arrays: one array per mode (`run`
# tasks ask for `ranks` MPI tasks each, `sim` tasks for one), one array task per point of the
# product of the file's axes, each writing one results file named from its parameters and
# labelled with --tag (sweep, task, mode, seed, load). Resubmitting skips every task whose
# results file is complete (it has a footer, whatever its verdict: PASS, FAIL or INVALID) and
# re-runs the missing and truncated ones.
#
#   --dry-run   print the tasks, their state and what would be submitted; submit nothing
#   --wait      submit with `sbatch --wait`, print progress, then check every results file
#               (exit 0 only when all are complete: exit codes of steps prove nothing)
#
# Exit codes: 0 done, 2 bad sweep file or usage (one line naming the file and line), 1 failure.
# Environment: HELM_BENCH (the helm-bench binary; found as helm.sbatch finds it otherwise),
# SLURM_CONF (else the local cluster's, when slurm/local-cluster.sh runs one).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

usage() { echo "usage: slurm/sweep.sh [--dry-run] [--wait] SWEEP_FILE [-- SBATCH_OPTIONS...]" >&2; exit 2; }
dry=0 wait=0 file="" extra=()
while [ $# -gt 0 ]; do
  case $1 in
    --dry-run) dry=1 ;;
    --wait) wait=1 ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "sweep.sh: unknown option '$1'" >&2; usage ;;
    *) [ -z "$file" ] || usage; file=$1 ;;
  esac
  shift
done
[ -n "$file" ] || usage
[ -f "$file" ] || { echo "sweep.sh: $file: no such file" >&2; exit 2; }

# ---- the sweep file ---------------------------------------------------------------------------
declare -A V=() L=()   # "section.key" -> value, line
bad() {  # bad LINE MESSAGE (LINE 0: a required entry is missing)
  if [ "$1" -gt 0 ]; then echo "sweep.sh: $file:$1: $2" >&2; else echo "sweep.sh: $file: $2" >&2; fi
  exit 2
}
# A quoted line of the file in a message: printable ASCII, at most 60 characters (a binary file
# must still give one line).
shown() { printf '%s' "${1:0:60}" | LC_ALL=C tr -c '[:print:]' '?'; [ ${#1} -le 60 ] || printf '...'; }
known_keys() {
  case $1 in
    sweep) echo "name out capacity" ;;
    axes) echo "mode dataset workload memory_policy router seed load" ;;
    args) echo "common run sim capacity" ;;
    run) echo "ranks" ;;
    slurm) echo "*" ;;
  esac
}
sec="" n=0
while IFS= read -r raw || [ -n "$raw" ]; do
  n=$((n + 1))
  line=${raw%%#*}
  line=${line#"${line%%[![:space:]]*}"}
  line=${line%"${line##*[![:space:]]}"}
  [ -n "$line" ] || continue
  if [[ $line =~ ^\[([^]]*)\]$ ]]; then
    sec=${BASH_REMATCH[1]}
    [ -n "$(known_keys "$sec")" ] || bad $n "unknown section [$sec] (sections: sweep, axes, args, run, slurm)"
    continue
  fi
  [[ $line =~ ^([A-Za-z0-9_-]+)[[:space:]]*=[[:space:]]*(.*)$ ]] || bad $n "expected '[section]' or 'key = value', found '$(shown "$raw")'"
  key=${BASH_REMATCH[1]} val=${BASH_REMATCH[2]}
  [ -n "$sec" ] || bad $n "'$key' is outside a [section]"
  keys=$(known_keys "$sec")
  [ "$keys" = "*" ] || [[ " $keys " == *" $key "* ]] || bad $n "unknown key '$key' in [$sec] (known: ${keys// /, })"
  [ -z "${L[$sec.$key]:-}" ] || bad $n "'$key' is set twice in [$sec] (first on line ${L[$sec.$key]})"
  [[ $val != *$'\t'* ]] || bad $n "'$key': tabs are not allowed in values"
  V[$sec.$key]=$val L[$sec.$key]=$n
done <"$file"

get() { echo "${V[$1]:-}"; }
line_of() { echo "${L[$1]:-0}"; }
name=$(get sweep.name)
[ -n "$name" ] || bad "$(line_of sweep.name)" "[sweep] needs 'name = NAME'"
[[ $name =~ ^[A-Za-z0-9_.-]+$ ]] || bad "$(line_of sweep.name)" "name '$name': use letters, digits, '.', '_' and '-' only"
base=$(cd "$(dirname "$file")" && pwd)
out=$(get sweep.out)
out=${out:-results/$name}
[[ $out == /* ]] || out=$base/$out

axes=(mode dataset workload memory_policy router load seed)  # the product's order: seed innermost
declare -A AX=()
for a in "${axes[@]}"; do
  [ -n "${L[axes.$a]:-}" ] || continue
  read -ra vals <<<"$(get "axes.$a")"
  [ ${#vals[@]} -gt 0 ] || bad "$(line_of "axes.$a")" "axis '$a' has no values"
  for v in "${vals[@]}"; do
    case $a in
      mode) [[ $v == run || $v == sim ]] || bad "$(line_of axes.mode)" "mode '$v' is not run or sim" ;;
      seed) [[ $v =~ ^[0-9]+$ ]] || bad "$(line_of axes.seed)" "seed '$v' is not a non-negative integer" ;;
      load) [[ $v =~ ^([0-9]+\.?[0-9]*|\.[0-9]+)x?$ ]] && [[ ! $v =~ ^0*\.?0*x?$ ]] ||
              bad "$(line_of axes.load)" "load '$v' is neither a qps (e.g. 40) nor a share of the capacity (e.g. 0.7x)" ;;
    esac
  done
  AX[$a]="${vals[*]}"
done
[ -n "${AX[mode]:-}" ] || bad "$(line_of axes.mode)" "[axes] needs 'mode = run and/or sim'"
ranks=$(get run.ranks)
ranks=${ranks:-3}
[[ $ranks =~ ^[0-9]+$ ]] && [ "$ranks" -ge 2 ] || bad "$(line_of run.ranks)" "ranks '$ranks': a run needs at least 2 MPI ranks (rank 0 + a worker)"
capacity=$(get sweep.capacity)
[ -z "$capacity" ] || [ "$capacity" = measure ] || [[ $capacity =~ ^[0-9]+\.?[0-9]*$ ]] ||
  bad "$(line_of sweep.capacity)" "capacity '$capacity' is neither a qps nor 'measure'"
if [[ " ${AX[load]:-} " == *x" "* ]] && [ -z "$capacity" ]; then
  bad "$(line_of axes.load)" "loads like 0.7x need 'capacity = QPS' (or 'measure') in [sweep]"
fi
# Options the axes or the sweep own may not also come from [args].
declare -A OWNS=([dataset]=--dataset [workload]=--workload [memory_policy]=--memory-policy [router]=--router [seed]=--seed [load]=--qps)
for k in common run sim capacity; do
  for w in $(get "args.$k"); do
    opt=${w%%=*}
    [ "$opt" != --out ] || bad "$(line_of "args.$k")" "--out is set by the sweep (one file per task in $out)"
    for a in "${!OWNS[@]}"; do
      [ "$k" = capacity ] && [ "$a" = load ] && continue
      [ "$opt" = "${OWNS[$a]}" ] && [ -n "${AX[$a]:-}" ] && bad "$(line_of "args.$k")" "$opt is set by the axis '$a'"
    done
  done
done

# ---- helm-bench and Slurm --------------------------------------------------------------------
bench=${HELM_BENCH:-}
if [ -z "$bench" ]; then
  for c in "$here/../../../bin/helm-bench" "$here/../build/bin/helm-bench"; do
    [ -x "$c" ] && { bench=$(cd "$(dirname "$c")" && pwd)/helm-bench; break; }
  done
fi
[ -n "$bench" ] || bench=$(command -v helm-bench || true)
[ -x "$bench" ] || { echo "sweep.sh: helm-bench not found: build it, or set HELM_BENCH" >&2; exit 1; }
if [ -z "${SLURM_CONF:-}" ] && [ ! -e /etc/slurm/slurm.conf ] && [ -f "${HELM_SLURM_DIR:-/tmp/helm-slurm}/slurm.conf" ]; then
  export SLURM_CONF=${HELM_SLURM_DIR:-/tmp/helm-slurm}/slurm.conf
fi

# ---- capacity for loads like 0.7x: stated, or measured once per (dataset, workload) ---------
declare -A CAP=()
capacity_of() {  # capacity_of DATASET WORKLOAD -> qps
  local key="$1|$2"
  if [ "$capacity" != measure ]; then echo "$capacity"; return; fi
  [ -z "${CAP[$key]:-}" ] || { echo "${CAP[$key]}"; return; }
  local cached
  cached=$(awk -F'\t' -v k="$key" '$1 == k { v = $2 } END { print v }' "$out/capacity.tsv" 2>/dev/null || true)
  if [ -z "$cached" ]; then
    # The help is read whole first: grep -q closing the pipe early would fail it under pipefail.
    local help
    help=$("$bench" --help 2>/dev/null || true)
    grep -qE '^  capacity ' <<<"$help" ||
      bad "$(line_of sweep.capacity)" "capacity = measure needs 'helm-bench capacity', which $bench does not have; state the capacity in qps"
    local cmd=("$bench" capacity)
    [ -z "$1" ] || cmd+=(--dataset "$1")
    [ -z "$2" ] || cmd+=(--workload "$2")
    read -ra more <<<"$(get args.capacity)"
    cmd+=("${more[@]}")
    echo "sweep.sh: measuring capacity: ${cmd[*]}" >&2
    mkdir -p "$out/logs"
    local log="$out/logs/capacity-$(echo "$key" | tr -c 'A-Za-z0-9.+=\n-' '-').log"
    "${cmd[@]}" >"$log" 2>&1 || { echo "sweep.sh: capacity measurement failed (log: $log)" >&2; exit 1; }
    cached=$(tail -n 1 "$log" | sed -n 's/^capacity: \([0-9.eE+-]*\) qps.*/\1/p')
    [ -n "$cached" ] || { echo "sweep.sh: no 'capacity: Q qps' line at the end of $log" >&2; exit 1; }
    printf '%s\t%s\n' "$key" "$cached" >>"$out/capacity.tsv"
  fi
  CAP[$key]=$cached
  echo "$cached"
}

# ---- the tasks: the product of the axes ------------------------------------------------------
slug() {  # a file-name-safe form: FORMAT:/a/b/file.csv -> FORMAT-file.csv, other odd chars -> '-'
  local v=$1
  [[ $v == *:*/* ]] && v="${v%%:*}:${v##*/}"
  echo "$v" | tr -c 'A-Za-z0-9.+=\n-' '-'
}
trap 'rm -f "$tasks.new" ${tmp_tasks:-}' EXIT
if [ $dry -eq 1 ]; then tasks=$(mktemp); tmp_tasks=$tasks; else mkdir -p "$out/logs"; tasks=$out/tasks.tsv; fi
: >"$tasks.new"
declare -A SEEN=()
idx=0
emit() {  # emit "axis=value"...: one task
  local -A t=()
  local kv
  for kv in "$@"; do t[${kv%%=*}]=${kv#*=}; done
  local mode=${t[mode]} stem=${t[mode]} a qps=""
  for a in dataset workload memory_policy router; do [ -z "${t[$a]:-}" ] || stem+="_$(slug "${t[$a]}")"; done
  [ -z "${t[load]:-}" ] || stem+="_q$(slug "${t[load]}")"
  [ -z "${t[seed]:-}" ] || stem+="_s${t[seed]}"
  [ -z "${SEEN[$stem]:-}" ] || bad "$(line_of axes.mode)" "tasks $((SEEN[$stem] - 1)) and $idx would both write $stem.h5 (two axis values look alike in a file name)"
  SEEN[$stem]=$((idx + 1))
  if [ -n "${t[load]:-}" ]; then
    if [[ ${t[load]} == *x ]]; then
      local cap
      cap=$(capacity_of "${t[dataset]:-}" "${t[workload]:-}")
      qps=$(awk -v f="${t[load]%x}" -v c="$cap" 'BEGIN { printf "%.6g", f * c }')
    else
      qps=${t[load]}
    fi
  fi
  local args
  args="$(get args.common) $(get "args.$mode")"
  [ -z "${t[dataset]:-}" ] || args+=" --dataset ${t[dataset]}"
  [ -z "${t[workload]:-}" ] || args+=" --workload ${t[workload]}"
  [ -z "${t[memory_policy]:-}" ] || args+=" --memory-policy ${t[memory_policy]}"
  [ -z "${t[router]:-}" ] || args+=" --router ${t[router]}"
  [ -z "${t[seed]:-}" ] || args+=" --seed ${t[seed]} --tag seed=${t[seed]}"
  [ -z "$qps" ] || args+=" --qps $qps --tag load=${t[load]}"
  # Placeholders in values and [args]: a task's own dataset, workload, load and seed, so one sweep
  # can name a per-trace file (an oracle schedule computed on that very seed, say).
  for a in dataset workload load seed; do args=${args//\{$a\}/${t[$a]:-}}; done
  args+=" --out $out/$stem.h5 --tag sweep=$name --tag task=$idx --tag mode=$mode"
  printf '%s\t%s\t%s\t%s\n' "$idx" "$mode" "$out/$stem.h5" "$(echo $args)" >>"$tasks.new"
  idx=$((idx + 1))
}
product() {  # product AXIS_INDEX ASSIGNMENTS...
  local i=$1; shift
  if [ "$i" -ge ${#axes[@]} ]; then emit "$@"; return; fi
  local a=${axes[$i]}
  if [ -z "${AX[$a]:-}" ]; then product $((i + 1)) "$@"; return; fi
  local v
  for v in ${AX[$a]}; do product $((i + 1)) "$@" "$a=$v"; done
}
product 0
mv "$tasks.new" "$tasks"

# ---- which tasks still need a run ------------------------------------------------------------
declare -A STATE=() VERDICT=()
check_files() {
  local st verdict rows f why
  while IFS=$'\t' read -r st verdict rows f why; do STATE[$f]=$st VERDICT[$f]=$verdict; done \
    < <(cut -f3 "$tasks" | xargs "$bench" report --status)
}
check_files
ranges() {  # 0 1 2 5 -> 0-2,5
  awk '{ for (i = 1; i <= NF; i++) { if (i > 1 && $i == p + 1) { e = $i } else { if (i > 1) out = out (s == e ? s : s "-" e) ","; s = e = $i } p = $i }
         if (NF) out = out (s == e ? s : s "-" e); print out }' <<<"$*"
}
declare -A TODO=()
total=0 complete=0
while IFS=$'\t' read -r i mode f args; do
  total=$((total + 1))
  if [ "${STATE[$f]}" = complete ]; then complete=$((complete + 1)); else TODO[$mode]+="$i "; fi
  if [ $dry -eq 1 ]; then
    printf '%4s  %-3s  %-10s %-7s %s\n       %s\n' "$i" "$mode" "${STATE[$f]}" "${VERDICT[$f]}" "$(basename "$f")" "$args"
  fi
done <"$tasks"
echo "sweep $name: $total tasks, $complete complete, $((total - complete)) to run; results in $out"

slurm_opts=(--job-name="helm-$name" --output="$out/logs/%A_%a.out" --export="ALL,HELM_TASKS=$out/tasks.tsv,HELM_BENCH=$bench")
for k in "${!L[@]}"; do
  [[ $k == slurm.* ]] || continue
  key=${k#slurm.} val=$(get "$k")
  [ -n "$val" ] || continue
  if [ "$key" = extra ]; then read -ra more <<<"$val"; slurm_opts+=("${more[@]}"); else slurm_opts+=("--$key=$val"); fi
done
build_cmd() {  # build_cmd MODE [--wait]: the sbatch command line in cmd
  local m=$1 n=1
  [ "$m" = sim ] || n=$ranks
  cmd=(sbatch --parsable ${2:+"$2"} "${slurm_opts[@]}" --ntasks="$n" --array="$(ranges ${TODO[$m]})" "${extra[@]}" "$here/helm.sbatch")
}
if [ $dry -eq 1 ]; then
  for m in run sim; do [ -z "${TODO[$m]:-}" ] || { build_cmd "$m"; echo "would submit ($m): ${cmd[*]}"; }; done
  exit 0
fi
[ $complete -lt $total ] || exit 0
command -v sbatch >/dev/null || { echo "sweep.sh: sbatch not found (no Slurm here; try slurm/local-cluster.sh start)" >&2; exit 1; }
busy=$(squeue -h -n "helm-$name" -o %i 2>/dev/null || true)
[ -z "$busy" ] || { echo "sweep.sh: jobs of sweep '$name' are still queued or running ($(echo $busy)): wait for them or scancel them first" >&2; exit 1; }

pids=() ids=()
for m in run sim; do
  [ -n "${TODO[$m]:-}" ] || continue
  if [ $wait -eq 1 ]; then
    build_cmd "$m" --wait
    "${cmd[@]}" >"$out/logs/submit-$m.id" 2>"$out/logs/submit-$m.err" &
    pids+=($!)
    for _ in $(seq 100); do [ -s "$out/logs/submit-$m.id" ] || ! kill -0 "${pids[-1]}" 2>/dev/null && break; sleep 0.1; done
    id=$(head -n 1 "$out/logs/submit-$m.id" | cut -d';' -f1)
  else
    build_cmd "$m"
    id=$("${cmd[@]}" 2>"$out/logs/submit-$m.err" | cut -d';' -f1)
  fi
  [ -n "$id" ] || { echo "sweep.sh: sbatch failed: $(cat "$out/logs/submit-$m.err" 2>/dev/null)" >&2; exit 1; }
  ids+=("$id")
  printf '%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$id" "$m" "$(ranges ${TODO[$m]})" >>"$out/submissions.tsv"
  echo "submitted job array $id: $m tasks $(ranges ${TODO[$m]})"
done
[ $wait -eq 1 ] || exit 0

# Progress while waiting: a line every HELM_PROGRESS seconds (default 30), then the verdict.
every=${HELM_PROGRESS:-30}
[[ $every =~ ^[0-9]+$ ]] && [ "$every" -gt 0 ] || every=30
start=$(date +%s) next=$((start + every))
while :; do
  alive=0
  for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
  [ $alive -eq 1 ] || break
  sleep 1
  if [ "$(date +%s)" -ge $next ]; then
    next=$((next + every))
    check_files
    c=0
    for f in "${!STATE[@]}"; do [ "${STATE[$f]}" != complete ] || c=$((c + 1)); done
    echo "sweep $name: $c/$total complete, $(squeue -h -n "helm-$name" -t R 2>/dev/null | wc -l) running, $(( $(date +%s) - start )) s"
  fi
done
for p in "${pids[@]}"; do wait "$p" || true; done  # sbatch's status proves nothing: check the files
check_files
missing=()
c=0
while IFS=$'\t' read -r i mode f args; do
  if [ "${STATE[$f]}" = complete ]; then c=$((c + 1)); else missing+=("task $i: $(basename "$f") ${STATE[$f]}"); fi
done <"$tasks"
echo "sweep $name: $c/$total complete ($(printf '%s\n' "${VERDICT[@]}" | grep -c PASS || true) PASS) in $(( $(date +%s) - start )) s"
[ ${#missing[@]} -eq 0 ] || { printf '  not complete: %s\n' "${missing[@]}" >&2; exit 1; }
