#!/usr/bin/env python3
"""One CSV row per run of scripts/eval_helm_study.sh (stdout): the `helm-bench report --format csv`
figures (P99 over all requests with drops counted, SLO attainment, goodput: results/summary.cpp is
their one owner), the mean EMB share applied, and the run's ratio gap to the per-window oracle of
its own trace, computed by experiment 5's code (experiments/05_ratio_gap/table.py: `run_gap` for
a policy that decides, `static_gap` for a static split), imported, not copied.
usage: eval_helm_study_collect.py BIN RUNS_DIR CAPACITY_CSV"""
import csv
import importlib.util
import io
import os
import subprocess
import sys

import h5py

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "experiments", "lib"))  # experiment 5 imports `tables`
_spec = importlib.util.spec_from_file_location("e5_table", os.path.join(here, "..", "experiments", "05_ratio_gap", "table.py"))
e5 = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(e5)


def main(bin_path, runs_dir, cap_csv):
    caps = {(r["profile"], r["regime"]): r["capacity_qps"] for r in csv.DictReader(open(cap_csv))}
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["profile", "regime", "load_frac", "qps", "seed", "policy", "p99_all_ms", "slo_pct",
                  "goodput_rps", "dropped", "ratio_gap", "mean_emb_share"])
    for cell in sorted(os.listdir(runs_dir)):
        d = os.path.join(runs_dir, cell)
        profile, regime, load, seed = cell.rsplit("_", 3)
        sched = e5.schedule(os.path.join(d, "oracle.csv"))
        for name in sorted(os.listdir(d)):
            if not name.endswith(".h5") or name.endswith(".tmp.h5"):
                continue
            path = os.path.join(d, name)
            label = name[:-3]
            rep = next(csv.DictReader(io.StringIO(subprocess.run(
                [bin_path, "report", path, "--format", "csv"], check=True, capture_output=True, text=True).stdout)))
            with h5py.File(path, "r") as f:
                share = float(f["nodes"]["emb_share"][:].mean())
            if label.startswith("static:"):
                gap = e5.static_gap(float(label.split(":")[1]), sched, 0, float("inf"))
            else:
                gap = e5.run_gap(path, sched)
            qps = int(float(caps[(profile, regime)]) * float(load))  # as the runner offered it
            out.writerow([profile, regime, load, qps,
                          seed[1:], label, rep["p99_all_ms"], rep["slo_pct"], rep["goodput_rps"], rep["dropped"],
                          "" if gap is None else "%.4f" % gap, "%.4f" % share])


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
