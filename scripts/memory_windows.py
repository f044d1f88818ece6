#!/usr/bin/python3
"""Per-window view of a run's memory control, from its results file alone.

    scripts/memory_windows.py RUN.h5 [--schedule oracle-schedule.csv] [--after-change 5]

Prints, per control window [k I, (k+1) I): the split the run chose (mean over nodes of the
split in effect in that window: /controller ratio_applied of the decision at k I, or the first
/nodes split for window 0), the oracle's ratio from the schedule (`helm-bench oracle`), the P99
of the requests that arrived in the window (drops count as infinite), the link bytes the window
moved ON the critical path (EMB demand misses + host-tier K/V onboarding: batches wait for them)
and OFF it (budgeted background refill), and whether it is a transition window (the split
changed at its start on some node, or in the window before: re-warming). Then: P99 of transition
vs steady windows, per-phase P99, and P99 of the first N windows after each phase change.
Reads /requests, /nodes, /controller with h5py; nothing else.
"""
import argparse
import csv
import math
import sys

import h5py
import numpy as np


def p99(lat):
    """Nearest-rank P99 (as the harness computes it); lat may hold inf (drops)."""
    if len(lat) == 0:
        return float("nan")
    s = np.sort(np.asarray(lat, dtype=float))
    return float(s[max(1, math.ceil(0.99 * len(s))) - 1])


def load(path):
    with h5py.File(path, "r") as f:
        req = f["requests"][:]
        nodes = f["nodes"][:]
        ctl = f["controller"][:] if "controller" in f else np.zeros(0, nodes.dtype)
        interval = None
        cfg = f.attrs.get("config", b"")
        cfg = cfg.decode() if isinstance(cfg, bytes) else str(cfg)
        for line in cfg.splitlines():
            if line.startswith("control-interval-ms"):
                interval = float(line.split("=")[1].split("#")[0]) * 1e6
    return req, nodes, ctl, interval or 1e9


def latencies(req):
    """ms, inf for requests that were not completed."""
    return np.where(req["status"] == 0, req["latency"] / 1e6, np.inf)


def windows(path, schedule=None):
    req, nodes, ctl, interval = load(path)
    lat = latencies(req)
    w_of = (req["arrival"] // interval).astype(int)
    nwin = int(w_of.max()) + 1 if len(req) else 0
    node_ids = np.unique(nodes["node"])
    # The split in effect in window k on each node.
    split = np.full((nwin, len(node_ids)), np.nan)
    for j, n in enumerate(node_ids):
        first = nodes[nodes["node"] == n]
        if len(first):
            split[:, j] = first["emb_share"][0]
        for c in ctl[ctl["node"] == n]:
            k = int(round(c["time"] / interval))
            if k < nwin:
                split[k:, j] = c["ratio_applied"]
    oracle = None
    if schedule:
        rows = [r for r in csv.reader(open(schedule)) if r and not r[0].startswith("#")]
        rows = [r for r in rows if r[0].replace(".", "", 1).replace("e", "").replace("-", "").isdigit()]
        t = np.array([float(r[0]) * 1e9 for r in rows])
        r = np.array([float(r[1]) for r in rows])
        oracle = [r[max(0, np.searchsorted(t, k * interval, side="right") - 1)] for k in range(nwin)]
    on = np.zeros(nwin)
    off = np.zeros(nwin)
    for row in nodes:  # a /nodes row at time t closes the window ending at t
        k = min(nwin - 1, max(0, int(math.ceil(row["time"] / interval)) - 1))
        on[k] += row["h2d_demand_bytes"] + row["h2d_kv_bytes"]
        off[k] += row["h2d_refill_bytes"]
    changed = np.zeros(nwin, bool)
    changed[1:] = np.any(np.abs(np.diff(split, axis=0)) > 1e-9, axis=1)
    transition = changed | np.concatenate([[False], changed[:-1]])
    out = []
    for k in range(nwin):
        sel = w_of == k
        out.append(dict(window=k, start_s=k * interval / 1e9, chosen=float(np.nanmean(split[k])),
                        oracle=None if oracle is None else float(oracle[k]), p99_ms=p99(lat[sel]),
                        requests=int(sel.sum()), on_path_bytes=int(on[k]), refill_bytes=int(off[k]),
                        transition=bool(transition[k])))
    return out, req, lat, w_of, interval


def phase_stats(req, lat, w_of, interval, after):
    """P99 per phase, and of the first `after` windows after each phase change."""
    res = {}
    for ph in np.unique(req["phase"]):
        sel = req["phase"] == ph
        res[f"phase{ph}_p99_ms"] = p99(lat[sel])
        if ph > 0:
            k0 = int(req["arrival"][sel].min() // interval)
            post = sel & (w_of >= k0) & (w_of < k0 + after)
            res[f"phase{ph}_first{after}w_p99_ms"] = p99(lat[post])
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run")
    ap.add_argument("--schedule", help="oracle schedule CSV (time_s,ratio) from `helm-bench oracle`")
    ap.add_argument("--after-change", type=int, default=5, help="windows counted after a phase change")
    a = ap.parse_args()
    rows, req, lat, w_of, interval = windows(a.run, a.schedule)
    print("window start_s chosen oracle P99_ms requests on_path_MB refill_MB transition")
    for r in rows:
        print(f"{r['window']:6d} {r['start_s']:7.1f} {r['chosen']:6.3f} "
              f"{'-' if r['oracle'] is None else format(r['oracle'], '6.3f'):>6} {r['p99_ms']:8.3f} "
              f"{r['requests']:8d} {r['on_path_bytes'] / 1e6:10.2f} {r['refill_bytes'] / 1e6:9.2f} "
              f"{'T' if r['transition'] else '-'}")
    tr = np.isin(w_of, [r["window"] for r in rows if r["transition"]])
    print(f"P99 transition windows: {p99(lat[tr]):.3f} ms ({int(tr.sum())} requests); "
          f"steady windows: {p99(lat[~tr]):.3f} ms ({int((~tr).sum())} requests)")
    print(f"link bytes on the critical path: {sum(r['on_path_bytes'] for r in rows) / 1e6:.2f} MB; "
          f"off it (refill): {sum(r['refill_bytes'] for r in rows) / 1e6:.2f} MB")
    if a.schedule:
        d = [abs(r["chosen"] - r["oracle"]) for r in rows]
        print(f"chosen vs oracle: mean |difference| {np.mean(d):.3f} over {len(d)} windows")
    for k, v in phase_stats(req, lat, w_of, interval, a.after_change).items():
        print(f"{k}: {v:.3f}")


if __name__ == "__main__":
    sys.exit(main())
