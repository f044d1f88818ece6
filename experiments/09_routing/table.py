#!/usr/bin/env python3
"""Experiment 9's table step (H3' in docs/HYPOTHESES.md): every router against `helm`, per cell.

usage: table.py OUT_DIR SWEEP_DIR...

Each SWEEP_DIR is one sweep's raw folder as run.sh or real_cell.sh leave it: SWEEP_DIR/runs/
holds runs.csv (slurm/collect.sh: one `helm-bench report --format csv` row per results file),
skew.csv (skew.py) and capacity.tsv ("dataset|workload<TAB>qps", sweep.sh's cache). The node count
is the folder name's "Nn-" prefix; a folder without one is the real-run cell (its rows' `mode`
is `run`). Writes into OUT_DIR:
  cells.{csv,md}       per (nodes, profile, regime, load, router): mean and 95% CI over seeds of
                       the P99 over all requests (drops counted), SLO %, goodput; mean KV and
                       EMB hit %, drops and per-node skew; the paired helm - router P99
                       difference and its verdict
  verdicts.{csv,md}    per cell: capacity, offered qps, helm's P99, the lowest other router's,
                       and H3' there: "fails" if any router is significantly below helm,
                       "undecided" if no comparison is defined (an inf on either side), else
                       "holds"; with the routers helm beats significantly and those it loses to
  capacities.csv       the measured capacities
Intervals come only from slurm/lib/stats.py (mean_ci, paired). Per-router verdict, as H3:
"holds" if the paired difference's upper bound is <= 0, "fails" if its lower bound is > 0, else
"undecided" (also when either side is inf: more than 1% lost, no P99 exists).
"""
import csv
import math
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "slurm", "lib"))
import stats  # noqa: E402

ROUTERS = ["rr", "least-loaded", "p2c", "kv-affinity", "cache-aware", "dynamo", "llm-d", "load-aware", "helm"]
WORKLOADS = ["steady", "trend", "burst"]
CELL_HEADER = ["nodes", "dataset", "workload", "load", "router", "seeds", "p99_all_ms", "p99_ci95", "slo_pct",
               "slo_ci95", "goodput_rps", "goodput_ci95", "kv_hit_pct", "emb_hit_pct", "dropped", "req_skew",
               "work_skew", "helm_minus_router_ms", "diff_ci95", "verdict"]
VERDICT_HEADER = ["nodes", "dataset", "workload", "load", "capacity_qps", "offered_qps", "helm_p99_ms",
                  "helm_p99_ci95", "best_other", "best_other_p99_ms", "helm_slo_pct", "best_other_slo_pct",
                  "verdict", "helm_beats", "helm_loses_to"]


def fail(msg):
    print("table.py: " + msg, file=sys.stderr)
    sys.exit(2)


def num(x, digits=2):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if math.isinf(x):
        return "inf"
    t = "%.*f" % (digits, x)
    return t[1:] if t.startswith("-") and float(t) == 0 else t


def half(iv, digits=2):
    return "-" if iv.half is None else num(iv.half, digits)


def value(path, row, key):
    try:
        return float(row[key])
    except (KeyError, TypeError, ValueError):
        fail("%s: row %s: field '%s' is missing or not a number (%r)" % (path, row.get("file", "?"), key, row.get(key)))


def read_sweep(d):
    runs = os.path.join(d, "runs")
    m = re.match(r"(\d+)n-", os.path.basename(os.path.normpath(d)))
    nodes = m.group(1) if m else "run 1+3"
    paths = {k: os.path.join(runs, k) for k in ("runs.csv", "skew.csv", "capacity.tsv")}
    for p in paths.values():
        if not os.path.exists(p):
            fail("%s: missing (run run.sh or real_cell.sh first)" % p)
    with open(paths["skew.csv"]) as f:
        skew = {r["file"]: r for r in csv.DictReader(f)}
    caps = {}
    with open(paths["capacity.tsv"]) as f:
        for line in f:
            if line.strip():
                key, _, q = line.rstrip("\n").partition("\t")
                caps[tuple(key.split("|"))] = q
    rows = []
    with open(paths["runs.csv"]) as f:
        for r in csv.DictReader(f):
            if r.get("router") not in ROUTERS:
                fail("%s: row %s: unknown router %r" % (paths["runs.csv"], r.get("file"), r.get("router")))
            s = skew.get(r["file"])
            if s is None:
                fail("%s: no row for %s" % (paths["skew.csv"], r["file"]))
            rec = {"nodes": nodes, "dataset": r["dataset"], "workload": r["workload"], "load": r.get("load", ""),
                   "router": r["router"], "seed": r.get("seed") or r.get("run_seed")}
            for k in ("p99_all_ms", "slo_pct", "goodput_rps", "kv_hit_pct", "emb_hit_pct", "dropped"):
                rec[k] = value(paths["runs.csv"], r, k)
            for k in ("req_skew", "work_skew"):
                rec[k] = value(paths["skew.csv"], s, k)
            rows.append(rec)
    return nodes, rows, caps


def verdict(diff):
    if diff.half is None:
        return "undecided"
    return "holds" if diff.hi <= 0 else "fails" if diff.lo > 0 else "undecided"


def order(key):
    nodes, ds, wl, load = key
    return (nodes.isdigit() and int(nodes) or 10 ** 6, ds, WORKLOADS.index(wl) if wl in WORKLOADS else 9, load)


def analyse(all_rows, caps):
    cells = {}
    for r in all_rows:
        cells.setdefault((r["nodes"], r["dataset"], r["workload"], r["load"]), {}).setdefault(r["router"], []).append(r)
    cell_rows, verdict_rows = [], []
    for key in sorted(cells, key=order):
        by_router = cells[key]
        if "helm" not in by_router:
            fail("cell %s has no helm runs" % (key,))
        helm = {r["seed"]: r["p99_all_ms"] for r in by_router["helm"]}
        ivs, beats, loses, defined = {}, [], [], False
        for router in [x for x in ROUTERS if x in by_router]:
            rs = by_router[router]
            p99 = stats.mean_ci([r["p99_all_ms"] for r in rs])
            ivs[router] = (p99, stats.mean_ci([r["slo_pct"] for r in rs]))
            mean = lambda k: sum(r[k] for r in rs) / len(rs)  # noqa: E731
            if router == "helm":
                diff, v = None, ""
            else:
                other = {r["seed"]: r["p99_all_ms"] for r in rs}
                diff = stats.paired(other, helm)[0]  # helm - router, per seed
                v = verdict(diff)
                defined = defined or diff.half is not None
                (beats if v == "holds" else loses if v == "fails" else []).append(router)
            cell_rows.append(list(key) + [router, str(len(rs)), num(p99.mean), half(p99), num(ivs[router][1].mean),
                                          half(ivs[router][1]), num(stats.mean_ci([r["goodput_rps"] for r in rs]).mean, 0),
                                          half(stats.mean_ci([r["goodput_rps"] for r in rs]), 0), num(mean("kv_hit_pct")),
                                          num(mean("emb_hit_pct")), num(mean("dropped"), 0), num(mean("req_skew"), 3),
                                          num(mean("work_skew"), 3), "" if diff is None else num(diff.mean),
                                          "" if diff is None else half(diff), v])
        others = [x for x in ivs if x != "helm"]
        best = min(others, key=lambda x: (ivs[x][0].mean, -ivs[x][1].mean)) if others else None
        cv = "fails" if loses else "holds" if defined else "undecided"
        nodes, ds, wl, load = key
        cap = caps.get((nodes, ds, wl), "")
        offered = "%.0f" % (float(load[:-1]) * float(cap)) if cap and load.endswith("x") else load
        hp, hs = ivs["helm"]
        verdict_rows.append([nodes, ds, wl, load, cap, offered, num(hp.mean), half(hp), best or "-",
                             num(ivs[best][0].mean) if best else "-", num(hs.mean),
                             num(ivs[best][1].mean) if best else "-", cv, " ".join(beats) or "-",
                             " ".join(loses) or "-"])
    return cell_rows, verdict_rows


def write(out, name, header, rows):
    with open(os.path.join(out, name + ".csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    with open(os.path.join(out, name + ".md"), "w") as f:
        f.write("| " + " | ".join(header) + " |\n|" + "---|" * len(header) + "\n")
        for r in rows:
            f.write("| " + " | ".join(r) + " |\n")


def main(argv):
    if len(argv) < 3:
        fail("usage: table.py OUT_DIR SWEEP_DIR...")
    out = argv[1]
    os.makedirs(out, exist_ok=True)
    rows, caps, cap_rows = [], {}, []
    for d in argv[2:]:
        nodes, rs, c = read_sweep(d)
        rows += rs
        for (ds, wl), q in sorted(c.items()):
            caps[(nodes, ds, wl)] = q
            cap_rows.append([nodes, ds, wl, q])
    if not rows:
        fail("no runs in %s" % " ".join(argv[2:]))
    cell_rows, verdict_rows = analyse(rows, caps)
    write(out, "cells", CELL_HEADER, cell_rows)
    write(out, "verdicts", VERDICT_HEADER, verdict_rows)
    with open(os.path.join(out, "capacities.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["nodes", "dataset", "workload", "capacity_qps"])
        w.writerows(cap_rows)
    counts = {}
    for r in verdict_rows:
        counts[r[12]] = counts.get(r[12], 0) + 1
    print("table.py: %d cells: %s -> %s" % (len(verdict_rows), ", ".join("%s %d" % kv for kv in sorted(counts.items())), out))


if __name__ == "__main__":
    main(sys.argv)
