#!/usr/bin/env python3
"""Where a routing study run's latency goes: waiting before service vs being served (H3').

usage: wait_split.py RUNS_DIR... > wait_split.csv     (needs h5py: /usr/bin/python3)

Per (dataset, workload, load, router) over every results file in the folders, the mean over seeds
of: wait_p50/p99_us, the time from arrival to the start of the request's batch (routing lag, the
batcher's wait for company, and the queue behind running batches), svc_p50/p99_us, its batch's
service time (finish - start), and the mean batch size; over the requests that arrive after the
warm-up and were served (status 0). Why this split: the helm router's cost prices the work ahead
of a request and its own service, never the batcher's wait for the batch to fill, so a cell that
helm loses with lower service times and longer waits points at that missing term.
"""
import glob
import os
import sys

import h5py
import numpy as np


def split(path):
    with h5py.File(path, "r") as f:
        a = f.attrs
        key = tuple(str(a[k].decode() if isinstance(a[k], bytes) else a[k])
                    for k in ("dataset", "workload", "tag_load", "router"))
        seed = str(a["tag_seed"]) if "tag_seed" in a else str(a["seed"])
        warm = int(a["warmup_ns"]) if "warmup_ns" in a else 0
        r = f["requests"][:]
    m = (r["arrival"] >= r["arrival"].min() + warm) & (r["status"] == 0)
    wait = (r["start"][m] - r["arrival"][m]) / 1e3
    svc = (r["finish"][m] - r["start"][m]) / 1e3
    return key, seed, [*np.percentile(wait, [50, 99]), *np.percentile(svc, [50, 99]), r["batch_size"][m].mean()]


def main():
    dirs = sys.argv[1:]
    if not dirs or not all(os.path.isdir(d) for d in dirs):
        sys.exit("usage: wait_split.py RUNS_DIR... > wait_split.csv")
    cells = {}
    for d in dirs:
        for p in sorted(glob.glob(os.path.join(d, "*.h5"))):
            try:
                key, _, v = split(p)
            except (OSError, KeyError, ValueError) as e:  # a run killed or still writing: left out
                print("wait_split.py: skipping %s: %s" % (p, e), file=sys.stderr)
                continue
            cells.setdefault(key, []).append(v)
    print("dataset,workload,load,router,seeds,wait_p50_us,wait_p99_us,svc_p50_us,svc_p99_us,batch_mean")
    for key in sorted(cells):
        v = np.mean(np.array(cells[key]), axis=0)
        print("%s,%d,%.1f,%.1f,%.1f,%.1f,%.3f" % (",".join(key), len(cells[key]), *v))


if __name__ == "__main__":
    main()
