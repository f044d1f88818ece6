#!/usr/bin/env python3
"""slurm/collect.sh's summary: one row per cell (mode, dataset, workload, router, load) and memory
policy, from `helm-bench report --format csv` rows (runs.csv).

Per row: seeds; mean and 95% CI over seeds of the P99 over all requests (drops counted: `inf`
when more than 1% of a file's requests are lost, and then the mean is inf) and of SLO %; mean P50
and throughput; and vs_best_static_pct with its CI: the paired reduction of P99 against the best
static split of the same cell (static:*, emb-only, kv-only; the one with the lowest mean P99 that
is finite), 100 x (best - policy) / best per seed, over the seeds both ran (positive = better).
Intervals come from stats.py (Student t over seeds), the one place they are computed. A seed is a
file's `run_seed` column (its root attribute `seed`): the same seed is the same trace, so the
comparison is paired.

usage: summary.py RUNS_CSV OUT_DIR    (writes summary.{md,csv,tex})"""
import csv
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stats  # noqa: E402

CELL = ("mode", "dataset", "workload", "router", "load")
HEADER = ["mode", "dataset", "workload", "router", "load", "memory_policy", "seeds", "p99_all_ms", "p99_ci95",
          "slo_pct", "slo_ci95", "p50_ms", "throughput_rps", "vs_best_static_pct", "vs_best_static_ci95",
          "all_valid"]


def is_static(policy):
    return policy.startswith("static:") or policy in ("emb-only", "kv-only")


def short(s):
    """'movielens:/long/path/ratings.csv' -> 'movielens:ratings.csv' for tables people read."""
    head, sep, tail = s.partition(":")
    return head + sep + tail.rsplit("/", 1)[-1] if sep and "/" in tail else s


def tex(s):
    s = s.replace("\\", "\\textbackslash{}")
    for c in "&%$#_{}":
        s = s.replace(c, "\\" + c)
    return s


def num(x, digits):
    if x is None:
        return "-"
    if math.isinf(x):
        return "inf"
    text = "%.*f" % (digits, x)
    return text[1:] if text.startswith("-") and float(text) == 0 else text  # no "-0.0"


def half(iv, digits):
    return "-" if iv.half is None else num(iv.half, digits)


def summarise(rows):
    cells = {}  # cell -> policy -> list of rows, both in first-seen order
    for r in rows:
        cell = tuple(r.get(k, "-") or "-" for k in CELL)
        cells.setdefault(cell, {}).setdefault(r["memory_policy"], []).append(r)
    out = []
    for cell, pols in cells.items():
        p99 = {p: {int(r["run_seed"]): float(r["p99_all_ms"]) for r in rs} for p, rs in pols.items()}
        for p, rs in pols.items():
            if len(p99[p]) != len(rs):
                raise ValueError("summary.py: %s in cell %s has two files with the same run_seed" % (p, "/".join(cell)))
        means = {p: stats.mean_ci(list(v.values())) for p, v in p99.items()}
        finite = [p for p in pols if is_static(p) and not math.isinf(means[p].mean)]
        best = min(finite, key=lambda p: means[p].mean) if finite else None
        for p, rs in pols.items():
            slo = stats.mean_ci([float(r["slo_pct"]) for r in rs])
            red = None
            if best is not None and not math.isinf(means[p].mean) and means[best].mean > 0:
                red = stats.paired(p99[best], p99[p])[1]
            out.append({
                "cell": cell, "policy": p, "seeds": len(rs), "p99": means[p], "slo": slo,
                "p50": sum(float(r["p50_ms"]) for r in rs) / len(rs),
                "thr": sum(float(r["throughput_rps"]) for r in rs) / len(rs),
                "red": red, "valid": "yes" if all(r["valid"] == "yes" for r in rs) else "no"})
    return out


def write(rows, out_dir):
    with open(os.path.join(out_dir, "summary.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(HEADER)
        for r in rows:
            red = r["red"]
            w.writerow(list(r["cell"]) + [r["policy"], r["seeds"], num(r["p99"].mean, 3), half(r["p99"], 3),
                       num(r["slo"].mean, 2), half(r["slo"], 2), "%.3f" % r["p50"], "%.2f" % r["thr"],
                       "-" if red is None else num(red.mean, 1), "-" if red is None else half(red, 1), r["valid"]])
    md = ["| mode | dataset | workload | router | load | memory_policy | seeds | P99 all ms (±95% CI) | SLO % (±95% CI) "
          "| P50 ms | req/s | P99 vs best static (±95% CI, paired) | valid |",
          "|---|---|---|---|---|---|--:|--:|--:|--:|--:|--:|---|"]
    tx = ["\\begin{tabular}{llllllrrrrrrl}", "\\toprule",
          "mode & dataset & workload & router & load & policy & seeds & P99 ms & SLO \\% & P50 ms & req/s & "
          "vs best static \\% & valid \\\\", "\\midrule"]

    def pm(iv, digits, sep):
        return num(iv.mean, digits) + ("" if iv.half is None else sep + half(iv, digits))

    for r in rows:
        c = r["cell"]
        red_md = "-" if r["red"] is None else pm(r["red"], 1, " ± ") + "%"
        red_tx = "-" if r["red"] is None else pm(r["red"], 1, " $\\pm$ ")
        md.append("| %s | %s | %s | %s | %s | %s | %d | %s | %s | %.3f | %.2f | %s | %s |" % (
            c[0], short(c[1]), short(c[2]), c[3], c[4], r["policy"], r["seeds"], pm(r["p99"], 3, " ± "),
            pm(r["slo"], 2, " ± "), r["p50"], r["thr"], red_md, r["valid"]))
        tx.append(" & ".join([tex(c[0]), tex(short(c[1])), tex(short(c[2])), tex(c[3]), tex(c[4]), tex(r["policy"]),
                              str(r["seeds"]), pm(r["p99"], 3, " $\\pm$ "), pm(r["slo"], 2, " $\\pm$ "),
                              "%.3f" % r["p50"], "%.2f" % r["thr"], red_tx, r["valid"]]) + " \\\\")
    tx += ["\\bottomrule", "\\end{tabular}"]
    with open(os.path.join(out_dir, "summary.md"), "w") as f:
        f.write("\n".join(md) + "\n")
    with open(os.path.join(out_dir, "summary.tex"), "w") as f:
        f.write("\n".join(tx) + "\n")


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: summary.py RUNS_CSV OUT_DIR\n")
        return 2
    with open(argv[1], newline="") as f:
        rows = list(csv.DictReader(f))
    missing = [k for k in ("memory_policy", "run_seed", "p99_all_ms", "slo_pct", "p50_ms", "throughput_rps", "valid")
               if rows and k not in rows[0]]
    if missing:
        sys.stderr.write("summary.py: %s: missing column(s) %s\n" % (argv[1], ", ".join(missing)))
        return 2
    write(summarise(rows), argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
