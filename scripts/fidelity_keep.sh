#!/usr/bin/env bash
# Keeps what docs/FIDELITY.md needs of scripts/fidelity.sh's passes (the results files stay behind):
# per pass the machine/calibration/fidelity logs, the calibrated cost model, fidelity.csv and the
# capacity log, and two analyses: scripts/fidelity_batches.py (batches.txt, batches.csv) and, where
# the calibration has the idle penalty or the forward spread, scripts/fidelity_terms_ab.py
# (terms_ab.md; re-runs `sim` without each).
#   scripts/fidelity_keep.sh OUT DEST [BUILD]     (passes are renumbered after those in DEST)
set -euo pipefail
src=$1 dst=$2 build=${3:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$dst"
n=$(ls -d "$dst"/pass-* 2>/dev/null | wc -l || true)
for p in $(ls -d "$src"/pass-* | sort -V); do
  n=$((n + 1))
  d=$dst/pass-$n
  mkdir -p "$d/fid"
  cp "$p/machine.txt" "$p/calibrate.log" "$p/fidelity.log" "$p/cpu-here.json" "$d/"
  cp "$p/fid/fidelity.csv" "$p/fid/capacity.log" "$d/fid/"
  /usr/bin/python3 "$root/scripts/fidelity_batches.py" "$p" --csv "$d/batches.csv" > "$d/batches.txt"
  if grep -qE '"(idle_penalty|spread_quantiles)"' "$p/cpu-here.json"; then
    /usr/bin/python3 "$root/scripts/fidelity_terms_ab.py" "$build/bin/helm-bench" "$p" > "$d/terms_ab.md"
  fi
  echo "$p -> $d"
done
