"""scripts/eval_helm_ablation_table.py on a tiny hand-made CSV (data/helm_ablation_tiny.csv),
against values worked out by hand.

Cell trend/0.5 (seeds 1-3): base 10/12/14, base+adapter 9/10.8/12.6 (10% lower on every seed: CI
10 +- 0, "lower"); all three equal base+adapter (0 +- 0: "n.s."); static 0.2 equals all three
(0: "n.s."); mrc 8/9.6/11.2, so all three are 12.5% above it on every seed ("higher").
Cell burst/0.85: seed 1 is inf for every form, so every paired figure is undefined ("-")."""
import unittest

from table_fixture import run_table


class HelmAblationTable(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        _, rows = run_table("eval_helm_ablation_table.py", "helm_ablation_tiny.csv")
        cls.rows = {r["regime"]: r for r in rows}

    def test_adapter_and_references(self):
        t = self.rows["trend"]
        self.assertAlmostEqual(float(t["adapter_reduction_pct"]), 10.0, places=6)
        self.assertEqual(t["adapter_verdict"], "lower")
        self.assertAlmostEqual(float(t["burst_reduction_pct"]), 0.0, places=6)
        self.assertEqual(t["burst_verdict"], "n.s.")
        self.assertEqual(t["vs_static_verdict"], "n.s.")
        self.assertAlmostEqual(float(t["vs_mrc_reduction_pct"]), -12.5, places=6)
        self.assertEqual(t["vs_mrc_verdict"], "higher")
        self.assertEqual(t["burst_decisions_helm"], "50.0")

    def test_inf_makes_comparisons_undefined(self):
        b = self.rows["burst"]
        for k in ("adapter", "burst", "vs_static", "vs_mrc"):
            self.assertEqual(b[k + "_verdict"], "-")
            self.assertEqual(b[k + "_reduction_pct"], "")


if __name__ == "__main__":
    unittest.main()
