#!/usr/bin/env python3
"""Per-node load skew of every results file in a folder, as CSV on stdout (routing study, H3').

usage: skew.py RUNS_DIR > skew.csv     (needs h5py: /usr/bin/python3)

Columns: file (the basename, as `report` names it), req_skew, work_skew. Over the requests that
arrive after the warm-up and were routed to a node: req_skew = max over nodes / mean over nodes of
the requests routed there; work_skew = the same of the tokens they computed (the work a node
got). 1.0 is a perfectly even spread. With heterogeneous splits an even spread need not be best;
the column says how unevenly a router loads the nodes, not how well.
"""
import glob
import os
import sys

import h5py
import numpy as np


def skew(path):
    with h5py.File(path, "r") as f:
        r = f["requests"][:]
        warm = int(f.attrs["warmup_ns"]) if "warmup_ns" in f.attrs else 0
        nodes = int(f["nodes"]["node"].max()) + 1 if len(f["nodes"]) else 0
    arr = r["arrival"]
    m = (arr >= arr.min() + warm) & (r["node"] >= 0)
    nodes = max(nodes, int(r["node"][m].max()) + 1 if m.any() else 0)
    if nodes == 0:
        return float("nan"), float("nan")
    reqs = np.bincount(r["node"][m], minlength=nodes).astype(float)
    work = np.bincount(r["node"][m], weights=r["computed_tokens"][m].astype(float), minlength=nodes)
    return reqs.max() / max(reqs.mean(), 1e-12), work.max() / max(work.mean(), 1e-12)


def main():
    if len(sys.argv) != 2 or not os.path.isdir(sys.argv[1]):
        sys.exit("usage: skew.py RUNS_DIR > skew.csv")
    print("file,req_skew,work_skew")
    for p in sorted(glob.glob(os.path.join(sys.argv[1], "*.h5"))):
        try:
            rs, ws = skew(p)
        except (OSError, KeyError) as e:  # a run still writing or killed: left out, as collect.sh does
            print("skew.py: skipping %s: %s" % (p, e), file=sys.stderr)
            continue
        print("%s,%.4f,%.4f" % (os.path.basename(p), rs, ws))


if __name__ == "__main__":
    main()
