"""Experiment 1's table step: runs.csv of the static grid -> e1_static_grid.csv (every split, each
with its 95% CI over seeds), e1_best_static.{md,tex,csv} (the best split per regime and how far it
moves), e1_best_static.tsv (what 02-08 read: dataset, workload, best policy) and the plot of P99
against the static split per regime (e1_p99_vs_split_DATASET.png).
Usage: table.py RUNS_CSV TABLES_DIR"""

import math
import os
import sys

import tables as T


def main(runs_csv, out):
    rows = T.load_runs(runs_csv)
    grid_rows, best_rows, best_csv, tsv = [], [], [], []
    per_dataset = {}
    worst_key = {}  # (ds, wl) -> [((P99, -SLO), split, P99 interval)]: the worst is the highest
    for (ds, wl), cell in T.group(rows, "dataset", "workload").items():
        for (pol,), rs in sorted(T.group(cell, "memory_policy").items(), key=lambda kv: T.split_of(kv[0][0])):
            p99 = T.mean_ci([r["p99_all_ms"] for r in rs])
            slo = T.mean_ci([r["slo_pct"] for r in rs])
            grid_rows.append([ds, wl, T.split_of(pol), T.num(p99.mean, 3), T.num(p99.half, 3), p99.n,
                              T.num(slo.mean), T.num(slo.half)])
            per_dataset.setdefault(ds, {}).setdefault(wl, []).append((T.split_of(pol), p99))
            worst_key.setdefault((ds, wl), []).append(((p99.mean, -slo.mean), T.split_of(pol), p99))
        pol, iv = T.best_static(cell)
        # Per seed: which split is best on that trace (how stable the choice is).
        seeds = sorted({r["seed"] for r in cell})
        per_seed = []
        for s in seeds:
            srows = [r for r in cell if r["seed"] == s]
            per_seed.append(T.split_of(min(srows, key=lambda r: (r["p99_all_ms"], -r["slo_pct"]))["memory_policy"]))
        _, wsplit, wiv = max(worst_key[(ds, wl)], key=lambda t: t[0])
        worst = (wsplit, wiv)
        best_rows.append([ds, wl, "%.2f" % T.split_of(pol), T.fmt(iv, 2),
                          " ".join("%.2f" % x for x in per_seed),
                          "%.2f" % worst[0], T.num(worst[1].mean, 2)])
        best_csv.append([ds, wl, T.split_of(pol), iv.mean, iv.half, iv.n, " ".join(map(str, per_seed)),
                         worst[0], worst[1].mean])
        tsv.append("%s\t%s\t%s" % (ds, wl, pol))
    moves = []
    for ds in per_dataset:
        bs = [float(r[2]) for r in best_csv if r[0] == ds]
        moves.append("%s: best split moves by %.2f across regimes (%.2f..%.2f)" % (ds, max(bs) - min(bs), min(bs), max(bs)))
    T.write_table(os.path.join(out, "e1_static_grid"),
                  ["dataset", "workload", "split", "p99_all_ms", "p99_ci95", "n", "slo_pct", "slo_ci95"],
                  grid_rows, "Experiment 1: the static grid")
    text = T.write_table(os.path.join(out, "e1_best_static"),
                         ["dataset", "workload", "best split", "P99 all ms (95% CI, n)", "best per seed",
                          "worst split", "worst P99 ms"],
                         best_rows, "Experiment 1: best static split per regime (paper: moves up to 0.35). " + "; ".join(moves),
                         csv_rows=best_csv,
                         csv_header=["dataset", "workload", "best_split", "p99_all_ms", "p99_ci95", "n",
                                     "best_split_per_seed", "worst_split", "worst_p99_ms"])
    with open(os.path.join(out, "e1_best_static.tsv"), "w") as f:
        f.write("\n".join(tsv) + "\n")
    print(text)
    plot(per_dataset, out)


def plot(per_dataset, out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    for ds, wls in per_dataset.items():
        fig, ax = plt.subplots(figsize=(6, 4))
        finite = [iv.mean for pts in wls.values() for _, iv in pts if not math.isinf(iv.mean)]
        top = max(finite) * 1.3 if finite else 1.0
        for k, (wl, pts) in enumerate(wls.items()):
            dx = 0.012 * (k - 1)  # regimes side by side, so equal points stay visible
            xs = [x + dx for x, iv in pts if not math.isinf(iv.mean)]
            ys = [iv.mean for x, iv in pts if not math.isinf(iv.mean)]
            es = [iv.half or 0 for x, iv in pts if not math.isinf(iv.mean)]
            line = ax.errorbar(xs, ys, yerr=es, marker="o", capsize=3, label=wl)
            lost = [x for x, iv in pts if math.isinf(iv.mean)]
            if lost:
                ax.scatter([x + dx for x in lost], [top * (1 - 0.03 * k)] * len(lost), marker="^",
                           color=line[0].get_color())
        ax.axhline(top, color="grey", lw=0.5, ls=":")
        ax.text(0.0, top, " inf: >1% of requests lost", va="bottom", fontsize=7, color="grey")
        ax.set_xlabel("static EMB share of the pool")
        ax.set_ylabel("P99 over all requests (ms), 95% CI over seeds")
        ax.set_title("%s: P99 against the static split" % ds)
        ax.set_ylim(0, top * 1.1)
        ax.legend()
        fig.tight_layout()
        fig.savefig(os.path.join(out, "e1_p99_vs_split_%s.png" % ds), dpi=110)
        plt.close(fig)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2])
