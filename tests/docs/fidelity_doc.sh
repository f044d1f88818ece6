#!/usr/bin/env bash
# docs/FIDELITY.md's generated parts (the summary table and the per-pass figures) regenerate byte
# for byte from the kept passes in docs/data/fidelity, and the docs' ablation and dispatch-lag
# tables from their CSVs: a figure edited by hand, or kept data that no longer matches, fails.
#   tests/docs/fidelity_doc.sh SOURCE_DIR
set -euo pipefail
src=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$src/docs/FIDELITY.md" "$tmp/FIDELITY.md"
/usr/bin/python3 "$src/scripts/fidelity_doc.py" "$src/docs/data/fidelity" "$tmp/FIDELITY.md"
diff -u "$src/docs/FIDELITY.md" "$tmp/FIDELITY.md" || { echo "FAIL: docs/FIDELITY.md differs from fidelity_doc.py's output"; exit 1; }
# Each table printed by a table script stands in docs/HELM_POLICY.md, line for line.
check() {  # check NAME COMMAND...
  local name=$1; shift
  "$@" > "$tmp/$name.md"
  grep '^|' "$tmp/$name.md" | while IFS= read -r line; do
    grep -qxF -- "$line" "$src/docs/HELM_POLICY.md" || { echo "FAIL: $name: row not in docs/HELM_POLICY.md: $line"; exit 1; }
  done
}
check ablation /usr/bin/python3 "$src/scripts/eval_helm_ablation_table.py" "$src/docs/data/helm-ablation-runs.csv" --csv "$tmp/abl.csv"
check dispatch-lag /usr/bin/python3 "$src/scripts/eval_helm_dispatch_lag_table.py" "$src/docs/data/helm-dispatch-lag.csv"
echo "ok: docs/FIDELITY.md and HELM_POLICY.md's ablation and dispatch-lag tables regenerate from their data"
