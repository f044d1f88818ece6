#!/usr/bin/env bash
# The real-run variant (experiments/10_real) end to end on the tiny config, through a real
# single-node Slurm: the capacity of 1 + 3 MPI ranks, the real static grid (3 splits x 2 seeds) and
# mrc and helm beside it, then experiment 1's and 4's table steps on those runs. Checks that every
# row is a real run (mode run), that the grid is whole and paired, and that the main
# table's baseline is the grid's best split. Numbers meaningless (2 s traces).
# Usage: experiments_real_tiny.sh SOURCE_DIR HELM_BENCH. Needs root (skips with 77 otherwise).
set -euo pipefail
src=$1 bench=$2
# shellcheck source=experiments_slurm.sh
source "$(dirname "${BASH_SOURCE[0]}")/experiments_slurm.sh"

"$src/experiments/10_real/run.sh" >"$tmp/e10.log" 2>&1 || fail "10_real/run.sh failed"
grep -q "^10_real: capacity (highest served, 1 + 3 ranks) [0-9]* qps; offered [0-9]* qps" "$tmp/e10.log" ||
  fail "no capacity line"
/usr/bin/python3 - "$tmp/res" <<'PY' || fail "e10 tables are wrong"
import csv, sys
res = sys.argv[1]
t = res + "/tables/real"
runs = []
for f in ("static", "policies-steady"):
    runs += list(csv.DictReader(open("%s/10_real/%s/runs.csv" % (res, f))))
assert len(runs) == 3 * 2 + 2 * 2, len(runs)                          # grid 3 x 2 seeds, mrc and helm x 2
assert all(r["mode"] == "run" for r in runs), {r["mode"] for r in runs}
grid = list(csv.DictReader(open(t + "/e1_static_grid.csv")))
assert [float(r["split"]) for r in grid] == [0.0, 0.5, 1.0] and all(int(r["n"]) == 2 for r in grid), grid
best = list(csv.DictReader(open(t + "/e1_best_static.csv")))
assert len(best) == 1 and best[0]["dataset"] == "ml-20m", best
main = list(csv.DictReader(open(t + "/e4_main.csv")))
pols = [r["memory_policy"] for r in main]
assert "mrc" in pols and any(p.startswith("helm") for p in pols), pols
base = [r for r in main if r["is_best_static"] in ("1", "True", "yes")]
assert len(base) == 1 and abs(float(base[0]["p99_all_ms"]) - float(best[0]["p99_all_ms"])) < 1e-9, (base, best)
assert all(int(r["n"]) == 2 for r in main), main
PY
echo "PASS: experiment 10 (real runs) end to end on the local Slurm"
