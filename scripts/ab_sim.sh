#!/usr/bin/env bash
# ab_sim.sh OLD NEW PAIRS SIM-OPTIONS...: the same `helm-bench sim` through two binaries, run
# alternately (odd pairs OLD first, even pairs NEW first, so drift on a shared box hits both), and
# the user CPU seconds of each, their means and the mean paired difference; then whether the two
# binaries' last /requests rows are identical (an exact optimisation must leave them so).
set -euo pipefail
[ $# -ge 4 ] || { echo "usage: ab_sim.sh OLD NEW PAIRS SIM-OPTIONS..." >&2; exit 2; }
old=$1 new=$2 pairs=$3; shift 3
for b in "$old" "$new"; do [ -x "$b" ] || { echo "ab_sim.sh: $b: not an executable" >&2; exit 2; }; done
[[ "$pairs" =~ ^[1-9][0-9]*$ ]] || { echo "ab_sim.sh: PAIRS: '$pairs' is not a positive integer" >&2; exit 2; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cpu() {  # cpu BIN OUT: the run's user CPU seconds
  /usr/bin/time -f %U -o "$tmp/t" "$1" sim "${@:3}" --out "$2" > /dev/null 2>&1 || { echo "ab_sim.sh: $1 failed" >&2; exit 1; }
  cat "$tmp/t"
}
for ((i = 1; i <= pairs; i++)); do
  if ((i % 2)); then o=$(cpu "$old" "$tmp/old.h5" "$@"); n=$(cpu "$new" "$tmp/new.h5" "$@")
  else n=$(cpu "$new" "$tmp/new.h5" "$@"); o=$(cpu "$old" "$tmp/old.h5" "$@"); fi
  echo "pair $i: old $o s, new $n s"
done | tee "$tmp/pairs"
awk '{ o += $4; n += $7; d += $7 - $4; k++; f += ($7 < $4) }
     END { printf "mean: old %.2f s, new %.2f s, paired difference %+.2f s, new faster in %d of %d\n", o / k, n / k, d / k, f, k }' "$tmp/pairs"
/usr/bin/python3 - "$tmp/old.h5" "$tmp/new.h5" <<'PY'
import sys, h5py
a, b = (h5py.File(p, "r")["requests"][:] for p in sys.argv[1:])
same = len(a) == len(b) and all((a[k] == b[k]).all() for k in a.dtype.names)
print(f"/requests: {len(a)} rows, {'identical' if same else 'DIFFERENT'}")
PY
