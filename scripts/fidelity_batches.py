#!/usr/bin/python3
"""Batch formation in `run` against `sim`, per load of one fidelity pass.

    scripts/fidelity_batches.py PASS_DIR [--csv OUT.csv]

PASS_DIR is one `pass-N` folder of scripts/fidelity.sh (it reads PASS_DIR/fid/load-K-{run,sim}.h5).
For each load and each of run/sim it prints, over completed requests after warm-up:
  - batches: a batch is the set of completed requests of one node with the same start and finish;
  - mean batch size (requests), and the service time (finish - start; median and P99) of batches
    of each of the three most common sizes, so service can be compared at equal size;
  - the back-to-back gap: on one node, the time from a batch's finish to the next batch's start
    when the next batch's first request had arrived before that finish (the queue was not empty,
    so the gap is the batcher's and the worker's own delay, not waiting for work).
  - the excess of each `run` batch over the same requests' batch in `sim` (when sim formed exactly
    that batch), median per batch size (1, 2, 3+) and per idle time of the worker before it (under
    0.3 ms, 0.3-2 ms, over 2 ms): separates a cost after idling from a cost of batch shape.
Why: the latency error of `sim` can come from the service of a batch (cost model), from how
batches form (batcher timing) or from both; these figures separate the two.
"""
import argparse
import csv
import glob
import os
import re
import sys
from collections import Counter, defaultdict

import h5py
import numpy as np

COMPLETED = 0


def measured(path):
    """The /requests rows a fidelity figure counts: completed, arrived after warm-up."""
    with h5py.File(path, "r") as f:
        r = f["/requests"][:]
        warm = int(f.attrs["warmup_ns"]) if "warmup_ns" in f.attrs else 0
    return r[(r["status"] == COMPLETED) & (r["arrival"] >= warm)]


def batches(path):
    """node -> [(start, finish, first arrival, size, ids)], completed requests after warm-up."""
    r = measured(path)
    groups = defaultdict(list)
    for i, node, start, finish, arrival in zip(r["id"], r["node"], r["start"], r["finish"], r["arrival"]):
        groups[(int(node), int(start), int(finish))].append((int(arrival), int(i)))
    per_node = defaultdict(list)
    for (node, start, finish), reqs in groups.items():
        per_node[node].append((start, finish, min(a for a, _ in reqs), len(reqs), frozenset(i for _, i in reqs)))
    return per_node


def idle_excess(run, sim):
    """(idle bucket, size bucket) -> [run service - sim service] for batches both formed alike."""
    sim_service = {}
    for rows in sim.values():
        for start, finish, _, _, ids in rows:
            sim_service[ids] = finish - start
    out = defaultdict(list)
    for rows in run.values():
        rows = sorted(rows, key=lambda b: b[0])
        for k in range(1, len(rows)):
            start, finish, _, n, ids = rows[k]
            if ids not in sim_service:
                continue
            idle = (start - rows[k - 1][1]) / 1e6
            bucket = "<0.3 ms" if idle < 0.3 else ("0.3-2 ms" if idle < 2 else ">2 ms")
            out[(bucket, min(n, 3))].append((finish - start - sim_service[ids]) / 1e6)
    return out


def figures(per_node):
    sizes, service, gaps = [], defaultdict(list), []
    for rows in per_node.values():
        rows.sort()
        for i, (start, finish, first_arrival, n, _) in enumerate(rows):
            sizes.append(n)
            service[n].append((finish - start) / 1e6)
            if i and first_arrival < rows[i - 1][1]:
                gaps.append((start - rows[i - 1][1]) / 1e6)
    return sizes, service, gaps


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("pass_dir")
    ap.add_argument("--csv")
    a = ap.parse_args()
    loads = {}
    fid_csv = os.path.join(a.pass_dir, "fid", "fidelity.csv")
    if os.path.exists(fid_csv):
        for k, row in enumerate(csv.DictReader(open(fid_csv))):
            loads[k] = row["load"]
    files = sorted(glob.glob(os.path.join(a.pass_dir, "fid", "load-*-run.h5")))
    if not files:
        sys.exit(f"{a.pass_dir}: no fid/load-*-run.h5 (run scripts/fidelity.sh first)")
    out = []
    for run_path in files:
        k = int(re.search(r"load-(\d+)-run", run_path).group(1))
        sim_path = run_path.replace("-run.h5", "-sim.h5")
        got = {m: batches(p) for m, p in (("run", run_path), ("sim", sim_path))}
        res = {m: figures(b) for m, b in got.items()}
        common = Counter(res["run"][0]).most_common(3)
        print(f"load {loads.get(k, k)}:")
        for m in ("run", "sim"):
            sizes, service, gaps = res[m]
            g = np.array(gaps) if gaps else np.array([np.nan])
            at = ", ".join(f"{n}: {np.median(service[n]):.2f} / {np.percentile(service[n], 99):.2f} ms ({len(service[n])})"
                           if service[n] else f"{n}: -" for n, _ in common)
            print(f"  {m}: {len(sizes)} batches, mean size {np.mean(sizes):.2f}; service by size (median / P99, count) {at};"
                  f" back-to-back gap median {np.median(g):.3f} ms, P90 {np.percentile(g, 90):.3f} ms ({len(gaps)})")
            out.append({"load": loads.get(k, k), "mode": m, "batches": len(sizes), "mean_size": np.mean(sizes),
                        "gap_p50_ms": np.median(g), "gap_p90_ms": np.percentile(g, 90), "gaps": len(gaps),
                        **{f"service_ms_size_{n}": (np.median(service[n]) if service[n] else "") for n, _ in common},
                        **{f"service_p99_ms_size_{n}": (np.percentile(service[n], 99) if service[n] else "")
                           for n, _ in common}})
        ex = idle_excess(got["run"], got["sim"])
        print("  run - sim service of the same batch (median ms, count) by idle before it and size: "
              + "; ".join(f"size {'3+' if n == 3 else n}, idle {b}: {np.median(ex[(b, n)]):+.3f} ({len(ex[(b, n)])})"
                          for n in (1, 2, 3) for b in ("<0.3 ms", "0.3-2 ms", ">2 ms") if ex[(b, n)]))
    if a.csv:
        keys = sorted({k for row in out for k in row}, key=lambda s: (not s[0].isalpha(), s))
        with open(a.csv, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=["load", "mode", "batches", "mean_size", "gap_p50_ms", "gap_p90_ms", "gaps"]
                               + sorted(k for k in keys if k.startswith("service_")))
            w.writeheader()
            w.writerows(out)


if __name__ == "__main__":
    main()
