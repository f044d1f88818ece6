#!/usr/bin/env python3
"""The held-out table of docs/HELM_POLICY.md from scripts/eval_helm_heldout.sh's CSV: per workload,
the best static split (the lowest mean P99 over the seeds, chosen on the same seeds it is compared
on: an optimistic baseline), `mrc` and HELM, each with its mean P99 over all requests and its
paired reduction vs the best static split (slurm/lib/stats.py, the one CI function).
usage: eval_helm_heldout_table.py [CSV]"""
import csv
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "slurm", "lib"))
import stats  # noqa: E402

path = sys.argv[1] if len(sys.argv) > 1 else "docs/data/helm-heldout-eval.csv"
rows = list(csv.DictReader(open(path)))
print("| workload | policy | mean EMB share | P99 all (ms) | SLO % | reduction vs best static (%) |")
print("|---|---|---|---|---|---|")
for w in dict.fromkeys(r["workload"] for r in rows):
    cell = [r for r in rows if r["workload"] == w]
    p99 = {}
    for r in cell:
        p99.setdefault(r["policy"], {})[r["seed"]] = float(r["p99_all_ms"])
    statics = [p for p in p99 if p.startswith("static:")]
    best = min(statics, key=lambda p: stats.mean_ci(list(p99[p].values())).mean)
    for p in [best] + [p for p in p99 if not p.startswith("static:")]:
        mine = [r for r in cell if r["policy"] == p]
        share = stats.mean_ci([float(r["mean_emb_share"]) for r in mine]).mean
        slo = stats.mean_ci([float(r["slo_pct"]) for r in mine])
        red = "" if p == best else stats.fmt(stats.paired(p99[best], p99[p])[1], 1)
        label = p + " (best static)" if p == best else p
        print("| %s | `%s` | %.3f | %s | %s | %s |" % (w, label, share, stats.fmt(stats.mean_ci(list(p99[p].values()))),
                                                   stats.fmt(slo, 1), red))
