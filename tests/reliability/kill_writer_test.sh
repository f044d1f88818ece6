#!/usr/bin/env bash
# Crash-safe results: SIGKILL the real results writer (ResultsSink) at 20 random points; each file
# must open in `helm-bench report` (the C++ reader) and in h5py, hold a consistent prefix of the
# rows, be reported incomplete (no footer) by `report --status`, and keep rows up to its last
# periodic flush (a run killed after T s keeps at least the rows of T - flush - slack).
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
exit $fail
