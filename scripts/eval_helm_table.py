#!/usr/bin/python3
"""Summarises scripts/eval_helm.sh's CSV: per (workload, load, policy) the mean P99 and SLO
attainment over the seeds with a 95% t confidence half-width, and the P99 change vs the best
static split (the oracle grid's, per seed). Markdown on stdout. usage: eval_helm_table.py CSV"""
import csv
import statistics
import sys
from collections import defaultdict

T95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571}


def ci(xs):
    if len(xs) < 2:
        return 0.0
    return T95.get(len(xs) - 1, 2.0) * statistics.stdev(xs) / len(xs) ** 0.5


def main():
    rows = list(csv.DictReader(open(sys.argv[1])))
    cells = defaultdict(lambda: defaultdict(list))
    for r in rows:
        pol = "best-static" if r["policy"].startswith("best-static") else r["policy"]
        cells[(r["workload"], int(r["qps_per_node"]))][pol].append(r)
    print("| workload | req/s/node | policy | seeds | P99 ms (±95% CI) | SLO % | P99 vs best static |")
    print("|---|--:|---|--:|--:|--:|--:|")
    for key in sorted(cells):
        best = statistics.mean(float(r["p99_ms"]) for r in cells[key]["best-static"])
        for pol, rs in cells[key].items():
            p = [float(r["p99_ms"]) for r in rs]
            s = [float(r["slo_pct"]) for r in rs]
            extra = ""
            if pol == "best-static":
                extra = " (" + "/".join(r["policy"].split(":")[1] for r in rs) + ")"
            print(f"| {key[0]} | {key[1]} | {pol}{extra} | {len(rs)} | {statistics.mean(p):.3f} ± {ci(p):.3f} | "
                  f"{statistics.mean(s):.2f} | {100 * (statistics.mean(p) - best) / best:+.2f}% |")


if __name__ == "__main__":
    main()
