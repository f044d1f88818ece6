#!/usr/bin/env bash
# `helm-bench train` smoke test: three updates on a small mix, the policy file is used by
# `sim --memory-policy helm:FILE`, the curve has one row per update; bad input gives exit 2.
set -uo pipefail
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
HELM_PROGRESS=off "$bin" train --out "$tmp/p.h5" --max-updates 3 --rollout 128 --profiles ml-20m,taobao \
  --loads 50,200 --duration 5 > "$tmp/train.txt" 2>&1 || { echo "FAIL: train"; cat "$tmp/train.txt"; fail=1; }
grep -q "trained: 3 updates" "$tmp/train.txt" || { echo "FAIL: not 3 updates"; cat "$tmp/train.txt"; fail=1; }
rows=$(($(wc -l < "$tmp/p-curve.csv") - 1))
[ "$rows" = 3 ] || { echo "FAIL: curve has $rows rows, want 3"; fail=1; }
"$bin" sim --nodes 2 --dataset taobao --scale 0.02 --duration 5 --qps 100 --memory-policy "helm:$tmp/p.h5,adapter=sync" \
  --out "$tmp/s.h5" > "$tmp/sim.txt" 2>&1 || { echo "FAIL: sim with the trained policy"; cat "$tmp/sim.txt"; fail=1; }
expect2() {  # exit 2 and one line naming the option
  local want=$1; shift
  out=$("$bin" train "$@" 2>&1); rc=$?
  [ $rc = 2 ] && grep -q -- "$want" <<<"$out" || { echo "FAIL: train $* gave rc $rc: $out"; fail=1; }
}
expect2 --budget-s --budget-s 0
expect2 --loads --loads 10,x
expect2 --rollout --rollout 8
expect2 --profiles --profiles ,
[ $fail = 0 ] && echo "cli_train: ok"
exit $fail
