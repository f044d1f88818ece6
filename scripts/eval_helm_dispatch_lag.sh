#!/usr/bin/env bash
# Dispatch-lag P99 in a real `run` (1 scheduler + 3 workers, CPU backend) with HELM's adapter
# training on and off: `--memory-policy helm:POLICY` (all three layers, adapter trained online on
# rank 0's background thread) against `helm:POLICY,adapter=off`, the same load and trace, REPS
# repetitions each, alternating on/off/off/on/... so a drift of the shared machine's load falls on
# both. every=8 with 100 ms windows: an adapter update about every 0.8 s (every=64 would train
# 5 times in 30 s). The figure is the results file's dispatch-lag P99 (the report's
# dispatch_lag_p99_ms: scheduled arrival -> handed to a worker, every measured request).
#   scripts/eval_helm_dispatch_lag.sh [BIN] [OUT.csv] [REPS]   (default docs/data/helm-dispatch-lag.csv, 3)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(realpath "${1:-$root/build/bin/helm-bench}")
out=${2:-$root/docs/data/helm-dispatch-lag.csv}
reps=${3:-3}
source "$root/scripts/mpi-env.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
policy=$root/policies/helm-a100-80gb.h5
echo "rep,adapter,dispatch_lag_p99_ms,p99_all_ms,slo_pct,decision_ns_p50,decision_ns_p99,residual_nonzero,load_avg_1m" > "$out"
one() {  # REP on|off
  local spec="helm:$policy,every=8"
  [ "$2" = off ] && spec+=",adapter=off"
  local load
  load=$(cut -d' ' -f1 /proc/loadavg)
  "${HELM_MPIRUN[@]}" -np 4 "$bin" run --dataset taobao --scale 0.1 --qps 30 --duration 30 --seed 1 \
    --control-interval-ms 100 --memory-policy "$spec" --out "$tmp/r.h5" > "$tmp/o.txt" 2>&1 \
    || { cat "$tmp/o.txt" >&2; exit 1; }
  "$bin" report "$tmp/r.h5" --format csv > "$tmp/r.csv"
  /usr/bin/python3 - "$tmp/r.csv" "$tmp/r.h5" "$1" "$2" "$load" >> "$out" <<'PY'
import csv, sys, h5py, numpy as np
row = next(csv.DictReader(open(sys.argv[1])))
c = h5py.File(sys.argv[2], "r")["controller"][...]
ns = np.sort(c["decision_ns"])
pct = lambda q: int(ns[min(len(ns) - 1, int(np.ceil(q / 100 * len(ns))) - 1)])  # nearest rank
print("%s,%s,%s,%s,%s,%d,%d,%d,%s" % (sys.argv[3], sys.argv[4], row["dispatch_lag_p99_ms"], row["p99_all_ms"],
      row["slo_pct"], pct(50), pct(99), int((c["residual_part"] != 0).sum()), sys.argv[5]))
PY
  tail -1 "$out"
}
for r in $(seq 1 "$reps"); do
  if [ $((r % 2)) = 1 ]; then one "$r" on; one "$r" off; else one "$r" off; one "$r" on; fi
done
/usr/bin/python3 "$root/scripts/eval_helm_dispatch_lag_table.py" "$out"
