#!/usr/bin/env bash
# A worker SIGKILLed mid-run: the job must end within a bounded time (rank 0 notices, or mpirun
# ends the job), and the results file must open in `report` and h5py up to its last periodic
# flush, be reported incomplete by `report --status` (so a resubmitted sweep re-runs it), and
# hold the requests of the seconds before the kill.
# Usage: killed_worker_test.sh HELM_BENCH
set -uo pipefail
bin=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../../scripts/mpi-env.sh"
tmp=$(mktemp -d)
f=$tmp/killed.h5
"${HELM_MPIRUN[@]}" -np 3 "$bin" run --qps 50 --duration 30 --warmup-s 1 --drain-s 5 --pool-mib 4 --users 300 \
  --items 5000 --out "$f" > "$tmp/run.log" 2>&1 &
mpirun_pid=$!
cleanup() { kill -KILL "$mpirun_pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
# Rank 2's process: the helm-bench child of mpirun whose environment says so.
source "$(dirname "$0")/rank_pid.sh"
victim=$(rank_pid "$mpirun_pid" 2 100)
[ -n "$victim" ] || { echo "FAIL: no rank 2 process found"; cat "$tmp/run.log"; exit 1; }
sleep 8  # well into the run: several periodic flushes have happened
kill -KILL "$victim"
t0=$(date +%s)
for _ in $(seq 1 600); do kill -0 "$mpirun_pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$mpirun_pid" 2>/dev/null; then echo "FAIL: the job still runs 60 s after a worker was killed"; exit 1; fi
wait "$mpirun_pid"; rc=$?
echo "job ended $(( $(date +%s) - t0 )) s after the kill (mpirun exit $rc)"
[ $rc -ne 0 ] || { echo "FAIL: a run that lost a worker exited 0"; exit 1; }
fail=0
"$bin" report "$f" > "$tmp/report.txt" 2>&1 || { echo "FAIL: report cannot read it"; cat "$tmp/report.txt"; fail=1; }
st=$("$bin" report --status "$f" 2>&1)
grep -q incomplete <<<"$st" || grep -q FAIL <<<"$st" || { echo "FAIL: a killed run's file is reported as a good result: $st"; fail=1; }
n=$(/usr/bin/python3 -c "import h5py,sys; print(len(h5py.File(sys.argv[1],'r')['requests']))" "$f" 2>&1) ||
  { echo "FAIL: h5py: $n"; fail=1; }
# 8 s at 50 qps, less the start-up and the last flush: at least 100 rows.
[ "${n:-0}" -ge 100 ] 2>/dev/null || { echo "FAIL: only '$n' rows survived"; fail=1; }
echo "rows kept: $n; status: $st"
exit $fail
