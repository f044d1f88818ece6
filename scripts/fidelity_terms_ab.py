#!/usr/bin/python3
"""What each optional term of a pass's calibration changes: `sim` re-run on the same configs with
the pass's own cost model minus one term at a time, against the pass's run and sim.

    scripts/fidelity_terms_ab.py BIN PASS_DIR

PASS_DIR is a `pass-N` folder of scripts/fidelity.sh. The terms (cost_model.h), where the
calibration has them: hstu.idle_penalty (the slower forward after an idle spell) and
hstu.spread_quantiles (the forward's spread around its shape's time). The sim commands are taken
from its fidelity.log (the lines `fidelity` printed), with the cost model and the output swapped;
figures are over completed requests after warm-up (latency = finish - scheduled arrival, as the
report's). Exit 2 when the calibration has none of the terms."""
import csv
import json
import os
import re
import shlex
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fidelity_batches import measured  # noqa: E402  (one owner of which rows count)

TERMS = (("idle_penalty", "idle penalty"), ("spread_quantiles", "spread"))


def figures(path):
    lat = measured(path)["latency"] / 1e6
    return np.mean(lat), np.percentile(lat, 50), np.percentile(lat, 99)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    binary, d = sys.argv[1], sys.argv[2]
    cal = json.load(open(os.path.join(d, "cpu-here.json")))
    present = [(k, name) for k, name in TERMS if k in cal["hstu"]]
    if not present:
        print(f"{d}/cpu-here.json: field 'hstu.idle_penalty' or 'hstu.spread_quantiles' is missing (calibrated before them)",
              file=sys.stderr)
        sys.exit(2)
    models = {}
    for k, _ in present:
        c = json.loads(json.dumps(cal))
        del c["hstu"][k]
        models[k] = os.path.join(d, f"cpu-here-no-{k}.json")
        json.dump(c, open(models[k], "w"))
    loads = [r["load"] for r in csv.DictReader(open(os.path.join(d, "fid", "fidelity.csv")))]
    log = open(os.path.join(d, "fidelity.log")).read()
    sims = [l[2:] for l in log.splitlines() if l.startswith("$ ") and " sim " in l]
    print("| load | run mean / P50 / P99 (ms) | sim, every term | " + " | ".join(f"sim without the {n}" for _, n in present) + " |")
    print("|---|---|---|" + "---|" * len(present))
    for line in sims:
        argv = shlex.split(line.split(" > ")[0])
        argv[0] = binary
        out = argv[argv.index("--out") + 1]
        run = figures(out.replace("-sim.h5", "-run.h5"))
        cells = [figures(out)]
        for k, _ in present:
            alt = list(argv)
            alt[alt.index("--cost-model") + 1] = models[k]
            alt[alt.index("--out") + 1] = out.replace("-sim.h5", f"-sim-no-{k}.h5")
            subprocess.run(alt, check=True, capture_output=True, env={**os.environ, "HELM_PROGRESS": "off"})
            cells.append(figures(alt[alt.index("--out") + 1]))
        k = int(re.search(r"load-(\d+)-sim", out).group(1))
        err = lambda s: " / ".join(f"{x:.2f} ({100 * (x - y) / y:+.0f}%)" for x, y in zip(s, run))
        print(f"| {loads[k] if k < len(loads) else k} | {' / '.join(f'{x:.2f}' for x in run)} | "
              + " | ".join(err(c) for c in cells) + " |")


if __name__ == "__main__":
    main()
