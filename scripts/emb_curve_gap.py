#!/usr/bin/python3
"""The EMB miss-ratio curve's prediction against the measured hit rate, per /nodes window.

    scripts/emb_curve_gap.py RUN.h5...

For each file: windows with a prediction (emb_hit_predicted >= 0, i.e. the run collected curves)
and at least one EMB lookup; the measured hit rate emb_hits / emb_lookups of each; the
lookup-weighted gap (predicted - measured, in points of hit rate) over the run, and the largest
per-window |gap| among windows with >= 1000 lookups (smaller ones are dominated by sampling).
"""
import sys

import h5py
import numpy as np

for path in sys.argv[1:]:
    with h5py.File(path, "r") as f:
        n = f["nodes"][:]
        ver = int(f.attrs["schema_version"])
    if "emb_hit_predicted" not in n.dtype.names:
        print(f"{path}: schema_version {ver} has no emb_hit_predicted")
        continue
    m = (n["emb_hit_predicted"] >= 0) & (n["emb_lookups"] > 0)
    if not m.any():
        print(f"{path}: no window with a prediction (run with --memory-policy mrc)")
        continue
    look = n["emb_lookups"][m].astype(float)
    meas = n["emb_hits"][m] / look
    pred = n["emb_hit_predicted"][m]
    w_meas = float((meas * look).sum() / look.sum())
    w_pred = float((pred * look).sum() / look.sum())
    big = look >= 1000
    worst = float(np.abs(pred - meas)[big].max()) if big.any() else float("nan")
    print(f"{path}: {int(m.sum())} windows, {int(look.sum())} lookups; measured {100 * w_meas:.2f}%, "
          f"predicted {100 * w_pred:.2f}%, gap {100 * (w_pred - w_meas):+.2f} points; "
          f"largest window |gap| {100 * worst:.2f} points; mean share {n['emb_share'][m].mean():.3f}")
