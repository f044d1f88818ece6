#!/usr/bin/python3
"""The memory hypotheses H1 and H2 in `sim` (docs/HYPOTHESES.md): runs the simulations, prints the tables.

    scripts/hypotheses_h1h2.py BUILD/bin/helm-bench OUTDIR [--seeds 1 2 3] [--jobs 2]

H1: mrc with --repartition naive vs budgeted; P99 of the first 5 control windows after the
    regime change (and of the whole second phase). H2: mrc (budgeted) vs the better static split
    of a grid, per phase. Mean and 95% confidence interval over seeds (Student t).
The workload is fixed before any result is seen (the rule is in docs/HYPOTHESES.md).
"""
import argparse
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import memory_windows as mw  # noqa: E402

# The current workload (docs/HYPOTHESES.md, H1: selection rule). The earlier one was
# --pool-mib 40960 --phases kuairand-27k:steady:15@3000,amazon-books:steady:15@3000 (--common).
COMMON = ("--nodes 4 --cost-model a100-80gb --scale 0.02 --pool-mib 4096 --control-interval-ms 1000 "
          "--phases kuairand-27k:steady:10@3000,amazon-books:steady:10@3000")
GRID = [0.0, 0.25, 0.5, 0.75, 1.0]
T95 = {2: 12.706, 3: 4.303, 4: 3.182, 5: 2.776, 6: 2.571}


def ci(xs):
    xs = np.asarray(xs, float)
    m = xs.mean()
    h = T95.get(len(xs), 1.96) * xs.std(ddof=1) / np.sqrt(len(xs)) if len(xs) > 1 else float("nan")
    return f"{m:.3f} ± {h:.3f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("exe")
    ap.add_argument("outdir")
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--common", default=COMMON, help="sim options shared by every run")
    a = ap.parse_args()
    common = a.common
    os.makedirs(a.outdir, exist_ok=True)
    runs = {}
    for s in a.seeds:
        runs[("mrc-naive", s)] = f"--memory-policy mrc --repartition naive"
        runs[("mrc-budgeted", s)] = f"--memory-policy mrc --repartition budgeted"
        runs[("na-naive", s)] = f"--memory-policy naive-adaptive --repartition naive"
        runs[("na-budgeted", s)] = f"--memory-policy naive-adaptive --repartition budgeted"
        for r in GRID:
            runs[(f"static:{r}", s)] = f"--memory-policy static:{r}"

    def go(key):
        name, s = key
        out = os.path.join(a.outdir, f"{name.replace(':', '_')}-s{s}.h5")
        if not os.path.exists(out):
            cmd = f"{a.exe} sim {common} {runs[key]} --seed {s} --out {out}"
            subprocess.run(cmd, shell=True, check=True, stdout=subprocess.DEVNULL)
        _, req, lat, w_of, interval = mw.windows(out)
        st = mw.phase_stats(req, lat, w_of, interval, 5)
        # docs/HYPOTHESES.md, H2's "arrivals >= 3 s" row: phase 1 without mrc's start-up.
        st["phase0_from3s_p99_ms"] = mw.p99(lat[(req["phase"] == 0) & (req["arrival"] >= 3e9)])
        return key, st

    with ThreadPoolExecutor(a.jobs) as ex:
        res = dict(ex.map(go, runs))
    print(f"common: helm-bench sim {common} --seed S   (seeds {a.seeds})\n")
    for pol in ("mrc", "na"):
        print(f"H1: {pol}, P99 (ms) after the regime change, mean ± 95% CI over seeds (na = naive-adaptive)")
        print("repartition  first-5-windows  whole-phase-1  per seed (first 5 windows)")
        for m in ("naive", "budgeted"):
            f5 = [res[(f"{pol}-{m}", s)]["phase1_first5w_p99_ms"] for s in a.seeds]
            ph = [res[(f"{pol}-{m}", s)]["phase1_p99_ms"] for s in a.seeds]
            print(f"{m:11s}  {ci(f5):15s}  {ci(ph):13s}  {' '.join(f'{x:.3f}' for x in f5)}")
        d = [res[(f"{pol}-naive", s)]["phase1_first5w_p99_ms"] - res[(f"{pol}-budgeted", s)]["phase1_first5w_p99_ms"]
             for s in a.seeds]
        print(f"paired difference naive - budgeted (first 5 windows): {ci(d)} ms\n")
    print("H2: P99 (ms) per phase; best static = the grid split with the lowest P99 in that phase, per seed")
    for ph, k in ((0, "phase0_p99_ms"), ("0, arrivals >= 3 s", "phase0_from3s_p99_ms"), (1, "phase1_p99_ms")):
        line = "  ".join(f"static:{r} {ci([res[(f'static:{r}', s)][k] for s in a.seeds])}" for r in GRID)
        print(f"phase {ph}: {line}")
        best = [min(res[(f"static:{r}", s)][k] for r in GRID) for s in a.seeds]
        arg = [GRID[int(np.argmin([res[(f'static:{r}', s)][k] for r in GRID]))] for s in a.seeds]
        mrc = [res[("mrc-budgeted", s)][k] for s in a.seeds]
        ratio = [m / b for m, b in zip(mrc, best)]
        print(f"  mrc {ci(mrc)}; best static {ci(best)} (splits {arg}); mrc / best {ci(ratio)}")


if __name__ == "__main__":
    sys.exit(main())
