#!/usr/bin/env bash
# Overload kept as a test: arrivals at 3x capacity must leave memory bounded (bounded queues:
# --queue-cap, the admission policy: a full queue drops the arrival, a drain's leftovers are
# dropped, rank 0 drops what would exceed a node's backlog bound), end within duration + drain +
# 10 s, and account for every request in the footer, drops by cause adding up;
# each rank's peak RSS (root attribute peak_rss_bytes) stays within 1.5x of the same run at
# 0.5x capacity.
#
# Capacity is measured in the overloaded run itself, not committed: the box is shared, and with
# more ranks than cores the workers run SCHED_IDLE beside rank 0, so what they serve moves by
# 10x with other work and with the offered load (rank 0's pacing at a high rate takes their
# core). Capacity = the best served rate under overload: completions that finished between the
# warm-up and the last arrival, per second, the highest over the overloaded runs. The overloaded
# run starts at a rate meant to be above 3x that and is repeated (at most twice) at 3.6x the
# capacity seen until arrivals were at least 3x it; the light run then offers 0.5x capacity.
#
# Usage: overload_test.sh run|sim HELM_BENCH [SECONDS]   (SECONDS: each run's duration, default 12;
# the issue's 30 s is check-all's, HELM_OVERLOAD_S=30; 12 s holds ~10 s of queues full after
# warm-up, and the queues fill within the first second.)
# Known limit: what still grows with duration x rate is one trace entry per generated request
# (32 bytes; the trace is built whole before the run) and the summary's compact data (the dispatch
# lag of each measured request and the latency of each completed one, 8 bytes each). Result rows
# do not: `sim` streams /requests to its file during the run and rank 0 of `run` hands each row to
# its writer thread as it is final; the front end holds rows only of requests in flight. At 30 s
# (check-all) a 3.6x `sim` holds 1.39x the light run's RSS.

set -uo pipefail
mode=$1 bin=$(realpath "$2") secs=${3:-${HELM_OVERLOAD_S:-12}}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
drain=2
if [ "$mode" = run ]; then
  source "$here/../../scripts/mpi-env.sh"
  common=(--pool-mib 4 --users 2000 --items 20000 --warmup-s 1 --drain-s $drain --slo-ms 500 --queue-cap 64)
  go() { "${HELM_MPIRUN[@]}" -np 4 "$bin" run "${common[@]}" "$@"; }
  start_qps=300  # 3 workers serve ~10 (box busy with builds) to ~1100 (quiet) req/s here
else
  common=(--nodes 32 --cost-model cpu-small --users 20000 --items 100000 --warmup-s 1 --drain-s $drain --slo-ms 500 --queue-cap 64)
  go() { "$bin" sim "${common[@]}" "$@"; }
  start_qps=64000  # 32 simulated cpu-small nodes serve ~17,800 req/s under overload (12 s and 30 s alike)
fi
served() {  # completions/s between the warm-up and the last arrival
  /usr/bin/python3 - "$1" <<'PY'
import sys, h5py
r = h5py.File(sys.argv[1], "r")["requests"][:]
warm, end = 1e9, float(r["arrival"].max())
done = r[(r["status"] == 0) & (r["finish"] >= warm) & (r["finish"] <= end)]
print(round(len(done) / ((end - warm) * 1e-9), 1))
PY
}
fail=0
one() {  # LABEL QPS: one run of $secs s, timed; checks its exit, footer and wall time
  local t0 rc wall
  t0=$(date +%s.%N)
  go --qps "$2" --duration "$secs" --out "$tmp/$1.h5" > "$tmp/$1.log" 2>&1
  rc=$?
  wall=$(/usr/bin/python3 -c "print(round($(date +%s.%N) - $t0, 1))")
  echo "$mode $1 ($2 qps, $secs s): exit $rc, wall $wall s"
  sed -n 's/^ *requests: */  /p' "$tmp/$1.log"
  [ $rc -eq 0 ] || { echo "FAIL: exit $rc"; tail -20 "$tmp/$1.log"; fail=1; return 1; }
  grep -q "PASS: all" "$tmp/$1.log" || { echo "FAIL: the footer does not pass"; fail=1; }
  # `run` lives on the wall clock: it must end within duration + drain + 10 s, plus 10 s for
  # start-up (trace build, MPI, clock sync, link measurement) on a busy 2-core box. `sim` lives in
  # virtual time: its run ends within the same bound there (the last completion, checked below),
  # while its wall time is CPU work that grows with the box's load (a 3.6x sim of 30 s simulates
  # ~1.9M requests: 35 s on a quiet box, 51-69 s at load 6-10), so it only has to finish.
  local limit=$((secs + drain + 10 + 10))
  [ "$mode" = run ] || limit=600
  /usr/bin/python3 -c "import sys; sys.exit(0 if $wall <= $limit else 1)" ||
    { echo "FAIL: $wall s wall for a ${secs} s $mode with a ${drain} s drain (limit $limit s)"; fail=1; }
}
qps=$start_qps cap=0
for attempt in 1 2 3; do
  one 3 "$qps" || exit 1
  got=$(served "$tmp/3.h5")
  cap=$(/usr/bin/python3 -c "print(max($cap, $got))")  # the best served rate seen is the capacity
  echo "  served under overload: $got req/s (capacity so far $cap); arrivals $(/usr/bin/python3 -c "print(round($qps / max($cap, 1e-9), 2))")x capacity"
  /usr/bin/python3 -c "import sys; sys.exit(0 if $qps >= 3 * $cap else 1)" && break
  [ $attempt -lt 3 ] || { echo "FAIL: arrivals never reached 3x the served rate"; exit 1; }
  qps=$(/usr/bin/python3 -c "print(round(3.6 * $cap, 1))")
done
one 0.5 "$(/usr/bin/python3 -c "print(round(0.5 * $cap, 1))")" || exit 1
/usr/bin/python3 - "$tmp/0.5.h5" "$tmp/3.h5" "$secs" "$drain" <<'PY' || fail=1
import sys, h5py, numpy as np
lo, hi = (h5py.File(p, "r") for p in sys.argv[1:3])
secs, drain = float(sys.argv[3]), float(sys.argv[4])
ok = True
def check(what, cond):
    global ok
    print(("ok   " if cond else "FAIL ") + what)
    ok = ok and cond
for name, f in (("0.5x", lo), ("3x", hi)):
    a, r = f.attrs, f["requests"][:]
    st = r["status"]
    n = len(r)
    check(f"{name}: one row per request ({n})", len(np.unique(r["id"])) == n == int(r["id"].max()) + 1)
    check(f"{name}: completed + dropped + failed = generated",
          int(a["footer_generated"]) == int(a["footer_completed"]) + int(a["footer_dropped"]) + int(a["footer_failed"]))
    check(f"{name}: nothing failed", int((st == 2).sum()) == 0)
    check(f"{name}: exactly once", int(a["footer_exactly_once"]) == 1)
    causes = {k: int(a[k]) for k in ("dropped_queue_full", "dropped_drain", "dropped_node_backlog", "dropped_cause_unknown")}
    check(f"{name}: drops by cause {causes} add up to footer_dropped ({int(a['footer_dropped'])}), none unknown",
          sum(causes.values()) == int(a["footer_dropped"]) and causes["dropped_cause_unknown"] == 0)
    done = r[st == 0]
    # The issue's + 10 s: a batch started just before the drain's end still finishes, and on a
    # starved core one batch can take seconds.
    last = done["finish"].max() / 1e9
    check(f"{name}: the last completion ({last:.1f} s) within duration + drain + 10 s", last <= secs + drain + 10)
check("3x: requests were dropped (it is an overload)", int((hi["requests"]["status"][:] == 1).sum()) > 0)
rl, rh = np.asarray(lo.attrs["peak_rss_bytes"]), np.asarray(hi.attrs["peak_rss_bytes"])
print("peak RSS MiB per rank, 0.5x:", [round(x / 2**20, 1) for x in rl], " 3x:", [round(x / 2**20, 1) for x in rh])
check("a peak RSS per rank", len(rl) == len(rh) and len(rl) > 0 and bool(np.all(rl > 0)))
check("3x peak RSS within 1.5x of 0.5x on every rank", bool(np.all(rh <= 1.5 * rl)))
sys.exit(0 if ok else 1)
PY
exit $fail
