"""Experiment 3's table step: each adaptive policy with --repartition naive and budgeted on the same
seeds. P99 (all requests) and SLO attainment with 95% CIs, the paired P99 change of budgeted vs
naive, and the share of control windows whose P99 exceeds the SLO (from the results files'
/requests rows, windows of the run's control interval, drops counted as misses).
Usage: table.py NAIVE_RUNS_CSV BUDGETED_RUNS_CSV TABLES_DIR"""

import os
import re
import sys

import tables as T


def windows_over_slo(path):
    """(windows whose nearest-rank P99 is over the SLO or falls on a lost request, windows)."""
    import h5py
    import numpy as np
    with h5py.File(path, "r") as f:
        req = f["requests"][...]
        warm = int(f.attrs.get("warmup_ns", 0))
        slo = float(f.attrs["slo_ms"]) * 1e6
        cfg = f.attrs["config"]
        cfg = cfg.decode() if isinstance(cfg, bytes) else str(cfg)
        m = re.search(r"^control-interval-ms = ([0-9.eE+-]+)", cfg, re.M)
        step = float(m.group(1) if m else 1000) * 1e6  # the run's own control interval (default 1 s)
    req = req[req["arrival"] >= warm]
    lat = np.where(req["status"] == 0, req["latency"].astype(float), np.inf)
    win = ((req["arrival"] - warm) // step).astype(int)
    over = total = 0
    for w in np.unique(win):
        x = np.sort(lat[win == w])
        p99 = x[int(np.ceil(0.99 * len(x))) - 1]
        total += 1
        over += p99 > slo
    return over, total


def main(naive_csv, budgeted_csv, out):
    rows = T.load_runs(naive_csv, {"rep": "naive"}) + T.load_runs(budgeted_csv, {"rep": "budgeted"})
    paths = {}
    for path, rep in ((naive_csv, "naive"), (budgeted_csv, "budgeted")):
        for r in rows:
            if r["rep"] == rep:
                paths[id(r)] = T.results_file(path, r)
    md, csv_rows = [], []
    for (ds, wl, pol), cell in T.group(rows, "dataset", "workload", "memory_policy").items():
        naive = [r for r in cell if r["rep"] == "naive"]
        for rep in ("naive", "budgeted"):
            rs = [r for r in cell if r["rep"] == rep]
            if not rs:
                continue
            p99 = T.mean_ci([r["p99_all_ms"] for r in rs])
            slo = T.mean_ci([r["slo_pct"] for r in rs])
            ws = [windows_over_slo(paths[id(r)]) for r in rs]
            wtxt = "%d of %d" % (sum(w[0] for w in ws), sum(w[1] for w in ws))
            if rep == "naive" or not naive:
                red = None
            else:
                _, red = T.paired(T.by_seed(naive, "p99_all_ms"), T.by_seed(rs, "p99_all_ms"))
            md.append([ds, wl, T.label(pol), rep, T.fmt(p99), T.fmt(slo), wtxt,
                       "baseline" if red is None else T.fmt(red, 1)])
            csv_rows.append([ds, wl, T.label(pol), rep, p99.mean, p99.half, p99.n, slo.mean, slo.half,
                             sum(w[0] for w in ws), sum(w[1] for w in ws),
                             "" if red is None else red.mean, "" if red is None else red.half])
    print(T.write_table(os.path.join(out, "e3_repartition"),
                        ["dataset", "regime", "policy", "repartition", "P99 all ms (95% CI, n)", "SLO % (95% CI, n)",
                         "windows with P99 over SLO", "P99 reduction vs naive % (paired)"],
                        md, "Experiment 3: naive reallocation vs budgeted refill (paper: qualitative)",
                        csv_rows=csv_rows,
                        csv_header=["dataset", "workload", "policy", "repartition", "p99_all_ms", "p99_ci95", "n",
                                    "slo_pct", "slo_ci95", "windows_over_slo", "windows", "reduction_vs_naive_pct",
                                    "reduction_ci95"]))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
