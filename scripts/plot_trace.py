#!/usr/bin/python3
"""Pictures of a helm-bench trace file (helm-bench trace --out FILE.h5), so a person can see
that Burst bursts and Trend trends.

  /usr/bin/python3 scripts/plot_trace.py TRACE.h5 [TRACE2.h5 ...] [--out-dir DIR]

Writes, per trace, DIR/<stem>_rate.png (arrivals per second over time, phase boundaries
dashed) and DIR/<stem>_rankfreq.png (item rank-frequency on log-log axes from the file's
/sample: all draws, and the first and last third of the run, whose hot sets differ under Trend's
drift; flash-crowd items show as a bump near the head under Burst). Needs h5py and matplotlib.
"""
import argparse
import os
import sys

import h5py
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def attr(f, name, default=""):
    v = f.attrs.get(name, default)
    return v.decode() if isinstance(v, bytes) else v


def rank_freq(items):
    if len(items) == 0:
        return np.array([]), np.array([])
    _, counts = np.unique(items, return_counts=True)
    counts = np.sort(counts)[::-1]
    return np.arange(1, len(counts) + 1), counts / counts.sum()


def plot(path, out_dir):
    with h5py.File(path, "r") as f:
        if attr(f, "kind") != "helm-bench trace":
            sys.exit(f"{path}: not a helm-bench trace file (attribute 'kind')")
        name = attr(f, "name")
        arrival = f["requests/arrival"][:] / 1e9
        phase = f["requests/phase"][:]
        item = f["sample/item"][:] if "sample/item" in f else np.array([])
        item_t = f["sample/time"][:] / 1e9 if "sample/time" in f else np.array([])
        cv, peak = f.attrs.get("interarrival_cv", float("nan")), f.attrs.get("peak_to_mean", float("nan"))
    stem = os.path.splitext(os.path.basename(path))[0]
    span = max(arrival[-1], 1.0) if len(arrival) else 1.0

    fig, ax = plt.subplots(figsize=(8, 3.2))
    bins = np.arange(0, np.ceil(span) + 1, 1.0)
    counts, edges = np.histogram(arrival, bins=bins)
    ax.plot(edges[:-1], counts, lw=0.8)
    mean = len(arrival) / span
    ax.axhline(mean, color="grey", lw=0.8, ls=":", label=f"mean {mean:.1f}/s")
    for p in np.unique(phase)[1:]:
        ax.axvline(arrival[np.argmax(phase == p)], color="k", ls="--", lw=0.8)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("arrivals per second")
    ax.set_title(f"{name}: CV {cv:.2f}, peak/mean {peak:.2f}", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    rate_png = os.path.join(out_dir, f"{stem}_rate.png")
    fig.savefig(rate_png, dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(5, 4))
    r, p = rank_freq(item)
    ax.loglog(r, p, lw=1.2, label=f"all ({len(item)} draws)")
    if len(item_t):
        lo, hi = np.quantile(item_t, [1 / 3, 2 / 3])
        for sel, lab in ((item_t <= lo, "first third"), (item_t >= hi, "last third")):
            r2, p2 = rank_freq(item[sel])
            ax.loglog(r2, p2, lw=0.8, alpha=0.8, label=lab)
        first, last = item[item_t <= lo], item[item_t >= hi]
        top = lambda x: set(np.unique(x, return_counts=True)[0][np.argsort(-np.unique(x, return_counts=True)[1])[:100]])
        if len(first) and len(last):
            ax.text(0.02, 0.02, f"top-100 overlap first/last third: {len(top(first) & top(last))}",
                    transform=ax.transAxes, fontsize=8)
    ax.set_xlabel("item rank")
    ax.set_ylabel("share of draws")
    ax.set_title(f"{name}: items looked up (candidates + history growth)", fontsize=8)
    ax.legend(fontsize=8)
    fig.tight_layout()
    rf_png = os.path.join(out_dir, f"{stem}_rankfreq.png")
    fig.savefig(rf_png, dpi=110)
    plt.close(fig)
    print(rate_png)
    print(rf_png)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("traces", nargs="+")
    ap.add_argument("--out-dir", default=".")
    a = ap.parse_args()
    os.makedirs(a.out_dir, exist_ok=True)
    for t in a.traces:
        if not os.path.exists(t):
            sys.exit(f"{t}: no such file")
        plot(t, a.out_dir)


if __name__ == "__main__":
    main()
