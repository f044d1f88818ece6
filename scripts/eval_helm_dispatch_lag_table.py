#!/usr/bin/python3
"""The dispatch-lag table of docs/HELM_POLICY.md from the rows scripts/eval_helm_dispatch_lag.sh
wrote (markdown on stdout): per adapter setting the mean and 95% CI over repetitions, and the
paired on - off difference (slurm/lib/stats.py computes every interval).

    scripts/eval_helm_dispatch_lag_table.py [docs/data/helm-dispatch-lag.csv]"""
import csv
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "slurm", "lib"))
if len(sys.argv) < 2:
    sys.argv.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "docs", "data", "helm-dispatch-lag.csv"))
import stats  # noqa: E402

rows = list(csv.DictReader(open(sys.argv[1])))
lag = {a: {r["rep"]: float(r["dispatch_lag_p99_ms"]) for r in rows if r["adapter"] == a} for a in ("on", "off")}
print("| adapter training | dispatch-lag P99 (ms) | latency P99 (ms) | SLO % |")
print("|---|--:|--:|--:|")
for a in ("on", "off"):
    mine = [r for r in rows if r["adapter"] == a]
    print("| %s | %s | %s | %s |" % (a, stats.fmt(stats.mean_ci(list(lag[a].values())), 3),
          stats.fmt(stats.mean_ci([float(r["p99_all_ms"]) for r in mine]), 1),
          stats.fmt(stats.mean_ci([float(r["slo_pct"]) for r in mine]), 1)))
d = stats.paired(lag["off"], lag["on"])[0]
print("\non - off, paired by repetition: %s ms" % stats.fmt(d, 3))
