#!/usr/bin/python3
"""What the idle penalty changes in one fidelity pass: `sim` re-run on the same configs with the
pass's own calibration minus hstu.idle_penalty, against the pass's run and sim.

    scripts/fidelity_idle_ab.py BIN PASS_DIR

PASS_DIR is a `pass-N` folder of scripts/fidelity.sh whose calibration has the idle penalty. The
sim commands are taken from its fidelity.log (the lines `fidelity` printed), with the cost model
and the output swapped; figures are over completed requests after warm-up (latency = finish -
scheduled arrival, as the report's)."""
import csv
import json
import os
import re
import shlex
import subprocess
import sys

import h5py
import numpy as np


def figures(path):
    with h5py.File(path, "r") as f:
        r = f["/requests"][:]
        warm = int(f.attrs["warmup_ns"])
    lat = r["latency"][(r["status"] == 0) & (r["arrival"] >= warm)] / 1e6
    return np.mean(lat), np.percentile(lat, 50), np.percentile(lat, 99)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    binary, d = sys.argv[1], sys.argv[2]
    cal = json.load(open(os.path.join(d, "cpu-here.json")))
    if "idle_penalty" not in cal["hstu"]:
        sys.exit(f"{d}/cpu-here.json: field 'hstu.idle_penalty' is missing (calibrated before it existed)")
    del cal["hstu"]["idle_penalty"]
    noidle = os.path.join(d, "cpu-here-noidle.json")
    json.dump(cal, open(noidle, "w"))
    log = open(os.path.join(d, "fidelity.log")).read()
    sims = [l[2:] for l in log.splitlines() if l.startswith("$ ") and " sim " in l]
    loads = [r["load"] for r in csv.DictReader(open(os.path.join(d, "fid", "fidelity.csv")))]
    print("| load | run mean / P50 / P99 (ms) | sim with the penalty | sim without |")
    print("|---|---|---|---|")
    for line in sims:
        argv = shlex.split(line.split(" > ")[0])
        argv[0] = binary
        out = argv[argv.index("--out") + 1]
        argv[argv.index("--cost-model") + 1] = noidle
        alt = out.replace("-sim.h5", "-sim-noidle.h5")
        argv[argv.index("--out") + 1] = alt
        subprocess.run(argv, check=True, capture_output=True, env={**os.environ, "HELM_PROGRESS": "off"})
        k = int(re.search(r"load-(\d+)-sim", out).group(1))
        run = figures(out.replace("-sim.h5", "-run.h5"))
        cells = [figures(out), figures(alt)]
        err = lambda s: " / ".join(f"{x:.2f} ({100 * (x - y) / y:+.0f}%)" for x, y in zip(s, run))
        print(f"| {loads[k] if k < len(loads) else k} | {' / '.join(f'{x:.2f}' for x in run)} | {err(cells[0])} | {err(cells[1])} |")


if __name__ == "__main__":
    main()
