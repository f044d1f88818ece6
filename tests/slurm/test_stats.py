"""Unit tests of slurm/lib/stats.py against hand-computed cases (python3 -m unittest)."""
import math
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "slurm", "lib"))
import stats  # noqa: E402


class MeanCi(unittest.TestCase):
    def test_known_case(self):
        # 1..5: mean 3, s = sqrt(2.5), se = sqrt(0.5), t(4) = 2.776: half = 1.96294...
        iv = stats.mean_ci([1, 2, 3, 4, 5])
        self.assertAlmostEqual(iv.mean, 3.0)
        self.assertAlmostEqual(iv.half, 2.776 * math.sqrt(0.5), places=9)
        self.assertEqual(iv.n, 5)

    def test_one_value_has_no_interval(self):
        iv = stats.mean_ci([7.5])
        self.assertEqual((iv.mean, iv.half, iv.n), (7.5, None, 1))

    def test_inf_is_not_averaged(self):
        iv = stats.mean_ci([1.0, math.inf, 2.0])
        self.assertTrue(math.isinf(iv.mean))
        self.assertIsNone(iv.half)

    def test_empty_and_nan_refused(self):
        self.assertRaises(ValueError, stats.mean_ci, [])
        self.assertRaises(ValueError, stats.mean_ci, [1.0, math.nan])

    def test_t_beyond_table(self):
        self.assertEqual(stats.t975(100), 1.960)
        self.assertEqual(stats.t975(2), 4.303)


class Paired(unittest.TestCase):
    def test_known_case(self):
        # differences other - base = -1, -2, -1: mean -4/3, s = sqrt(1/3), se = 1/3, t(2) = 4.303
        base = {1: 10.0, 2: 12.0, 3: 14.0}
        other = {1: 9.0, 2: 10.0, 3: 13.0}
        diff, red = stats.paired(base, other)
        self.assertAlmostEqual(diff.mean, -4.0 / 3.0)
        self.assertAlmostEqual(diff.half, 4.303 / 3.0, places=9)
        # reductions 10%, 16.67%, 7.14%
        r = [10.0, 100.0 * 2 / 12, 100.0 / 14]
        m = sum(r) / 3
        s = math.sqrt(sum((x - m) ** 2 for x in r) / 2)
        self.assertAlmostEqual(red.mean, m)
        self.assertAlmostEqual(red.half, 4.303 * s / math.sqrt(3), places=9)
        self.assertFalse(red.excludes_zero())  # 11.3 ± 12.1: three seeds this spread are not enough
        self.assertFalse(diff.excludes_zero())  # -1.33 ± 1.43
        self.assertTrue(stats.paired({1: 10.0, 2: 12.0, 3: 14.0}, {1: 9.0, 2: 11.1, 3: 13.0})[0].excludes_zero())


    def test_pairing_removes_trace_variance(self):
        # A shift of 1 on every seed: the unpaired intervals overlap, the paired one is exact.
        base = {1: 10.0, 2: 50.0, 3: 90.0}
        other = {s: v - 1.0 for s, v in base.items()}
        a, b = stats.mean_ci(base.values()), stats.mean_ci(other.values())
        self.assertGreater(a.half, 40.0)  # unpaired: the trace's spread swamps the shift of 1
        diff, _ = stats.paired(base, other)
        self.assertAlmostEqual(diff.mean, -1.0)
        self.assertAlmostEqual(diff.half, 0.0)

    def test_only_common_seeds(self):
        diff, _ = stats.paired({1: 2.0, 2: 4.0, 9: 100.0}, {1: 1.0, 2: 3.0, 5: 0.0})
        self.assertEqual(diff.n, 2)
        self.assertAlmostEqual(diff.mean, -1.0)
        self.assertRaises(ValueError, stats.paired, {1: 1.0}, {2: 1.0})

    def test_inf_makes_the_comparison_undefined(self):
        diff, red = stats.paired({1: 5.0, 2: 6.0}, {1: math.inf, 2: 4.0})
        self.assertTrue(math.isnan(diff.mean) and math.isnan(red.mean))
        self.assertEqual(stats.fmt(red), "- (n=2)")

    def test_format(self):
        self.assertEqual(stats.fmt(stats.mean_ci([1, 3])), "2.00 ± 12.71 (n=2)")
        self.assertEqual(stats.fmt(stats.mean_ci([math.inf])), "inf (n=1)")


if __name__ == "__main__":
    unittest.main()
