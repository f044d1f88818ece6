"""Experiment 7's table step: the capacity logs (last line `capacity: Q qps`) -> e7_capacity.{md,tex,
csv}: per cell and policy the capacity under the SLO with its 95% CI over seeds, and the paired
change vs the best static split (positive: more capacity).
Usage: table.py JOBS_TSV TABLES_DIR"""

import os
import re
import sys

import tables as T


def main(jobs, out):
    cells = {}
    with open(jobs) as f:
        for line in f:
            log, cmd = line.rstrip("\n").split("\t", 1)
            ds = re.search(r"--dataset (\S+)", cmd).group(1)
            wl = re.search(r"--workload (\S+)", cmd).group(1)
            seed = int(re.search(r"--seed (\d+)", cmd).group(1))
            pol = re.search(r"--memory-policy (\S+)", cmd).group(1)
            # The logs lie beside the jobs file; the path it names is the machine's that ran it.
            log = os.path.join(os.path.dirname(os.path.abspath(jobs)), os.path.basename(log))
            with open(log) as g:
                last = [l for l in g.read().splitlines() if l.strip()][-1]
            m = re.match(r"capacity: ([0-9.eE+-]+) qps", last)
            if not m:
                raise SystemExit("e7: %s: no 'capacity: Q qps' last line" % log)
            cells.setdefault((ds, wl), {}).setdefault(pol, {})[seed] = float(m.group(1))
    md, rows = [], []
    for (ds, wl), pols in cells.items():
        base_pol = next(p for p in pols if p.startswith("static:"))
        for pol, by_seed in pols.items():
            iv = T.mean_ci(list(by_seed.values()))
            if pol == base_pol:
                ch = None
            else:
                _, red = T.paired(pols[base_pol], by_seed)
                ch = T.Interval(-red.mean, red.half, red.n)  # capacity: higher is better
            md.append([ds, wl, T.label(pol) + (" (best static)" if pol == base_pol else ""), T.fmt(iv, 0),
                       "baseline" if ch is None else T.fmt(ch, 1)])
            rows.append([ds, wl, T.label(pol), int(pol == base_pol), iv.mean, iv.half, iv.n,
                         "" if ch is None else ch.mean, "" if ch is None else ch.half])
    print(T.write_table(os.path.join(out, "e7_capacity"),
                        ["dataset", "regime", "memory policy", "capacity at 99% SLO, qps (95% CI, n)",
                         "change vs best static % (paired)"], md,
                        "Experiment 7: capacity under the SLO (`capacity --target 0.99`, within 5%)",
                        csv_rows=rows,
                        csv_header=["dataset", "workload", "memory_policy", "is_best_static", "capacity_qps",
                                    "capacity_ci95", "n", "change_pct", "change_ci95"]))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
