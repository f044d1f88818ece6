#!/usr/bin/env python3
"""The H-HELM tables of docs/HELM_POLICY.md ("Hypothesis study") from scripts/eval_helm_study.sh's
rows (docs/data/helm-study-runs.csv): per cell (profile, regime, load) the best static split (the
grid split with the lowest mean P99 over the seeds, ties to the higher SLO attainment, chosen
once per cell: experiments/README.md), `mrc` and HELM's three ablation forms, each with its ratio
gap to the oracle, P99 over all requests, SLO attainment and goodput, the paired comparisons and
a verdict per hypothesis (rules in the docs). Every interval comes from slurm/lib/stats.py.
Writes the table CSV (--csv, default docs/data/helm-study-table.csv) and prints the markdown.
usage: eval_helm_study_table.py [RUNS_CSV] [--csv OUT]"""
import csv
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "slurm", "lib"))
import stats  # noqa: E402

GAP_MAX = 0.03     # H-gap: the paper's 0.024-0.029, rounded up
SLO_MIN = 93.5     # H-slo: the paper's lowest attainment
HELM = ["helm", "helm-base+adapter", "helm-base"]


def load(path):
    rows = list(csv.DictReader(open(path, newline="")))
    if not rows:
        raise SystemExit("%s: no rows" % path)
    for r in rows:
        for k in ("p99_all_ms", "slo_pct", "goodput_rps"):
            r[k] = float(r[k])
        r["ratio_gap"] = float(r["ratio_gap"]) if r["ratio_gap"] else None
    return rows


def by_seed(rows, key):
    return {r["seed"]: r[key] for r in rows}


def best_static(cell):
    statics = sorted({r["policy"] for r in cell if r["policy"].startswith("static:")})
    if not statics:
        raise SystemExit("cell %s: no static split" % (cell[0]["profile"],))

    def score(p):
        mine = [r for r in cell if r["policy"] == p]
        return (stats.mean_ci([r["p99_all_ms"] for r in mine]).mean, -stats.mean_ci([r["slo_pct"] for r in mine]).mean)
    return min(statics, key=score)


def verdict_lower(red):
    """'yes' if the paired reduction's CI is above 0, 'no' below 0, 'n.s.' otherwise, '-' if undefined."""
    if red.half is None or math.isnan(red.mean):
        return "-"
    return "yes" if red.lo > 0 else "no" if red.hi < 0 else "n.s."


def verdict_gap(gap):
    if gap is None or gap.half is None:
        return "-"
    return "yes" if gap.hi <= GAP_MAX else "no" if gap.lo > GAP_MAX else "unresolved"


def cell_rows(cell):
    best = best_static(cell)
    pol = {p: [r for r in cell if r["policy"] == p] for p in dict.fromkeys(r["policy"] for r in cell)}
    out = []
    for p in [h for h in HELM if h in pol] + [p for p in ("mrc",) if p in pol] + [best]:
        mine = pol[p]
        gaps = [r["ratio_gap"] for r in mine if r["ratio_gap"] is not None]
        o = {"policy": p, "is_best_static": p == best,
             "gap": stats.mean_ci(gaps) if gaps else None,
             "p99": stats.mean_ci([r["p99_all_ms"] for r in mine]),
             "slo": stats.mean_ci([r["slo_pct"] for r in mine]),
             "goodput": stats.mean_ci([r["goodput_rps"] for r in mine]),
             "share": stats.mean_ci([float(r["mean_emb_share"]) for r in mine]).mean}
        if p != best:
            o["red_static"] = stats.paired(by_seed(pol[best], "p99_all_ms"), by_seed(mine, "p99_all_ms"))[1]
            o["slo_diff"] = stats.paired(by_seed(pol[best], "slo_pct"), by_seed(mine, "slo_pct"))[0]
            red = stats.paired(by_seed(pol[best], "goodput_rps"), by_seed(mine, "goodput_rps"))[1]
            o["thr_diff"] = stats.Interval(0.0 - red.mean, red.half, red.n)  # change in %: negative = lower
        if p in HELM and "mrc" in pol:
            o["red_mrc"] = stats.paired(by_seed(pol["mrc"], "p99_all_ms"), by_seed(mine, "p99_all_ms"))[1]
        out.append(o)
    return best, out


def verdicts(o):
    """The verdicts of one HELM row (see the docs' rules)."""
    v = {"H-gap": verdict_gap(o["gap"]), "H-p99-static": verdict_lower(o["red_static"]),
         "H-p99-mrc": verdict_lower(o["red_mrc"]) if "red_mrc" in o else "-"}
    d = o["slo_diff"]
    below = d.half is not None and not math.isnan(d.mean) and d.hi < 0
    v["H-slo"] = "yes" if o["slo"].mean >= SLO_MIN and not below else "no"
    t = o["thr_diff"]
    v["H-thr"] = "-" if t.half is None or math.isnan(t.mean) else "no" if t.hi < 0 else "yes"
    return v


def main(argv):
    out_csv = "docs/data/helm-study-table.csv"
    if "--csv" in argv:
        i = argv.index("--csv")
        out_csv = argv[i + 1]
        argv = argv[:i] + argv[i + 2:]
    rows = load(argv[0] if argv else "docs/data/helm-study-runs.csv")
    cells = {}
    for r in rows:
        cells.setdefault((r["profile"], r["regime"], r["load_frac"]), []).append(r)
    md = ["| profile | regime | load | policy | EMB share | ratio gap | P99 all (ms) | P99 reduction vs best static (%) | vs mrc (%) | SLO % | goodput change vs best static (%) |",
          "|---|---|---|---|--:|--:|--:|--:|--:|--:|--:|"]
    vmd = ["| profile | regime | load | qps | best static | H-gap | H-p99-static | H-p99-mrc | H-slo | H-thr | adapter (base+adapter vs base) | burst layer (all vs base+adapter) |",
           "|---|---|---|--:|---|---|---|---|---|---|---|---|"]
    header = ["profile", "regime", "load_frac", "policy", "is_best_static", "mean_emb_share", "gap", "gap_ci95",
              "p99_all_ms", "p99_ci95", "p99_reduction_vs_best_static_pct", "p99_reduction_vs_best_static_ci95",
              "p99_reduction_vs_mrc_pct", "p99_reduction_vs_mrc_ci95", "slo_pct", "slo_ci95",
              "goodput_rps", "goodput_ci95", "goodput_change_vs_best_static_pct", "goodput_change_vs_best_static_ci95", "n"]
    tab = [header]
    tally = {}
    for key, cell in cells.items():
        best, out = cell_rows(cell)
        for o in out:
            name = o["policy"] + (" (best static)" if o["is_best_static"] else "")
            f = lambda k, d=1: stats.fmt(o[k], d) if k in o and o[k] is not None else ""  # noqa: E731
            md.append("| %s | %s | %s | `%s` | %.3f | %s | %s | %s | %s | %s | %s |" % (
                key[0], key[1], key[2], name, o["share"], f("gap", 3), f("p99", 2), f("red_static"), f("red_mrc"),
                f("slo"), f("thr_diff")))

            def num(k):
                iv = o.get(k)
                if iv is None:
                    return ["", ""]
                return ["%.6g" % iv.mean, "" if iv.half is None else "%.6g" % iv.half]
            tab.append(list(key) + [o["policy"], int(o["is_best_static"]), "%.4f" % o["share"]] + num("gap") + num("p99")
                       + num("red_static") + num("red_mrc") + num("slo") + num("goodput") + num("thr_diff") + [o["p99"].n])
        helm = {o["policy"]: o for o in out}
        if "helm" not in helm:
            continue
        v = verdicts(helm["helm"])
        v["adapter"] = verdict_lower(stats.paired(by_seed([r for r in cell if r["policy"] == "helm-base"], "p99_all_ms"),
                                                  by_seed([r for r in cell if r["policy"] == "helm-base+adapter"], "p99_all_ms"))[1]) \
            if "helm-base" in helm and "helm-base+adapter" in helm else "-"
        v["burst"] = verdict_lower(stats.paired(by_seed([r for r in cell if r["policy"] == "helm-base+adapter"], "p99_all_ms"),
                                                by_seed([r for r in cell if r["policy"] == "helm"], "p99_all_ms"))[1]) \
            if "helm-base+adapter" in helm else "-"
        for h, x in v.items():
            tally.setdefault(h, {}).setdefault(x, 0)
            tally[h][x] += 1
        vmd.append("| %s | %s | %s | %s | `%s` | %s |" % (key[0], key[1], key[2], cell[0]["qps"], best, " | ".join(
            v[h] for h in ("H-gap", "H-p99-static", "H-p99-mrc", "H-slo", "H-thr", "adapter", "burst"))))
    with open(out_csv, "w", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(tab)
    print("\n".join(md))
    print()
    print("\n".join(vmd))
    print()
    print("| hypothesis | cells per verdict |")
    print("|---|---|")
    for h, c in tally.items():
        print("| %s | %s |" % (h, ", ".join("%s %d" % (k, c[k]) for k in sorted(c))))


if __name__ == "__main__":
    main(sys.argv[1:])
