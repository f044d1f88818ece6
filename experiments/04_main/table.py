"""Experiment 4's table step. Each cell is (dataset, regime, router); its baseline is the best static
split of experiment 1 run with that router on the same seeds. Every policy's P99 (all requests,
drops counted) and SLO attainment with 95% CIs, and its paired P99 reduction vs that baseline,
100 x (static - policy) / static per seed, with its 95% CI.
Writes e4_main.{md,tex,csv} (memory policies), e4_routers.{md,tex,csv} (routers x {best static,
helm}), e4_cdf_WORKLOAD.png (latency CDF per policy, seed 1) and e4_slo_bars.png.
Usage: table.py TABLES_DIR ORACLE_RUNS_CSV BASE_ROUTER RUNS_CSV..."""

import math
import os
import sys

import tables as T


def best_static_of(tables_dir):
    best = {}
    with open(os.path.join(tables_dir, "e1_best_static.tsv")) as f:
        for line in f:
            ds, wl, pol = line.rstrip("\n").split("\t")
            best[(ds, wl)] = pol
    return best


def cell_rows(rows, best, oracle_rows):
    """[(ds, wl, router, policy, [rows], [base rows])]: policies of one cell, the baseline first."""
    out = []
    for (ds, wl, router), cell in T.group(rows, "dataset", "workload", "router").items():
        bpol = best[(ds, wl)]
        base = [r for r in cell if r["memory_policy"] == bpol]
        if not base:
            continue
        pols = T.group(cell, "memory_policy")
        order = [bpol] + [p for (p,) in pols if p != bpol]
        for p in order:
            out.append((ds, wl, router, p, pols[(p,)], base))
        orc = [r for r in oracle_rows if (r["dataset"], r["workload"], r["router"]) == (ds, wl, router)]
        if orc:
            out.append((ds, wl, router, "oracle", orc, base))
    return out


def rows_for(entries, best):
    md, csv_rows = [], []
    for ds, wl, router, pol, rs, base in entries:
        p99 = T.mean_ci([r["p99_all_ms"] for r in rs])
        slo = T.mean_ci([r["slo_pct"] for r in rs])
        gp = T.mean_ci([r["goodput_rps"] for r in rs])
        is_base = pol == best[(ds, wl)]
        if is_base:
            red = None
        else:
            _, red = T.paired(T.by_seed(base, "p99_all_ms"), T.by_seed(rs, "p99_all_ms"))
        name = T.label(pol) + (" (best static)" if is_base else "")
        md.append([ds, wl, router, name, T.fmt(p99), T.fmt(slo), T.num(gp.mean, 0),
                   "baseline" if red is None else T.fmt(red, 1)])
        csv_rows.append([ds, wl, router, T.label(pol), int(is_base), p99.mean, p99.half, p99.n, slo.mean, slo.half,
                         gp.mean, "" if red is None else red.mean, "" if red is None else red.half])
    return md, csv_rows


HEADER = ["dataset", "regime", "router", "memory policy", "P99 all ms (95% CI, n)", "SLO % (95% CI, n)",
          "goodput req/s", "P99 reduction vs best static % (paired)"]
CSV_HEADER = ["dataset", "workload", "router", "memory_policy", "is_best_static", "p99_all_ms", "p99_ci95", "n",
              "slo_pct", "slo_ci95", "goodput_rps", "reduction_pct", "reduction_ci95"]


def main(tables_dir, oracle_csv, base_router, *runs_csvs):
    best = best_static_of(tables_dir)
    oracle_rows = T.load_runs(oracle_csv) if os.path.exists(oracle_csv) else []
    pol_rows, rt_rows, files = [], [], {}
    for path in runs_csvs:
        rs = T.load_runs(path)
        for r in rs:
            files[id(r)] = T.results_file(path, r)
        (rt_rows if "/routers-" in path else pol_rows).extend(rs)
    md, c = rows_for(cell_rows(pol_rows, best, oracle_rows), best)
    print(T.write_table(os.path.join(tables_dir, "e4_main"), HEADER, md,
                        "Experiment 4: memory policies (paper: P99 24-38% below best static, SLO 93.5-99.6%)",
                        csv_rows=c, csv_header=CSV_HEADER))
    # Routers: the policies sweep holds the best baseline router and helm; the routers sweep the rest.
    both = [r for r in pol_rows if r["memory_policy"] == best[(r["dataset"], r["workload"])] or
            T.label(r["memory_policy"]) == "helm"]
    rt = [r for r in rt_rows + both if (r["dataset"], r["workload"]) in {(x["dataset"], x["workload"]) for x in rt_rows}]
    if rt:
        md, c = rows_for(cell_rows(rt, best, []), best)
        # H3' (each router against the best baseline router, same memory policy, same seeds).
        for m, row in zip(md, c):
            ds, wl, router, pol = row[0], row[1], row[2], row[3]
            mine = [r for r in rt if (r["dataset"], r["workload"], r["router"]) == (ds, wl, router)
                    and T.label(r["memory_policy"]) == pol]
            ref = [r for r in rt if (r["dataset"], r["workload"], r["router"]) == (ds, wl, base_router)
                   and T.label(r["memory_policy"]) == pol]
            red = T.paired(T.by_seed(ref, "p99_all_ms"), T.by_seed(mine, "p99_all_ms"))[1] if ref and router != base_router else None
            m.append("baseline" if red is None else T.fmt(red, 1))
            row += ["" if red is None else red.mean, "" if red is None else red.half]
        print(T.write_table(os.path.join(tables_dir, "e4_routers"), HEADER + ["P99 reduction vs %s, same policy %% (paired)" % base_router],
                            md, "Experiment 4: every router x {best static, helm}", csv_rows=c,
                            csv_header=CSV_HEADER + ["vs_base_router_pct", "vs_base_router_ci95"]))
    plot_cdf(pol_rows, files, best, tables_dir)
    cells = {(r["dataset"], r["workload"]) for r in pol_rows}
    plot_slo(pol_rows + [r for r in oracle_rows if (r["dataset"], r["workload"]) in cells], best, tables_dir)


def plot_cdf(rows, files, best, out):
    import h5py
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    for (ds, wl, router), cell in T.group(rows, "dataset", "workload", "router").items():
        if router == "helm":
            continue
        seed = min(r["seed"] for r in cell)
        fig, ax = plt.subplots(figsize=(6.5, 4))
        for r in sorted((r for r in cell if r["seed"] == seed), key=lambda r: r["memory_policy"]):
            with h5py.File(files[id(r)], "r") as f:
                req = f["requests"][...]
                warm = f.attrs.get("warmup_ns", 0)
            lat = req["latency"][(req["arrival"] >= warm)].astype(float) / 1e6
            done = req["status"][(req["arrival"] >= warm)] == 0
            x = np.sort(np.where(done, lat, np.inf))
            y = np.arange(1, len(x) + 1) / len(x)
            ok = np.isfinite(x)
            lbl = T.label(r["memory_policy"]) + (" (best static)" if r["memory_policy"] == best[(ds, wl)] else "")
            ax.plot(x[ok], y[ok], label=lbl, lw=1.2)
        ax.set_xscale("log")
        ax.set_ylim(0.9, 1.0005)
        ax.set_xlabel("latency (ms, log); dropped requests never reach 1")
        ax.set_ylabel("share of requests (top 10%)")
        ax.set_title("%s %s, router %s, seed %d: latency CDF" % (ds, wl, router, seed))
        ax.legend(fontsize=7, loc="lower right")
        fig.tight_layout()
        fig.savefig(os.path.join(out, "e4_cdf_%s.png" % wl), dpi=110)
        plt.close(fig)


def plot_slo(rows, best, out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    cells = [k for k in T.group(rows, "workload", "router") if k[1] != "helm"]
    fig, axes = plt.subplots(1, len(cells), figsize=(5.5 * len(cells), 4.5), squeeze=False)
    for ax, (wl, router) in zip(axes[0], cells):
        cell = [r for r in rows if (r["workload"], r["router"]) == (wl, router)]
        names, ms, es = [], [], []
        groups = {}
        for r in cell:
            groups.setdefault(T.label(r["memory_policy"]), []).append(r)
        for name, rs in groups.items():
            iv = T.mean_ci([r["slo_pct"] for r in rs])
            ds = rs[0]["dataset"]
            names.append(name + ("*" if rs[0]["memory_policy"] == best.get((ds, wl)) else ""))
            ms.append(iv.mean)
            es.append(iv.half or 0)
        ax.bar(range(len(ms)), ms, yerr=es, capsize=3, color="tab:blue")
        ax.set_xticks(range(len(ms)))
        ax.set_xticklabels(names, rotation=60, ha="right", fontsize=7)
        ax.set_ylim(max(0, min(ms) - 5), 100.5)
        ax.set_ylabel("SLO attainment % (drops are misses)")
        ax.set_title("%s, router %s (* best static)" % (wl, router))
    fig.tight_layout()
    fig.savefig(os.path.join(out, "e4_slo_bars.png"), dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    if len(sys.argv) < 5:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
