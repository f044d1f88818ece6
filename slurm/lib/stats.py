"""Confidence intervals for the experiments' tables: the one place they are computed.

Every table calls these two functions: slurm/collect.sh's summary (slurm/lib/summary.py) and
experiments/'s table steps. Seeds are the unit of replication: the same
seed is the same trace (arrivals, users, items), so two policies run on seed s saw the same
requests, and their difference on s is a paired sample. Paired comparisons remove the trace's own
variance (a burst that lands badly for every policy), which dominates the per-seed spread here.

  mean_ci(xs)                 mean and 95% half-width over seeds (Student t, n - 1 df)
  paired(base, other)         mean of per-seed differences (other - base) and of per-seed relative
                              reductions 100 x (base - other) / base, each with its 95% half-width,
                              over the seeds both have

A value of inf (a P99 that falls on a lost request, more than 1% lost) makes a mean inf, a paired
difference undefined (NaN), and the half-width None: an infinite latency has no mean, and a table says so instead of
averaging it away. n < 2 gives a half-width of None (no spread to estimate).
"""

import math

# Two-sided 95% Student t quantiles t_{0.975, df}, df = 1..30 (standard tables); 1.96 beyond.
_T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
         2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
         2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]


def t975(df):
    if df < 1:
        raise ValueError("t975: df must be >= 1, got %r" % (df,))
    return _T975[df - 1] if df <= len(_T975) else 1.960


class Interval:
    """mean, half-width (None when undefined) and n; lo/hi are the interval's ends."""

    def __init__(self, mean, half, n):
        self.mean, self.half, self.n = mean, half, n

    @property
    def lo(self):
        return None if self.half is None else self.mean - self.half

    @property
    def hi(self):
        return None if self.half is None else self.mean + self.half

    def excludes_zero(self):
        return self.half is not None and (self.lo > 0 or self.hi < 0)

    def __repr__(self):
        return "Interval(mean=%r, half=%r, n=%r)" % (self.mean, self.half, self.n)


def mean_ci(xs):
    xs = [float(x) for x in xs]
    n = len(xs)
    if n == 0:
        raise ValueError("mean_ci: no values")
    if any(math.isnan(x) for x in xs):
        raise ValueError("mean_ci: NaN in %r" % (xs,))
    if any(math.isinf(x) for x in xs):
        return Interval(math.inf, None, n)
    m = sum(xs) / n
    if n < 2:
        return Interval(m, None, n)
    var = sum((x - m) ** 2 for x in xs) / (n - 1)
    return Interval(m, t975(n - 1) * math.sqrt(var / n), n)


def paired(base, other):
    """base, other: dicts seed -> value. Returns (diff, reduction_pct) Intervals over the common
    seeds: diff = other - base; reduction_pct = 100 x (base - other) / base (positive: other is
    lower). An infinite value on either side makes both undefined (mean NaN, half None): the
    tables show the policy's own 'inf' instead."""
    seeds = sorted(set(base) & set(other))
    if not seeds:
        raise ValueError("paired: no common seeds (base %s, other %s)" % (sorted(base), sorted(other)))
    b = [float(base[s]) for s in seeds]
    o = [float(other[s]) for s in seeds]
    if any(math.isinf(x) for x in b + o):
        return Interval(math.nan, None, len(seeds)), Interval(math.nan, None, len(seeds))
    diff = mean_ci([y - x for x, y in zip(b, o)])
    if any(x <= 0 for x in b):
        raise ValueError("paired: base values must be positive for a relative reduction: %r" % (b,))
    red = mean_ci([100.0 * (x - y) / x for x, y in zip(b, o)])
    return diff, red


def fmt(iv, digits=2, unit=""):
    """'m ± h (n=k)' for tables; 'inf (n=k)' for infinite means; '-' half-width when n < 2."""
    if iv.mean is None or (isinstance(iv.mean, float) and math.isnan(iv.mean)):
        return "- (n=%d)" % iv.n
    if math.isinf(iv.mean):
        return "%sinf (n=%d)" % ("-" if iv.mean < 0 else "", iv.n)
    if iv.half is None:
        return "%.*f%s (n=%d)" % (digits, iv.mean, unit, iv.n)
    return "%.*f ± %.*f%s (n=%d)" % (digits, iv.mean, digits, iv.half, unit, iv.n)
