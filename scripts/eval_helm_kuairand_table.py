#!/usr/bin/env python3
"""The table of docs/HELM_POLICY.md's KuaiRand section from scripts/eval_helm_kuairand.sh's CSV:
mean P99 (all requests) per workload and policy, and each policy's paired reduction vs the
static split over the same seeds (slurm/lib/stats.py, the one CI function).
usage: eval_helm_kuairand_table.py [CSV]"""
import csv
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "slurm", "lib"))
import stats  # noqa: E402

path = sys.argv[1] if len(sys.argv) > 1 else "docs/data/helm-kuairand-eval.csv"
rows = list(csv.DictReader(open(path)))
base_label = "static:0.2"
print("| workload | policy | mean EMB share | P99 all (ms) | reduction vs static:0.2 (%) |")
print("|---|---|---|---|---|")
for w in sorted({r["workload"] for r in rows}, key=["steady", "trend", "burst"].index):
    cell = [r for r in rows if r["workload"] == w]
    base = {r["seed"]: float(r["p99_all_ms"]) for r in cell if r["policy"] == base_label}
    for p in dict.fromkeys(r["policy"] for r in cell):
        mine = {r["seed"]: float(r["p99_all_ms"]) for r in cell if r["policy"] == p}
        share = stats.mean_ci([float(r["mean_emb_share"]) for r in cell if r["policy"] == p])
        red = "" if p == base_label else stats.fmt(stats.paired(base, mine)[1], 1)
        print("| %s | `%s` | %.3f | %s | %s |" % (w, p, share.mean, stats.fmt(stats.mean_ci(list(mine.values()))), red))
