#!/usr/bin/env python3
"""H3 ablation table from `helm-bench report --format csv` output (stdin): per regime x router the
mean P99 (of all requests: drops and failures count as infinite, `p99_all_ms`) over seeds with a 95% t confidence interval, and helm's paired P99 difference to each
router (same trace per seed, so pairing removes the trace's variance). H3 holds in a cell when
the difference's CI upper bound is <= 0, is refuted when its lower bound is > 0, else undecided."""
import csv
import math
import statistics as st
import sys
from collections import defaultdict

T95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262}


def ci(xs):
    if not all(math.isfinite(x) for x in xs):
        # An infinite P99 (more than 1% lost) has no interval; inf - inf (both lost) is undefined.
        return (float("inf") if all(x == float("inf") for x in xs) else float("nan")), float("nan")
    m = st.mean(xs)
    h = T95.get(len(xs) - 1, 1.96) * st.stdev(xs) / len(xs) ** 0.5 if len(xs) > 1 else float("nan")
    return m, h


rows = list(csv.reader(sys.stdin))
head = rows[0]
col = {}
for i, h in enumerate(head):
    col.setdefault(h, []).append(i)
# Policies are compared on the P99 of all requests; files from before it existed had only p99_ms.
p99 = (col.get("p99_all_ms") or col["p99_ms"])[0]
slo = col["slo_pct"][0]
reg, rt, sd = col["regime"][-1], col["router"][-1], col["seed"][-1]  # the tags (last columns)
d = defaultdict(dict)
for r in rows[1:]:
    d[(r[reg], r[rt])][r[sd]] = (float(r[p99]), float(r[slo]))
routers = ["rr", "least-loaded", "p2c", "kv-affinity", "cache-aware", "helm"]
print("| regime | router | seeds | P99 of all requests, ms (mean ± 95% CI) | SLO % (mean) | helm − router P99, paired (ms, 95% CI) | H3 |")
print("|---|---|--:|--:|--:|--:|---|")
for g in ["steady", "trend", "burst"]:
    for r in routers:
        if (g, r) not in d:
            continue
        s = d[(g, r)]
        m, h = ci([v[0] for v in s.values()])
        slo_m = st.mean(v[1] for v in s.values())
        if r == "helm":
            diff, verdict = "—", ""
        else:
            hs = d.get((g, "helm"), {})
            seeds = sorted(set(s) & set(hs))
            dm, dh = ci([hs[k][0] - s[k][0] for k in seeds])
            diff = f"{dm:+.1f} ± {dh:.1f}" if math.isfinite(dm) else "n/a (P99 infinite)"
            verdict = "holds" if dm + dh <= 0 else ("fails" if dm - dh > 0 else "undecided")
        p99_txt = f"{m:.1f} ± {h:.1f}" if math.isfinite(m) else "inf (> 1% lost)"
        print(f"| {g} | {r} | {len(s)} | {p99_txt} | {slo_m:.1f} | {diff} | {verdict} |")
