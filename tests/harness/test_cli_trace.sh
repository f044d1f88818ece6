#!/usr/bin/env bash
# `helm-bench trace` end to end: build traces for every profile x regime at a small scale, write
# one, read it back (same statistics), and bad input (exit 2, one line naming option/file/field).
set -uo pipefail
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
for p in kuairand-27k amazon-books ml-20m taobao; do
  for w in steady trend burst; do
    out=$("$bin" trace --dataset $p --workload $w --scale 0.01 --qps 50 --duration 60 2>&1) ||
      { echo "FAIL: trace $p $w"; echo "$out"; fail=1; continue; }
    grep -q "interarrival CV" <<<"$out" || { echo "FAIL: no statistics for $p $w"; fail=1; }
  done
done
"$bin" trace --phases "ml-20m:steady:20,amazon-books:burst:20@100" --scale 0.01 --qps 40 --out "$tmp/t.h5" \
  > "$tmp/a.txt" || { echo "FAIL: trace --out"; fail=1; }
"$bin" trace --trace "$tmp/t.h5" --seed 99 --qps 1 > "$tmp/b.txt" || { echo "FAIL: trace --trace"; fail=1; }
# The file wins over the flags: same statistics (the timing line aside).
diff <(grep -v "built in" "$tmp/a.txt" | grep -v wrote) <(grep -v "built in" "$tmp/b.txt") ||
  { echo "FAIL: --trace did not reproduce the trace"; fail=1; }
source "$(dirname "$0")/expect_bad_input.sh"
printf 'user,video,date\n1,2,3\n' > "$tmp/k.csv"
echo "not hdf5" > "$tmp/not.h5"
expect "--phases" trace --phases "ml-20m:steady"
expect "--burst-multiplier" trace --workload burst --burst-multiplier 9
expect "--trend-amplitude" trace --workload trend --trend-amplitude 1.5
expect "--scale" trace --dataset ml-20m --scale 2000
expect "unknown" trace --dataset kuairand-1k
expect "user_id,video_id,date,hourmin,time_ms,is_click" trace --dataset "kuairand:$tmp/k.csv"
expect "not.h5" trace --trace "$tmp/not.h5"
expect "missing.h5" run --trace "$tmp/missing.h5"
exit $fail
