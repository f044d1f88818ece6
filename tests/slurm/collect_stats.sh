#!/usr/bin/env bash
# slurm/collect.sh on a folder of real `sim` results (3 seeds x 3 policies, no Slurm needed):
# its summary's means, 95% CIs and P99 reductions vs the best static split (paired over seeds,
# with their CI) are recomputed here from runs.csv (Python's statistics module, Student t for 2
# degrees of freedom from the tables: 4.303); a file without a footer is left out.
# Usage: collect_stats.sh SOURCE_DIR HELM_BENCH
set -euo pipefail
src=$1
export HELM_BENCH=$2 HELM_PROGRESS=off
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for p in static:0.2 static:0.8 mrc; do
  for s in 1 2 3; do
    "$HELM_BENCH" sim --nodes 2 --cost-model cpu-small --qps 300 --duration 4 --pool-mib 4 --slo-ms 20 \
      --users 2000 --items 20000 --memory-policy "$p" --seed "$s" --tag seed="$s" --tag mode=sim \
      --tag load=300 --out "$tmp/${p/:/-}_s$s.h5" >/dev/null
  done
done
cp "$tmp/mrc_s1.h5" "$tmp/zz_killed.h5"
HDF5_USE_FILE_LOCKING=FALSE /usr/bin/python3 -c "
import h5py, sys
with h5py.File(sys.argv[1], 'r+') as h: del h.attrs['footer_exactly_once']" "$tmp/zz_killed.h5"
"$src/slurm/collect.sh" "$tmp" >"$tmp/stdout" 2>"$tmp/stderr"
grep -q "skipping $tmp/zz_killed.h5: incomplete" "$tmp/stderr" || { cat "$tmp/stderr"; echo "FAIL: the footer-less file was not skipped"; exit 1; }
for f in runs.md runs.tex summary.md summary.tex; do [ -s "$tmp/$f" ] || { echo "FAIL: no $f"; exit 1; }; done
/usr/bin/python3 - "$tmp" <<'PY'
import csv, math, statistics, sys
d = sys.argv[1]
runs = list(csv.DictReader(open(f"{d}/runs.csv")))
summ = {r["memory_policy"]: r for r in csv.DictReader(open(f"{d}/summary.csv"))}
assert len(runs) == 9, f"{len(runs)} runs, expected 9 (the killed file must be left out)"
assert sorted(summ) == ["mrc", "static:0.2", "static:0.8"], sorted(summ)
p99 = {p: [float(r["p99_all_ms"]) for r in runs if r["memory_policy"] == p] for p in summ}
slo = {p: [float(r["slo_pct"]) for r in runs if r["memory_policy"] == p] for p in summ}
def ci(v): return 4.303 * statistics.stdev(v) / math.sqrt(len(v))
seed = {p: [int(r["run_seed"]) for r in runs if r["memory_policy"] == p] for p in summ}
assert all(sorted(s) == [1, 2, 3] for s in seed.values()), seed
best = min(("static:0.2", "static:0.8"), key=lambda p: statistics.mean(p99[p]))
by_seed = {p: dict(zip(seed[p], p99[p])) for p in summ}
red = {p: [100 * (by_seed[best][s] - by_seed[p][s]) / by_seed[best][s] for s in (1, 2, 3)] for p in summ}
bad = []
for p, r in summ.items():
    checks = [("seeds", int(r["seeds"]), 3, 0), ("p99_all_ms", float(r["p99_all_ms"]), statistics.mean(p99[p]), 1e-3),
              ("p99_ci95", float(r["p99_ci95"]), ci(p99[p]), 1e-3), ("slo_pct", float(r["slo_pct"]), statistics.mean(slo[p]), 1e-2),
              ("vs_best_static_pct", float(r["vs_best_static_pct"]), statistics.mean(red[p]), 0.06)]
    if p != best:  # the best static split against itself: every per-seed reduction is 0
        checks.append(("vs_best_static_ci95", float(r["vs_best_static_ci95"]), ci(red[p]), 0.06))
    for name, got, want, tol in checks:
        if abs(got - want) > tol: bad.append(f"{p} {name}: {got} != {want:.4f}")
    print(f"{p}: P99 {r['p99_all_ms']} ± {r['p99_ci95']} ms, SLO {r['slo_pct']} %, vs best static {r['vs_best_static_pct']} ± {r['vs_best_static_ci95']} %")
if bad: print("FAIL:", "; ".join(bad)); sys.exit(1)
PY
grep -q '^| sim | synthetic | steady | rr | 300 | mrc | 3 | ' "$tmp/stdout" || { cat "$tmp/stdout"; echo "FAIL: markdown summary"; exit 1; }
echo "PASS: collect.sh statistics"
