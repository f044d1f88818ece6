#!/usr/bin/env bash
# Re-calibrates the shipped cost_models/cpu-small.json (cost_models/README.md): `calibrate` on
# the CPU backend, model `small`, under the current link rule (--link-like a100-80gb), repeated
# REPEATS times; the repeat whose samples took the least total time is kept. On a shared machine
# other processes only ever add time to a measurement, so the fastest repeat is the one closest
# to the CPU's own speed (the same reason the link rule and benchmarks take a minimum or median).
#   scripts/calibrate_cpu_small.sh [BUILD] [REPEATS] [OUT]   (defaults: build 3 cost_models/cpu-small.json)
set -euo pipefail
build=${1:-build}
repeats=${2:-3}
out=${3:-cost_models/cpu-small.json}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for i in $(seq 1 "$repeats"); do
  "$build/bin/helm-bench" calibrate --backend cpu --model small --name cpu-small --out "$tmp/c$i.json" |
    grep -E '^(link|hstu|request path|timers):' | sed "s/^/repeat $i: /"
  echo "repeat $i: load average $(cut -d' ' -f1-3 /proc/loadavg)"
done
best=$(/usr/bin/python3 - "$tmp" "$repeats" <<'PY'
import json, sys
d, n = sys.argv[1], int(sys.argv[2])
total = {i: sum(s["ns"] for s in json.load(open(f"{d}/c{i}.json"))["samples"]) for i in range(1, n + 1)}
for i, t in total.items():
    print(f"repeat {i}: samples total {t / 1e6:.2f} ms", file=sys.stderr)
print(min(total, key=total.get))
PY
)
cp "$tmp/c$best.json" "$out"
echo "kept repeat $best -> $out"
