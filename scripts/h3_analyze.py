#!/usr/bin/env python3
"""Per-node load, utilisation, KV and EMB hit rates of sim result files (H3 diagnosis).

usage: h3_analyze.py FILE.h5...   (after-warm-up rows only; utilisation = busy time of the
node's distinct batches / the span from the end of warm-up to the last arrival)
"""
import sys

import h5py
import numpy as np


def analyze(path):
    with h5py.File(path, "r") as f:
        r = f["requests"][:]
        warm_ns = int(f.attrs["warmup_ns"]) if "warmup_ns" in f.attrs else 0
    arr = r["arrival"]
    t0, t1 = arr.min() + warm_ns, arr.max()
    done = r["status"] == 0
    out = []
    for n in sorted(set(r["node"].tolist())):
        m = (r["node"] == n) & done
        starts, finishes = r["start"][m], r["finish"][m]
        batches = np.unique(np.stack([starts, finishes], axis=1), axis=0)
        # busy share of [end of warm-up, last arrival], batches clipped to that span
        b0, b1 = np.clip(batches[:, 0], t0, t1), np.clip(batches[:, 1], t0, t1)
        busy = float((b1 - b0).sum()) / max(1, t1 - t0)
        late = m & (arr >= t0)
        hist = r["history_len"][late].sum()
        kv = r["kv_hit_tokens_pool"][late].sum() / max(1, hist)
        emb = r["emb_hits"][late].sum() / max(1, r["emb_lookups"][late].sum())
        lat = np.sort(r["latency"][late]) / 1e6
        p99 = lat[int(np.ceil(0.99 * len(lat))) - 1] if len(lat) else float("nan")
        out.append((n, int(late.sum()), busy, kv, emb, r["batch_size"][late].mean(), p99))
    print(path)
    print("  node  reqs   util   kv_hit  emb_hit  batch  p99_ms")
    for n, c, u, kv, emb, b, p in out:
        print(f"  {n:4d} {c:6d} {u:6.3f} {kv:8.3f} {emb:8.3f} {b:6.2f} {p:7.2f}")


for p in sys.argv[1:]:
    analyze(p)
