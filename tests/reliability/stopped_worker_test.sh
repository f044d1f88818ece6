#!/usr/bin/env bash
# A worker hung but alive (SIGSTOP) mid-run, which mpirun cannot see: rank 0 must notice the
# silence itself (--worker-timeout-s), fail that node's requests, write a complete results file
# with the footer, and end the job within duration + drain + timeout (plus start-up).
# Usage: stopped_worker_test.sh HELM_BENCH
set -uo pipefail
bin=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../../scripts/mpi-env.sh"
tmp=$(mktemp -d)
f=$tmp/stopped.h5
duration=10 drain=3 timeout=3 startup=20  # start-up: trace, MPI, clock sync, link measurement
t_launch=$(date +%s)
"${HELM_MPIRUN[@]}" -np 4 "$bin" run --qps 60 --duration $duration --warmup-s 1 --drain-s $drain \
  --worker-timeout-s $timeout --pool-mib 4 --users 300 --items 5000 --out "$f" > "$tmp/run.log" 2>&1 &
mpirun_pid=$!
victim=""
cleanup() {
  [ -n "$victim" ] && kill -CONT "$victim" 2>/dev/null
  kill -KILL "$mpirun_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
# Rank 2's process (node 1): the helm-bench child of mpirun whose environment says so.
source "$(dirname "$0")/rank_pid.sh"
victim=$(rank_pid "$mpirun_pid" 2 200)
[ -n "$victim" ] || { echo "FAIL: no rank 2 process found"; cat "$tmp/run.log"; exit 1; }
# Into the run: wait for its first window line in the log is not possible (rank 0 prints the
# footer only), so wait for the results file, created when the run starts.
for _ in $(seq 1 $((startup * 10))); do [ -e "$f" ] && break; sleep 0.1; done
sleep 4
kill -STOP "$victim"
echo "rank 2 stopped $(( $(date +%s) - t_launch )) s after launch"
limit=$((duration + drain + timeout + startup))
while kill -0 "$mpirun_pid" 2>/dev/null && [ $(( $(date +%s) - t_launch )) -le $limit ]; do sleep 0.2; done
if kill -0 "$mpirun_pid" 2>/dev/null; then
  echo "FAIL: the job still runs $limit s after launch (duration + drain + timeout + start-up)"
  tail -20 "$tmp/run.log"
  exit 1
fi
wait "$mpirun_pid"; rc=$?
echo "job ended $(( $(date +%s) - t_launch )) s after launch (mpirun exit $rc)"
fail=0
[ $rc -ne 0 ] || { echo "FAIL: a run that lost a worker exited 0"; fail=1; }
grep -q "rank 2 (node 1) silent for" "$tmp/run.log" || { echo "FAIL: rank 0 did not report the silent worker"; fail=1; }
grep -q "PASS: all" "$tmp/run.log" || { echo "FAIL: no passing footer"; tail -30 "$tmp/run.log"; fail=1; }
"$bin" report "$f" > "$tmp/report.txt" 2>&1 || { echo "FAIL: report cannot read it"; cat "$tmp/report.txt"; fail=1; }
/usr/bin/python3 - "$f" <<'PY' || fail=1
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
a, r = f.attrs, f["requests"][:]
st, node = r["status"], r["node"]
failed = st == 2
checks = {
    "one row per request": len(np.unique(r["id"])) == len(r) == int(r["id"].max()) + 1,
    "the footer adds up": int(a["footer_generated"]) == int(a["footer_completed"]) + int(a["footer_dropped"]) + int(a["footer_failed"]),
    "some of node 1's requests failed": failed.sum() > 0,
    "only node 1's requests failed": bool(np.all(node[failed] == 1)),
    "failed_node_down counts them": int(a["failed_node_down"]) == int(failed.sum()),
    "one node lost": int(a["nodes_lost"]) == 1,
    "the other nodes completed": int((st[node != 1] == 0).sum()) > 0,
    "exactly once": int(a["footer_exactly_once"]) == 1,
}
for k, v in checks.items():
    print(("ok   " if v else "FAIL ") + k)
print(f"rows {len(r)}, failed {int(failed.sum())}, completed {int((st == 0).sum())}, dropped {int((st == 1).sum())}")
sys.exit(0 if all(checks.values()) else 1)
PY
exit $fail
