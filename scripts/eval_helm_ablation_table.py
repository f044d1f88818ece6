#!/usr/bin/python3
"""The ablation table of scripts/eval_helm_ablation.sh (markdown on stdout, CSV beside the runs).

    scripts/eval_helm_ablation_table.py [RUNS.csv] [--csv TABLE.csv]
    (defaults: docs/data/helm-ablation-runs.csv, and helm-ablation-table.csv beside it)

Per regime and load: P99 over all requests (drops counted) and SLO attainment of each form of the
policy and of the two references (static 0.2, `mrc`) (mean and 95% CI over seeds), the adapter's effect (base+adapter against base) and the burst
layer's (all three against base+adapter) as paired P99 reductions (the same seed is the same
trace), all three layers against each reference (paired), and the decisions with the burst flag set. Intervals come from slurm/lib/stats.py only.
Verdict per comparison: "lower" if the reduction's CI is above 0, "higher" if below, else "n.s.";
"-" where a P99 is inf (more than 1% of requests lost)."""
import argparse
import csv
import math
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "slurm", "lib"))
import stats  # noqa: E402

FORMS = ("helm-base", "helm-base+adapter", "helm")
REFS = ("static-0.2", "mrc")


def verdict(red):
    if red.mean is None or math.isnan(red.mean) or red.half is None:
        return "-"
    return "lower" if red.lo > 0 else ("higher" if red.hi < 0 else "n.s.")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("runs", nargs="?", default=os.path.join(here, "..", "docs", "data", "helm-ablation-runs.csv"))
    ap.add_argument("--csv")
    a = ap.parse_args()
    path = a.runs
    rows = list(csv.DictReader(open(path)))
    cells = sorted({(r["regime"], r["load_frac"]) for r in rows}, key=lambda c: (("steady", "trend", "burst").index(c[0]), c[1]))
    out_rows = []
    print("| regime | load | P99 base (ms) | P99 base+adapter | P99 all three | adapter: P99 reduction (%) | burst layer: P99 reduction (%) | SLO % (all three) | burst decisions | P99 static 0.2 | P99 mrc | all three vs static 0.2: P99 reduction (%) | vs mrc (%) |")
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for regime, load in cells:
        mine = [r for r in rows if r["regime"] == regime and r["load_frac"] == load]
        p99 = {f: {r["seed"]: float(r["p99_all_ms"]) for r in mine if r["policy"] == f} for f in FORMS + REFS}
        slo = [float(r["slo_pct"]) for r in mine if r["policy"] == "helm"]
        bursts = [float(r["burst_decisions"]) for r in mine if r["policy"] == "helm"]
        _, ad = stats.paired(p99["helm-base"], p99["helm-base+adapter"])
        _, bu = stats.paired(p99["helm-base+adapter"], p99["helm"])
        _, vs_static = stats.paired(p99["static-0.2"], p99["helm"])
        _, vs_mrc = stats.paired(p99["mrc"], p99["helm"])
        cis = {f: stats.mean_ci(list(p99[f].values())) for f in FORMS + REFS}
        print("| %s | %s | %s | %s | %s | %s, %s | %s, %s | %s | %s | %s | %s | %s, %s | %s, %s |" % (
            regime, load, *(stats.fmt(cis[f], 2) for f in FORMS), stats.fmt(ad, 1), verdict(ad),
            stats.fmt(bu, 1), verdict(bu), stats.fmt(stats.mean_ci(slo), 1), stats.fmt(stats.mean_ci(bursts), 0),
            stats.fmt(cis["static-0.2"], 2), stats.fmt(cis["mrc"], 2), stats.fmt(vs_static, 1), verdict(vs_static),
            stats.fmt(vs_mrc, 1), verdict(vs_mrc)))
        out_rows.append({"regime": regime, "load_frac": load,
                         **{f"p99_{f}_ms": "%.4f" % cis[f].mean for f in FORMS + REFS},
                         "vs_static_reduction_pct": "" if math.isnan(vs_static.mean) else "%.3f" % vs_static.mean,
                         "vs_static_verdict": verdict(vs_static),
                         "vs_mrc_reduction_pct": "" if math.isnan(vs_mrc.mean) else "%.3f" % vs_mrc.mean,
                         "vs_mrc_verdict": verdict(vs_mrc),
                         "adapter_reduction_pct": "" if math.isnan(ad.mean) else "%.3f" % ad.mean,
                         "adapter_verdict": verdict(ad),
                         "burst_reduction_pct": "" if math.isnan(bu.mean) else "%.3f" % bu.mean,
                         "burst_verdict": verdict(bu), "slo_pct_helm": "%.2f" % stats.mean_ci(slo).mean,
                         "burst_decisions_helm": "%.1f" % stats.mean_ci(bursts).mean})
    with open(a.csv or os.path.join(os.path.dirname(path), "helm-ablation-table.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(out_rows[0]))
        w.writeheader()
        w.writerows(out_rows)


if __name__ == "__main__":
    main()
