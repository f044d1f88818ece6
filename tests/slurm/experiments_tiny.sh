#!/usr/bin/env bash
# The experiments' machinery end to end on a tiny config (experiments/settings.sh's tiny mode: 2
# nodes, 2 seeds, a 0.6 s trace, a 3-point grid, one regime), through a real single-node Slurm:
# experiment 1 (static grid sweep per profile, two profiles at their own loads -> best static table and
# plots), experiment 2 (oracle jobs reading 01's grid back, as an array; replay sweep -> paired gap table). Checks the CSVs and tables themselves: one row per
# cell, numbers where numbers belong, the paired n equal to the seeds, the plot a PNG.
# Usage: experiments_tiny.sh SOURCE_DIR HELM_BENCH. Needs root (skips with 77 otherwise).
set -euo pipefail
src=$1 bench=$2
# shellcheck source=experiments_slurm.sh
source "$(dirname "${BASH_SOURCE[0]}")/experiments_slurm.sh"

"$src/experiments/01_static/run.sh" >"$tmp/e1.log" 2>&1 || fail "01_static/run.sh failed"
t=$tmp/res/tables
[ -f "$t/e1_best_static.csv" ] && [ -f "$t/e1_best_static.tex" ] && [ -f "$t/e1_best_static.md" ] || fail "no e1 tables"
for ds in kuairand-27k amazon-books; do
  [ "$(head -c 8 "$t/e1_p99_vs_split_$ds.png" | od -An -c | tr -d ' ')" = '211PNG\r\n032\n' ] || fail "e1 plot of $ds is not a PNG"
done
/usr/bin/python3 - "$t" <<'PY' || fail "e1 tables are wrong"
import csv, math, sys
t = sys.argv[1]
grid = list(csv.DictReader(open(t + "/e1_static_grid.csv")))
for ds in ("kuairand-27k", "amazon-books"):                          # each profile's own grid
    g = [r for r in grid if r["dataset"] == ds]
    assert [float(r["split"]) for r in g] == [0.0, 0.5, 1.0], grid    # the tiny grid, one regime
assert len(grid) == 6 and all(int(r["n"]) == 2 for r in grid), grid   # two seeds per split
best = list(csv.DictReader(open(t + "/e1_best_static.csv")))
assert sorted(r["dataset"] for r in best) == ["amazon-books", "kuairand-27k"], best
for b in best:
    assert b["workload"] == "steady", best
    g = [float(r["p99_all_ms"]) for r in grid if r["dataset"] == b["dataset"]]
    assert float(b["p99_all_ms"]) == min(g), (b, grid)               # the best is its grid's lowest
assert "\\toprule" in open(t + "/e1_best_static.tex").read()
PY
"$src/experiments/02_oracle/run.sh" >"$tmp/e2.log" 2>&1 || fail "02_oracle/run.sh failed"
[ -f "$t/e2_oracle_gap.csv" ] || fail "no e2 table"
# The oracle read experiment 1's static grid back (--from-runs) instead of simulating it again.
n=0
for f in "$tmp"/res/02_oracle/sched/*.log; do
  ds=$(basename "$f"); ds=${ds%%_*}; n=$((n + 1))
  grep -q "grid runs read from $tmp/res/01_static/$ds/static" "$f" || fail "$f: the oracle did not read 01's grid of $ds: $(tail -n 2 "$f")"
done
[ $n -eq 4 ] || fail "$n oracle schedules, expected 4 (2 profiles x 2 seeds)"
/usr/bin/python3 - "$t" <<'PY' || fail "e2 table is wrong"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1] + "/e2_oracle_gap.csv")))
assert sorted(r["dataset"] for r in rows) == ["amazon-books", "kuairand-27k"], rows
for r in rows:
    assert int(r["n"]) == 2, rows                                      # paired over both seeds
    float(r["oracle_p99_ms"]); float(r["reduction_pct"])
PY
# Resubmitting finds every file complete and runs nothing.
"$src/experiments/01_static/run.sh" >"$tmp/e1b.log" 2>&1 || fail "01 rerun failed"
[ "$(grep -c "6 complete, 0 to run" "$tmp/e1b.log")" -eq 2 ] || fail "the rerun did not skip the finished runs: $(head -n 2 "$tmp/e1b.log")"
echo "PASS: experiments 01 and 02 end to end on the local Slurm"
