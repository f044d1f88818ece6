#!/usr/bin/env bash
# experiments/09_routing/table.py (the routing study's verdicts) on a tiny hand-made fixture whose
# answers are known: in steady, helm's P99 is 10 ms below rr's on every seed (paired difference
# -10 +- 4.303/sqrt(3) = 2.48) and exactly 2 ms above kv-affinity's (half-width 0: "fails"); in
# burst helm loses more than 1% on one seed (inf), so no comparison exists ("undecided"). Also: a
# non-numeric P99 must give exit 2 and one line naming the file and the field. No simulation.
# Usage: routing_table.sh SOURCE_DIR
set -euo pipefail
src=$1
fx=$src/experiments/09_routing/testdata/8n-tiny
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() {  # check WHAT EXPECTED ACTUAL
  if [ "$2" != "$3" ]; then echo "FAIL: $1: expected '$2', got '$3'"; fail=1; fi
}
/usr/bin/python3 "$src/experiments/09_routing/table.py" "$tmp/out" "$fx" >/dev/null
v=$tmp/out/verdicts.csv c=$tmp/out/cells.csv
# verdicts.csv: nodes,dataset,workload,load,capacity,offered,...,verdict(13),beats(14),loses(15)
check "steady verdict" "8,steady,7683,3842,fails,rr,kv-affinity" \
  "$(awk -F, '$3 == "steady" { print $1 "," $3 "," $5 "," $6 "," $13 "," $14 "," $15 }' "$v")"
check "burst verdict" "undecided,inf" "$(awk -F, '$3 == "burst" { print $13 "," $7 }' "$v")"
# cells.csv: router(5), diff(18), its half-width(19), verdict(20), req_skew(16)
check "helm - rr" "-10.00,2.48,holds" "$(awk -F, '$3 == "steady" && $5 == "rr" { print $18 "," $19 "," $20 }' "$c")"
check "helm - kv-affinity" "2.00,0.00,fails" \
  "$(awk -F, '$3 == "steady" && $5 == "kv-affinity" { print $18 "," $19 "," $20 }' "$c")"
check "skew mean" "1.200" "$(awk -F, '$3 == "steady" && $5 == "helm" { print $16 }' "$c")"
check "rows" "6" "$(wc -l <"$c" | tr -d ' ')"
# Bad input: one line naming the file and the field, exit 2.
mkdir -p "$tmp/8n-bad/runs"
cp "$fx/runs/skew.csv" "$fx/runs/capacity.tsv" "$tmp/8n-bad/runs/"
sed '2s/,20,20,20,/,x,x,x,/' "$fx/runs/runs.csv" >"$tmp/8n-bad/runs/runs.csv"
set +e
msg=$(/usr/bin/python3 "$src/experiments/09_routing/table.py" "$tmp/bad" "$tmp/8n-bad" 2>&1)
rc=$?
set -e
check "bad input exit" 2 "$rc"
check "bad input lines" 1 "$(printf '%s\n' "$msg" | wc -l | tr -d ' ')"
[[ $msg == *runs.csv*p99_all_ms* ]] || { echo "FAIL: bad input message names neither file nor field: $msg"; fail=1; }
[ $fail -eq 0 ] && echo "PASS: table.py's verdicts, paired intervals and bad-input line"
exit $fail
