"""For the table-step tests: run scripts/NAME on a hand-made CSV of tests/slurm/data/ with --csv,
in a temporary folder. Returns (markdown on stdout, the CSV's rows)."""
import csv
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def run_table(script, fixture):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "table.csv")
        md = subprocess.run([sys.executable, os.path.join(HERE, "..", "..", "scripts", script),
                             os.path.join(HERE, "data", fixture), "--csv", out],
                            check=True, capture_output=True, text=True).stdout
        return md, list(csv.DictReader(open(out)))
