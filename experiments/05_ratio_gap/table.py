"""Experiment 5's table step: the ratio gap to the oracle (paper: 0.024-0.029). For each adaptive
run of experiment 4 with the best baseline router, and each control decision after warm-up, the
split the node applied (/controller ratio_applied) against the oracle's split for that window on
the same trace (experiment 2's schedule, the same dataset, regime, load and seed); the gap of a
run is the mean |applied - oracle| over its decisions; the table gives its mean and 95% CI over
seeds. The best static split's gap (a constant against the schedule) is the reference. Also the
plot of the split over time against the oracle's with the burst flags (e5_split_WORKLOAD.png).
Usage: table.py TABLES_DIR SCHED_DIR BASE_ROUTER RUNS_CSV..."""

import bisect
import csv
import os
import sys

import tables as T


def schedule(path):
    """(times in ns, ratios per node or one for all) from an oracle schedule CSV."""
    ts, rs = [], []
    with open(path, newline="") as f:
        rd = csv.reader(f)
        next(rd)
        for row in rd:
            ts.append(float(row[0]) * 1e9)
            rs.append([float(x) for x in row[1:]])
    return ts, rs


def at(sched, t, node):
    ts, rs = sched
    i = max(0, bisect.bisect_right(ts, t) - 1)
    r = rs[i]
    return r[node % len(r)]


def run_gap(path, sched):
    import h5py
    with h5py.File(path, "r") as f:
        c = f["controller"][...]
        warm = int(f.attrs.get("warmup_ns", 0))
    c = c[c["time"] >= warm]
    if len(c) == 0:
        return None
    gaps = [abs(float(x["ratio_applied"]) - at(sched, float(x["time"]), int(x["node"]))) for x in c]
    return sum(gaps) / len(gaps)


def static_gap(split, sched, t0, t1):
    ts, rs = sched
    vals = [abs(split - r[0]) for t, r in zip(ts, rs) if t0 <= t < t1]
    return sum(vals) / len(vals) if vals else None


def main(tables_dir, sched_dir, router, *runs_csvs):
    md, csv_rows, plots = [], [], {}
    best = {}
    with open(os.path.join(tables_dir, "e1_best_static.tsv")) as f:
        for line in f:
            ds, wl, pol = line.rstrip("\n").split("\t")
            best[(ds, wl)] = pol
    for path in runs_csvs:
        rows = [r for r in T.load_runs(path) if r["router"] == router]
        for (ds, wl, load, pol), rs in T.group(rows, "dataset", "workload", "load", "memory_policy").items():
            adaptive = T.split_of(pol) is None and pol not in ("emb-only", "kv-only")
            if not adaptive and pol != best.get((ds, wl)):
                continue
            gaps = []
            for r in rs:
                sp = os.path.join(sched_dir, "%s_%s_q%s_s%d.csv" % (ds, wl, load, r["seed"]))
                if not os.path.exists(sp):
                    continue
                sched = schedule(sp)
                if adaptive:
                    g = run_gap(T.results_file(path, r), sched)
                    if T.label(pol) == "helm" and r["seed"] == min(x["seed"] for x in rs):
                        plots[wl] = (T.results_file(path, r), sched, ds, r["seed"], best.get((ds, wl)))
                else:
                    g = static_gap(T.split_of(pol), sched, 0, float("inf"))
                if g is not None:
                    gaps.append(g)
            if not gaps:
                continue
            iv = T.mean_ci(gaps)
            name = T.label(pol) + (" (best static)" if not adaptive else "")
            md.append([ds, wl, load, name, T.fmt(iv, 3)])
            csv_rows.append([ds, wl, load, T.label(pol), int(not adaptive), iv.mean, iv.half, iv.n])
    print(T.write_table(os.path.join(tables_dir, "e5_ratio_gap"),
                        ["dataset", "regime", "load", "policy", "mean abs(split - oracle split) (95% CI, n)"], md,
                        "Experiment 5: ratio gap to the per-window oracle (paper: 0.024-0.029)",
                        csv_rows=csv_rows,
                        csv_header=["dataset", "workload", "load", "policy", "is_best_static", "gap", "gap_ci95", "n"]))
    for wl, args in plots.items():
        plot(wl, *args, out=tables_dir)


def plot(wl, path, sched, ds, seed, best, out):
    import h5py
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    with h5py.File(path, "r") as f:
        c = f["controller"][...]
    fig, ax = plt.subplots(figsize=(7, 3.8))
    t = c["time"] / 1e9
    for n in np.unique(c["node"]):
        m = c["node"] == n
        ax.step(t[m], c["ratio_applied"][m], where="post", lw=0.9, alpha=0.7, label="helm, node %d" % n)
        b = m & (c["burst_flag"] > 0)
        ax.scatter(t[b], np.full(b.sum(), 1.03), marker="|", color="red", s=40)
    ts, rs = sched
    ax.step([x / 1e9 for x in ts], [r[0] for r in rs], where="post", color="black", lw=2, label="oracle")
    if best:
        ax.axhline(T.split_of(best), color="grey", ls="--", label="best static %s" % best)
    ax.set_ylim(-0.02, 1.08)
    ax.set_xlabel("time (s); red ticks: burst flag raised")
    ax.set_ylabel("EMB share of the pool")
    ax.set_title("%s %s, seed %d: split over time against the oracle's" % (ds, wl, seed))
    ax.legend(fontsize=7, loc="center right")
    fig.tight_layout()
    fig.savefig(os.path.join(out, "e5_split_%s.png" % wl), dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    if len(sys.argv) < 5:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
