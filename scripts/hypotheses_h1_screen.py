#!/usr/bin/python3
"""H1's workload screen (docs/HYPOTHESES.md, H1: "Screen result"): the static grid at each candidate
pool, seed 1, and the per-phase P99 (drops count as infinite) that the selection rule reads.

    scripts/hypotheses_h1_screen.py BUILD/bin/helm-bench OUTDIR [--jobs 2]
"""
import argparse
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import memory_windows as mw  # noqa: E402
from hypotheses_h1h2 import GRID  # noqa: E402

POOLS = [16384, 8192, 4096]
COMMON = ("--nodes 4 --cost-model a100-80gb --scale 0.02 --control-interval-ms 1000 "
          "--phases kuairand-27k:steady:10@3000,amazon-books:steady:10@3000 --seed 1")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("exe")
    ap.add_argument("outdir")
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args()
    os.makedirs(a.outdir, exist_ok=True)

    def go(key):
        pool, r = key
        out = os.path.join(a.outdir, f"screen-{pool}-static_{r}.h5")
        if not os.path.exists(out):
            cmd = f"{a.exe} sim {COMMON} --pool-mib {pool} --memory-policy static:{r} --out {out}"
            subprocess.run(cmd, shell=True, check=True, stdout=subprocess.DEVNULL)
        _, req, lat, w_of, interval = mw.windows(out)
        return key, mw.phase_stats(req, lat, w_of, interval, 5)

    keys = [(p, r) for p in POOLS for r in GRID]
    with ThreadPoolExecutor(a.jobs) as ex:
        res = dict(ex.map(go, keys))
    print(f"common: helm-bench sim {COMMON} --pool-mib P --memory-policy static:R")
    print("pool (MiB) | phase 1 P99 at " + " / ".join(map(str, GRID)) + " (ms) | phase 2 P99 at the same (ms)")
    for p in POOLS:
        f = lambda k: " / ".join(f"{res[(p, r)][k]:.4g}" for r in GRID)
        print(f"{p} | {f('phase0_p99_ms')} | {f('phase1_p99_ms')}")


if __name__ == "__main__":
    sys.exit(main())
