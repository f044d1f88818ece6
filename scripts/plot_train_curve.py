#!/usr/bin/python3
"""Plots helm-bench train's curve CSV: mean reward per update (and its moving average), the
policy's entropy and the value loss. usage: plot_train_curve.py CURVE.csv OUT.png"""
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: plot_train_curve.py CURVE.csv OUT.png")
    with open(sys.argv[1]) as f:
        rows = list(csv.DictReader(f))
    if not rows:
        sys.exit(f"{sys.argv[1]}: no updates in the curve")
    u = [int(r["update"]) for r in rows]
    rew = [float(r["mean_reward"]) for r in rows]
    k = max(1, len(rew) // 10)  # moving average over ~10% of the run
    ma = [sum(rew[max(0, i - k + 1):i + 1]) / len(rew[max(0, i - k + 1):i + 1]) for i in range(len(rew))]
    fig, ax = plt.subplots(1, 3, figsize=(13, 3.6))
    ax[0].plot(u, rew, lw=0.6, alpha=0.5, label="per update (that rollout's episodes)")
    ax[0].plot(u, ma, lw=1.8, label=f"moving mean ({k})")
    ax[0].set_title("mean reward per window")
    ax[0].legend(fontsize=7)
    ax[1].plot(u, [float(r["entropy"]) for r in rows])
    ax[1].set_title("policy entropy")
    ax[2].semilogy(u, [max(1e-9, float(r["value_loss"])) for r in rows])
    ax[2].set_title("value loss")
    for a in ax:
        a.set_xlabel("PPO update")
        a.grid(alpha=0.3)
    fig.suptitle(f"helm-bench train: {rows[-1]['samples']} samples, {rows[-1]['episodes']} episodes, "
                 f"{float(rows[-1]['elapsed_s']):.0f} s")
    fig.tight_layout()
    fig.savefig(sys.argv[2], dpi=110)


if __name__ == "__main__":
    main()
