#!/usr/bin/env bash
# slurm/sweep.sh on bad sweep files: exit code 2 and one line naming the file and the line; and
# on a good one, the tasks it would run (--dry-run: no Slurm needed, nothing submitted).
# Usage: sweep_file_errors.sh SOURCE_DIR HELM_BENCH
set -euo pipefail
src=$1
export HELM_BENCH=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
good_head=$'[sweep]\nname = t\n[axes]\nmode = sim'
expect_bad() {  # expect_bad LINE "message part" FILE_TEXT
  local want_line=$1 want=$2 f=$tmp/bad.ini rc=0
  printf '%s\n' "$3" >"$f"
  "$src/slurm/sweep.sh" --dry-run "$f" >"$tmp/out" 2>"$tmp/err" || rc=$?
  local where="$f:$want_line: "
  [ "$want_line" -gt 0 ] || where="$f: "  # a missing entry has no line
  if [ $rc -ne 2 ] || [ "$(wc -l <"$tmp/err")" -ne 1 ] || ! grep -qF "$where" "$tmp/err" ||
     ! grep -qF -- "$want" "$tmp/err"; then
    echo "FAIL (want exit 2, '$f:$want_line: ...$want...'; got exit $rc):"; cat "$tmp/err"; fails=$((fails + 1))
  else
    echo "ok: $(cat "$tmp/err")"
  fi
}
expect_bad 1 "outside a [section]" $'name = x'
expect_bad 3 "unknown section [axis]" $'[sweep]\nname = t\n[axis]\nmode = sim'
expect_bad 5 "expected '[section]' or 'key = value'" "$good_head"$'\nstatic:0.3'
expect_bad 4 "mode 'mpi' is not run or sim" $'[sweep]\nname = t\n[axes]\nmode = run mpi'
expect_bad 5 "unknown key 'policy' in [axes]" "$good_head"$'\npolicy = mrc'
expect_bad 5 "seed 'one'" "$good_head"$'\nseed = 1 one'
expect_bad 5 "load 'fast'" "$good_head"$'\nload = 40 fast'
expect_bad 5 "load '0'" "$good_head"$'\nload = 0'
expect_bad 5 "need 'capacity = QPS'" "$good_head"$'\nload = 0.7x'
expect_bad 5 "set twice in [axes] (first on line 4)" "$good_head"$'\nmode = run'
expect_bad 6 "--out is set by the sweep" "$good_head"$'\n[args]\ncommon = --duration 5 --out x.h5'
expect_bad 7 "--qps is set by the axis 'load'" "$good_head"$'\nload = 40\n[args]\nsim = --qps 10'
expect_bad 6 "ranks '1'" "$good_head"$'\n[run]\nranks = 1'
expect_bad 2 "name 'a b'" $'[sweep]\nname = a b\n[axes]\nmode = sim'
expect_bad 2 "capacity 'lots'" $'[sweep]\ncapacity = lots\nname = t\n[axes]\nmode = sim'
expect_bad 0 "needs 'name = NAME'" $'[sweep]\n[axes]\nmode = sim'
if ! "$HELM_BENCH" --help | grep -qE '^  capacity '; then  # until helm-bench has `capacity`
  expect_bad 3 "needs 'helm-bench capacity'" $'[sweep]\nname = t\ncapacity = measure\n[axes]\nmode = sim\nload = 0.5x'
fi
rc=0; "$src/slurm/sweep.sh" --dry-run "$tmp/none.ini" 2>"$tmp/err" || rc=$?
[ $rc -eq 2 ] && grep -q "none.ini: no such file" "$tmp/err" || { echo "FAIL: missing file: exit $rc"; fails=$((fails + 1)); }

# A good file: 2 modes x 2 policies x 2 loads x 2 seeds = 16 tasks; 0.5x of 100 qps is 50.
cat >"$tmp/good.ini" <<'INI'
# comment line
[sweep]
name = good   # trailing comment
capacity = 100
out = res
[axes]
mode = run sim
memory_policy = static:0.3,0.7 mrc
load = 0.5x 80
seed = 1 2
[args]
common = --duration 3
[slurm]
partition = gpu
account =
INI
"$src/slurm/sweep.sh" --dry-run "$tmp/good.ini" >"$tmp/out"
check() { grep -qF -- "$1" "$tmp/out" || { echo "FAIL: dry run lacks '$1'"; fails=$((fails + 1)); }; }
check "sweep good: 16 tasks, 0 complete, 16 to run; results in $tmp/res"
check "run_static-0.3-0.7_q0.5x_s1.h5"
check "--memory-policy static:0.3,0.7 --seed 1 --tag seed=1 --qps 50 --tag load=0.5x"
check "--ntasks=3 --array=0-7 "
check "--ntasks=1 --array=8-15 "
check "--partition=gpu"
! grep -q -- "--account" "$tmp/out" || { echo "FAIL: empty [slurm] value was passed"; fails=$((fails + 1)); }
[ ! -e "$tmp/res" ] || { echo "FAIL: --dry-run wrote $tmp/res"; fails=$((fails + 1)); }

# capacity = measure: `helm-bench capacity` is asked once per (dataset, workload) and its last
# line parsed. A stand-in binary answers `capacity` (that subcommand is not this test's subject)
# and passes everything else to the real one.
cat >"$tmp/bench" <<SH
#!/usr/bin/env bash
if [ "\$1" = capacity ]; then echo "\$*" >>"$tmp/capacity.calls"; echo "bisection ..."; echo "capacity: 120 qps"; exit 0; fi
if [ "\$1" = --help ]; then "$HELM_BENCH" --help; echo "  capacity  highest qps meeting the SLO target"; exit 0; fi
exec "$HELM_BENCH" "\$@"
SH
chmod +x "$tmp/bench"
cat >"$tmp/measure.ini" <<'INI'
[sweep]
name = m
capacity = measure
[axes]
mode = sim
workload = steady burst
load = 0.5x 0.25x
[args]
capacity = --nodes 2 --slo-ms 50
INI
for _ in 1 2; do HELM_BENCH=$tmp/bench "$src/slurm/sweep.sh" --dry-run "$tmp/measure.ini" >"$tmp/out"; done
check "--workload burst --qps 60 --tag load=0.5x"
check "--workload steady --qps 30 --tag load=0.25x"
[ "$(sort "$tmp/capacity.calls" | uniq | tr '\n' ';')" = "capacity --workload burst --nodes 2 --slo-ms 50;capacity --workload steady --nodes 2 --slo-ms 50;" ] &&
  [ "$(wc -l <"$tmp/capacity.calls")" -eq 2 ] ||
  { echo "FAIL: capacity calls (once per workload, cached across submissions):"; cat "$tmp/capacity.calls"; fails=$((fails + 1)); }
[ $fails -eq 0 ] || { echo "$fails failures"; exit 1; }
echo "PASS: sweep file validation"
