#!/usr/bin/env bash
# RESULTS.md's tables trace to committed CSVs: the table steps that read only CSVs, logs and JSON
# (experiments 1, 2, 6, 7, 8 and the real grid of 10) are re-run on experiments/results/quick/ into a temporary folder and
# must reproduce the committed tables byte for byte; RESULTS.md must be what results_md.py makes of
# RESULTS.in.md and those tables. No Slurm, no simulation: seconds.
# Usage: experiments_tables.sh SOURCE_DIR
set -euo pipefail
src=$1
q=$src/experiments/results/quick
[ -d "$q/tables" ] || { echo "SKIP: no committed quick results"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
py() { PYTHONPATH="$src/experiments/lib" /usr/bin/python3 "$@" >/dev/null; }
py "$src/experiments/01_static/table.py" "$q/01_static/runs.csv" "$tmp"
py "$src/experiments/02_oracle/table.py" "$q/01_static/runs.csv" "$q/02_oracle/replay.csv" "$q/02_oracle/sched" "$tmp"
py "$src/experiments/06_decision/table.py" "$q/06_decision/bench_helm.json" "$tmp"
py "$src/experiments/07_throughput/table.py" "$q/07_throughput/jobs.tsv" "$tmp"
py "$src/experiments/02_oracle/table.py" "$q/08_load/load/runs.csv" "$q/08_load/replay/runs.csv" "$q/08_load/sched" "$tmp" e8_oracle_gap_by_load
cap=$(HELM_EXP_QUICK=1 bash -c "source \"$src/experiments/settings.sh\"; echo \$EXP_CAPACITY")
py "$src/experiments/08_load/table.py" "$q/08_load/load/runs.csv" "$q/08_load/replay/runs.csv" "$cap" "$tmp"
mkdir "$tmp/real"
py "$src/experiments/01_static/table.py" "$q/10_real/static/runs.csv" "$tmp/real"
fail=0
for t in real/e1_best_static real/e1_static_grid e1_best_static e1_static_grid e2_oracle_gap e6_decision e7_capacity e8_oracle_gap_by_load e8_load; do
  for ext in md tex csv; do
    cmp -s "$tmp/$t.$ext" "$q/tables/$t.$ext" || { echo "FAIL: $t.$ext differs from the committed table"; diff "$tmp/$t.$ext" "$q/tables/$t.$ext" | head -5; fail=1; }
  done
done
/usr/bin/python3 "$src/experiments/lib/results_md.py" "$src/experiments/RESULTS.in.md" "$q/tables" "$tmp/RESULTS.md"
cmp -s "$tmp/RESULTS.md" "$src/RESULTS.md" || { echo "FAIL: RESULTS.md is not what results_md.py makes (edited by hand, or tables changed)"; fail=1; }
# The full run's budget in RESULTS.md is estimate.sh's number from the committed times.tsv, and the
# quick run's measured task counts are the ones estimate.sh's formulas give.
est=$("$src/experiments/estimate.sh" "$q/tables/times.tsv") || { echo "FAIL: estimate.sh failed: $est"; fail=1; }
! grep -q '^warning' <<<"$est" || { echo "FAIL: $(grep '^warning' <<<"$est")"; fail=1; }
hours=$(sed -n 's/^full: .* = \([0-9.]*\) h .*/\1/p' <<<"$est")
[ -n "$hours" ] && grep -qF "$hours h**" "$src/RESULTS.md" ||
  { echo "FAIL: RESULTS.md does not state estimate.sh's full-run time ($(tail -n 1 <<<"$est"))"; fail=1; }
# The other budget figures its prose quotes, from the same files: the quick run's wall seconds (in
# all, and of experiment 10, added by --step, and of the rest) and the estimate's task-seconds and
# seconds.
figures=$(/usr/bin/python3 - "$q/tables/times.tsv" "$est" <<'PY'
import csv, re, sys
t = {r["step"]: r["seconds"] for r in csv.DictReader(open(sys.argv[1]), delimiter="\t")}
total, real = int(t["total"]), int(t.get("10_real", 0))
m = re.search(r"^full: (\d+) task-seconds .* = (\d+) s =", sys.argv[2], re.M)
for n in (total, real, total - real) + ((int(m.group(1)), int(m.group(2))) if m else ()):
    print("{:,} s".format(n) if n < 30000 else "{:,}".format(n))
PY
)
while IFS= read -r f; do
  grep -qF "$f" "$src/RESULTS.md" || { echo "FAIL: RESULTS.md does not quote '$f' (times.tsv / estimate.sh)"; fail=1; }
done <<<"$figures"
[ $fail -eq 0 ] && echo "PASS: the committed tables and RESULTS.md regenerate from the committed CSVs"
exit $fail
