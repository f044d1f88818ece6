"""Experiment 8's table step: per offered load, the best static split at that load (chosen from the
grid by its mean P99 over seeds), mrc, helm and the oracle: P99 (all requests) and its paired
reduction vs that best static, goodput, and achieved vs offered throughput. Writes e8_load.{md,tex,
csv} and e8_load_WORKLOAD.png (P99 and goodput against offered load).
Usage: table.py LOAD_RUNS_CSV REPLAY_RUNS_CSV CAPACITY_QPS TABLES_DIR"""

import math
import os
import sys

import tables as T


def offered(load, capacity):
    return float(load[:-1]) * capacity if load.endswith("x") else float(load)


def main(load_csv, replay_csv, capacity, out):
    capacity = float(capacity)
    rows = T.load_runs(load_csv)
    replay = T.load_runs(replay_csv) if os.path.exists(replay_csv) else []
    md, csv_rows, series = [], [], {}
    for (ds, wl, load), cell in T.group(rows, "dataset", "workload", "load").items():
        bpol, _ = T.best_static(cell)
        base = [r for r in cell if r["memory_policy"] == bpol]
        q = offered(load, capacity)
        entries = [("best static (%s)" % bpol, base)]
        for (pol,), rs in T.group(cell, "memory_policy").items():
            if T.split_of(pol) is None:
                entries.append((T.label(pol), rs))
        orc = [r for r in replay if (r["dataset"], r["workload"], r["load"]) == (ds, wl, load)]
        if orc:
            entries.append(("oracle", orc))
        for name, rs in entries:
            p99 = T.mean_ci([r["p99_all_ms"] for r in rs])
            gp = T.mean_ci([r["goodput_rps"] for r in rs])
            th = T.mean_ci([r["throughput_rps"] for r in rs])
            red = None if rs is base else T.paired(T.by_seed(base, "p99_all_ms"), T.by_seed(rs, "p99_all_ms"))[1]
            md.append([ds, wl, load, "%.0f" % q, name, T.fmt(p99), "baseline" if red is None else T.fmt(red, 1),
                       T.fmt(gp, 0), "%.3f" % (th.mean / q)])
            csv_rows.append([ds, wl, load, q, name, p99.mean, p99.half, p99.n, "" if red is None else red.mean,
                             "" if red is None else red.half, gp.mean, gp.half, th.mean, th.mean / q])
            key = "best static" if rs is base else name
            series.setdefault((ds, wl), {}).setdefault(key, []).append((q, p99, gp))
    print(T.write_table(os.path.join(out, "e8_load"),
                        ["dataset", "regime", "load", "offered qps", "policy", "P99 all ms (95% CI, n)",
                         "P99 reduction vs best static % (paired)", "goodput req/s (95% CI, n)", "achieved / offered"],
                        md, "Experiment 8: against offered load (capacity stated: %.0f qps)" % capacity,
                        csv_rows=csv_rows,
                        csv_header=["dataset", "workload", "load", "offered_qps", "policy", "p99_all_ms", "p99_ci95", "n",
                                    "reduction_pct", "reduction_ci95", "goodput_rps", "goodput_ci95",
                                    "throughput_rps", "achieved_over_offered"]))
    plot(series, out)


def plot(series, out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    for (ds, wl), pols in series.items():
        fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4))
        finite = [iv.mean for pts in pols.values() for _, iv, _ in pts if not math.isinf(iv.mean)]
        top = max(finite) * 1.3 if finite else 1
        for name, pts in pols.items():
            pts.sort(key=lambda t: t[0])
            xs = [q for q, iv, _ in pts if not math.isinf(iv.mean)]
            line = a.errorbar(xs, [iv.mean for _, iv, _ in pts if not math.isinf(iv.mean)],
                              yerr=[iv.half or 0 for _, iv, _ in pts if not math.isinf(iv.mean)],
                              marker="o", capsize=3, label=name)
            lost = [q for q, iv, _ in pts if math.isinf(iv.mean)]
            if lost:
                a.scatter(lost, [top] * len(lost), marker="^", color=line[0].get_color())
            b.errorbar([q for q, _, _ in pts], [g.mean for _, _, g in pts], yerr=[g.half or 0 for _, _, g in pts],
                       marker="o", capsize=3, label=name)
        a.set_ylim(0, top * 1.1)
        a.set_xlabel("offered load (qps)")
        a.set_ylabel("P99 over all requests (ms); ^ = inf")
        a.set_title("%s %s: P99 against offered load" % (ds, wl))
        a.legend(fontsize=7)
        lim = max(q for pts in pols.values() for q, _, _ in pts)
        b.plot([0, lim], [0, lim], color="grey", ls=":", lw=0.8, label="goodput = offered")
        b.set_xlabel("offered load (qps)")
        b.set_ylabel("goodput (completions within the SLO per s)")
        b.set_title("goodput against offered load")
        b.legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(os.path.join(out, "e8_load_%s.png" % wl), dpi=110)
        plt.close(fig)


if __name__ == "__main__":
    if len(sys.argv) != 5:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
