#!/usr/bin/env bash
# Crash-safe results: SIGKILL the real results writer (ResultsSink) at 20 random points; each file
# must open in `helm-bench report` (the C++ reader) and in h5py, hold a consistent prefix of the
# rows, be reported incomplete (no footer) by `report --status`, and keep rows up to its last
# periodic flush (a run killed after T s keeps at least the rows of T - flush - slack). Then the
# same for a killed `sim` (the writer it streams its rows to during the run).
# Usage: kill_writer_test.sh KILL_WRITER HELM_BENCH [KILLS]
set -uo pipefail
writer=$1 bin=$2 kills=${3:-20}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 total=0
for i in $(seq 1 "$kills"); do
  f=$tmp/k$i.h5
  # Kill between 0.05 s and 2.5 s after start: before, between and during periodic flushes
  # (every 200 ms) and chunk writes (4096 rows, ~every 0.2 s at 20 rows/ms).
  delay=$(printf '0.%03d' $((RANDOM % 1000)))
  delay=$(awk -v d="$delay" -v i="$i" 'BEGIN { print 0.05 + d * 2.45 }')
  "$writer" "$f" 200 20 > "$tmp/out$i" &
  pid=$!
  # The delay counts from the file's creation (the writer prints "started" once its sink exists),
  # not from the launch: loading the libraries can take longer than the slack on a loaded machine.
  for _ in $(seq 1 200); do grep -q started "$tmp/out$i" 2>/dev/null && break; sleep 0.05; done
  sleep "$delay"
  kill -KILL "$pid"
  wait "$pid" 2>/dev/null
  if [ ! -s "$f" ]; then echo "FAIL: kill $i after ${delay}s left no file"; fail=1; continue; fi
  if ! rep=$(timeout 60 "$bin" report "$f" 2>&1); then
    echo "FAIL: kill $i after ${delay}s: report cannot read it: $rep"; fail=1; continue
  fi
  st=$(timeout 60 "$bin" report --status "$f" 2>&1)
  grep -q incomplete <<<"$st" || { echo "FAIL: kill $i: not reported incomplete: $st"; fail=1; }
  if ! n=$(timeout 60 /usr/bin/python3 "$here/kill_writer_check.py" "$f" 2>&1); then
    echo "FAIL: kill $i after ${delay}s: h5py: $n"; fail=1; continue
  fi
  # Rows written before the last flush survive: at 20 rows/ms, (delay - 0.2 s flush - 0.3 s
  # slack for a slow machine) x 20000 x 0.5 rows at least, when that is positive.
  want=$(awk -v d="$delay" 'BEGIN { w = (d - 0.5) * 20000 * 0.5; print (w > 0 ? int(w) : 0) }')
  if [ "$n" -lt "$want" ]; then echo "FAIL: kill $i after ${delay}s kept $n rows, want >= $want"; fail=1; continue; fi
  total=$((total + n))
  echo "ok: kill $i after ${delay}s: $n rows read back by report and h5py"
done
echo "$kills kills, $total rows recovered"

# A killed `sim`, which streams its rows to the file during the run: killed once rows are on
# disk (polled with report --status, the writer's lock off), its file must open, say incomplete,
# and hold exactly the first rows, in id order, of the same sim run to the end.
sim=(sim --nodes 8 --cost-model cpu-small --qps 6000 --duration 20 --users 5000 --items 20000 --queue-cap 64)
"$bin" "${sim[@]}" --out "$tmp/sim-full.h5" > "$tmp/sim-full.log" 2>&1 || { echo "FAIL: the full sim"; exit 1; }
"$bin" "${sim[@]}" --out "$tmp/sim-killed.h5" > "$tmp/sim-killed.log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do
  rows=$(HDF5_USE_FILE_LOCKING=FALSE "$bin" report --status "$tmp/sim-killed.h5" 2>/dev/null | cut -f3)
  [ "${rows:-0}" != "-" ] && [ "${rows:-0}" -gt 0 ] 2>/dev/null && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
kill -KILL "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
st=$(timeout 60 "$bin" report --status "$tmp/sim-killed.h5" 2>&1)
if ! grep -q incomplete <<<"$st"; then echo "FAIL: the killed sim's file is not reported incomplete (did it end first?): $st"; fail=1
elif ! timeout 60 "$bin" report "$tmp/sim-killed.h5" > /dev/null 2>&1; then echo "FAIL: report cannot read the killed sim's file"; fail=1
elif ! n=$(timeout 60 /usr/bin/python3 - "$tmp/sim-killed.h5" "$tmp/sim-full.h5" <<'PY' 2>&1
import sys, h5py, numpy as np
k, full = (h5py.File(p, "r")["requests"][...] for p in sys.argv[1:3])
assert len(k) > 0 and len(k) < len(full), f"{len(k)} rows of {len(full)}"
assert np.array_equal(k["id"], np.arange(len(k))), "ids are not 0..n-1"
assert np.array_equal(k, full[: len(k)]), "rows differ from the full run's"
print(len(k), "of", len(full))
PY
); then echo "FAIL: the killed sim's rows: $n"; fail=1
else echo "ok: a sim killed mid-run: its first $n rows are the full run's"; fi
exit $fail
