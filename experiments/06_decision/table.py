"""Experiment 6's table step: bench_helm's JSON -> e6_decision.{md,tex,csv}: per benchmark the
mean and 95% CI of the per-repetition CPU time over repetitions (stats.mean_ci; repetitions, not
seeds, are the samples here), and BM_HelmDecisionLatency's own percentiles of single decisions.
Usage: table.py BENCH_JSON TABLES_DIR"""

import json
import os
import sys

import tables as T


def main(path, out):
    with open(path) as f:
        doc = json.load(f)
    runs = {}
    pct = {}
    for b in doc["benchmarks"]:
        if b.get("run_type") == "aggregate":
            continue
        scale = {"ns": 1e-3, "us": 1.0, "ms": 1e3}[b.get("time_unit", "ns")]
        runs.setdefault(b["run_name"], []).append(b["cpu_time"] * scale)
        for k in ("p50_ns", "p99_ns", "p999_ns"):
            if k in b:
                pct.setdefault(b["run_name"], {}).setdefault(k, []).append(b[k] / 1e3)
    md, rows = [], []
    for name, xs in runs.items():
        iv = T.mean_ci(xs)
        p = pct.get(name, {})
        p50 = T.mean_ci(p["p50_ns"]).mean if "p50_ns" in p else None
        p99 = T.mean_ci(p["p99_ns"]).mean if "p99_ns" in p else None
        md.append([name, T.fmt(iv, 3), T.num(p50, 3), T.num(p99, 3)])
        rows.append([name, iv.mean, iv.half, iv.n, p50 if p50 is not None else "", p99 if p99 is not None else ""])
    ctx = doc.get("context", {})
    cap = "Experiment 6: decision latency in us, one core of %s (%s CPUs, load %s) (paper: 32 us)" % (
        ctx.get("host_name", "?"), ctx.get("num_cpus", "?"), ctx.get("load_avg", "?"))
    print(T.write_table(os.path.join(out, "e6_decision"),
                        ["benchmark", "CPU time per call us (95% CI, n reps)", "single-decision p50 us", "p99 us"],
                        md, cap, csv_rows=rows,
                        csv_header=["benchmark", "cpu_us", "cpu_ci95", "reps", "p50_us", "p99_us"]))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
