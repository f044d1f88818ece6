#!/usr/bin/env bash
# Fidelity under load: regenerates the figures of docs/FIDELITY.md. Each pass calibrates a CPU
# cost model on this machine (`calibrate`), measures the saturation throughput of the real run
# config (`fidelity` runs `capacity --mode run` itself), then runs `run` (1 + 2 ranks) and `sim`
# (2 nodes) at 0.3, 0.6 and 0.85 of it. The machine's load average is recorded around each step:
# on a shared box it decides how much CPU the real workers get.
#   scripts/fidelity.sh [BUILD] [OUTDIR] [PASSES] [DURATION_S] [WORKERS]   (defaults: build /tmp/fidelity 2 10 2)
# Passes already in OUTDIR are kept: new ones are numbered after them (pass-N, WORKERS in the name
# when not 2).
# Then scripts/fidelity_doc.py OUTDIR docs/FIDELITY.md rewrites the generated part of the doc.
set -euo pipefail
build=${1:-build}
out=${2:-/tmp/fidelity}
passes=${3:-2}
duration=${4:-10}
workers=${5:-2}
bin=$build/bin/helm-bench
source "$(dirname "$0")/mpi-env.sh"
export HELM_PROGRESS=off
mkdir -p "$out"
# The real run config of docs/FIDELITY.md; `fidelity` gives sim the same trace and pool.
config=(--dataset ml-20m --scale 0.01 --model small --duration "$duration")
first=$(($(ls -d "$out"/pass-* 2>/dev/null | wc -l || true) + 1))  # ls fails on a new OUTDIR
for p in $(seq "$first" $((first + passes - 1))); do
  d=$out/pass-$p
  [ "$workers" = 2 ] || d=$out/pass-$p-workers-$workers
  mkdir -p "$d"
  { echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"; echo "cores: $(nproc)"; echo "uptime before: $(uptime)"; } > "$d/machine.txt"
  "$bin" calibrate --backend cpu --model small --out "$d/cpu-here.json" --name cpu-here > "$d/calibrate.log" 2>&1
  "$bin" fidelity --cost-model "$d/cpu-here.json" --workers "$workers" --loads 0.3,0.6,0.85 "${config[@]}" \
    --out-dir "$d/fid" > "$d/fidelity.log" 2>&1
  echo "uptime after: $(uptime)" >> "$d/machine.txt"
  echo "command: $bin fidelity --cost-model $d/cpu-here.json --workers $workers --loads 0.3,0.6,0.85 ${config[*]} --out-dir $d/fid" >> "$d/machine.txt"
  tail -n 1 "$d/fidelity.log"
done
