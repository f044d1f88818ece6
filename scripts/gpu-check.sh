#!/usr/bin/env bash
# The one command a session with a GPU runs (device tool: `run` with carry ["build-gpu-bundle"],
# command "bash scripts/gpu-check.sh", timeout_s 330). It stops itself within 5 minutes
# (GPU_CHECK_BUDGET_S, default 285), so a second call fits the 15-minute device budget.
# With the bundle (scripts/gpu-bundle.sh, run on the build machine) it runs, each step under
# its own time limit:
#   standalone  tools/gpu_check (parity of the CUDA forward vs CPU and float64, the caches over a
#               CudaDevice, kernel timings), prebuilt in the bundle, --quick;
#   forward     helm-bench forward --backend cuda against the CPU backend's scores, same weights;
#   run         mpirun -np 2 helm-bench run --backend cuda (rank 0 + one GPU worker) on the ml-20m
#               profile at static:0.3 (with a 1 GiB host KV tier), static:0.7 and mrc; each file
#               read back with h5py (host-tier bytes and NVML readings printed);
#   calibrate   calibrate --backend cuda, a measured cost model named by the device;
#   nccl        the ratio broadcast over NCCL on a one-worker communicator.
# Without the bundle it falls back to building and running the standalone check only.
# Prints one summary (also $OUT/summary.txt); files under $OUT. Exit: 0 all passed, 1 a step
# failed, 3 no GPU.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-${OUT:-$root/out/gpu-check}}
mkdir -p "$out"
t_start=$(date +%s)
deadline=$(( t_start + ${GPU_CHECK_BUDGET_S:-285} ))
summary=$out/summary.txt
: >"$summary"
note() { echo "$*" | tee -a "$summary"; }
fails=0

tarball=$root/build-gpu-bundle/helm-gpu-bundle.tar.xz
if [[ ! -f $tarball ]]; then
  note "gpu-check: no bundle ($tarball): standalone check only"
  bash "$root/scripts/gpu-check-standalone.sh" "$out"; exit $?
fi
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv,noheader | tee "$out/nvidia-smi.txt"

# Unpack; CUDA's own libraries (cuBLAS from the toolkit or a wheel, NCCL from its wheel) are the
# machine's, everything else the bundle's.
dir=${TMPDIR:-/tmp}/helm-gpu-bundle.$$
mkdir -p "$dir"
if ! tar -C "$dir" -xJf "$tarball" 2>/dev/null; then
  python3 -c "import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])" "$tarball" "$dir" || { note "gpu-check: cannot unpack the bundle"; exit 1; }
fi
# shellcheck disable=SC1091
source "$dir/helm-gpu-bundle/env.sh"
wheel_dirs=$(python3 - <<'PY' 2>/dev/null
import glob, os
try:
    import nvidia
    roots = list(nvidia.__path__)
except Exception:
    roots = []
seen = []
for r in roots:
    for lib in ("libnccl.so.2", "libcublas.so.13", "libcublasLt.so.13"):
        for h in glob.glob(os.path.join(r, "**", lib), recursive=True):
            d = os.path.dirname(h)
            if d not in seen:
                seen.append(d)
print(":".join(seen))
PY
)
export LD_LIBRARY_PATH="/usr/local/cuda/lib64:/usr/local/cuda/lib${wheel_dirs:+:$wheel_dirs}:$LD_LIBRARY_PATH"
source "$root/scripts/mpi-env.sh"
head -3 "$dir/helm-gpu-bundle/MANIFEST" | tee -a "$summary"
missing=$(ldd "$(command -v helm-bench)" | grep "not found" || true)
[[ -z $missing ]] || { note "gpu-check: helm-bench lacks libraries: $missing"; exit 1; }

# step NAME LIMIT_S CMD...: runs under min(LIMIT_S, time left), logs to $out/NAME.log.
step() {
  local name=$1 limit=$2; shift 2
  local left=$(( deadline - $(date +%s) - 3 ))
  (( left < limit )) && limit=$left
  if (( limit < 10 )); then note "$(printf '%-22s SKIPPED (no time left)' "$name")"; fails=$((fails + 1)); return 1; fi
  local t0=$(date +%s) rc=0
  timeout "$limit" "$@" >"$out/$name.log" 2>&1 || rc=$?
  local verdict=PASS
  (( rc == 0 )) || { verdict=FAIL; fails=$((fails + 1)); }
  (( rc == 124 )) && verdict="FAIL (stopped at ${limit} s)"
  note "$(printf '%-22s %s (exit %d, %d s)' "$name" "$verdict" "$rc" $(( $(date +%s) - t0 )))"
  return $rc
}

step standalone 100 gpu_check --quick --out "$out/gpu-check.json" --cost-model "$out/cost-model-gpucheck.json"
if grep -q "no CUDA device\|no GPU" "$out/standalone.log" && ! nvidia-smi >/dev/null 2>&1; then note "gpu-check: no GPU"; exit 3; fi

fwd() {
  set -e
  helm-bench forward --init small --in "$out/fwd.h5" --out "$out/fwd-cpu.h5" --items 2000
  for p in fp32 tf32 bf16; do helm-bench forward --backend cuda --precision $p --in "$out/fwd.h5" --out "$out/fwd-cuda-$p.h5"; done
  python3 - "$out" <<'PY'
import sys, h5py, numpy as np
o = sys.argv[1]
ref = h5py.File(f"{o}/fwd-cpu.h5")["/output/scores"][()]
tol = {"fp32": 1e-4, "tf32": 2e-2, "bf16": 5e-2}
bad = 0
for p, t in tol.items():
    s = h5py.File(f"{o}/fwd-cuda-{p}.h5")["/output/scores"][()]
    err = float(np.max(np.abs(s - ref)) / max(1e-6, float(np.max(np.abs(ref)))))
    print(f"forward {p}: {len(s)} scores, max |cuda - cpu| / max |cpu| = {err:.2e} (tolerance {t:g})")
    bad |= err > t or len(s) != len(ref)
sys.exit(bad)
PY
}
step forward 40 fwd && grep "^forward" "$out/forward.log" | tee -a "$summary"

run_one() {  # POLICY TAG [EXTRA OPTIONS...]
  set -e
  "${HELM_MPIRUN[@]}" -np 2 helm-bench run --backend cuda --dataset ml-20m --qps 200 --duration 6 --warmup-s 1 \
    --drain-s 4 --slo-ms 50 --pool-mib 4096 --memory-policy "$1" --control-interval-ms 500 --out "$out/run-$2.h5" "${@:3}"
  python3 - "$out/run-$2.h5" <<'PY'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1])
r = f["/requests"][()]
print("h5py:", len(r), "requests,", len(f["/nodes"]), "node rows,", len(f["/controller"]), "controller rows;",
      "gpu:", f.attrs.get("gpu_devices", b"?"), "ratios:", f.attrs.get("ratio_transport", b"?"))
n = f["/nodes"][()]
print("h5py: host-tier K/V onboarded", int(n["h2d_kv_bytes"].sum()), "B; NVML power max",
      float(n["gpu_power_w"].max()), "W, SM clock max", float(n["gpu_sm_clock_mhz"].max()), "MHz (-1: no NVML)")
# What a KV hit is worth on the GPU (mrc: measured at start-up through the CUDA forward timer).
print("h5py: kv_hit_worth:", f.attrs.get("kv_hit_worth", b"?"), "| kv_hit_ns_per_token",
      f.attrs.get("kv_hit_ns_per_token", "?"), "| forward_ns_per_token", f.attrs.get("forward_ns_per_token", "?"))
PY
}
for pol in static:0.3 static:0.7 mrc; do
  tag=${pol/:/}
  extra=(); [ "$pol" = static:0.3 ] && extra=(--host-kv-mib 1024)  # the host KV tier's copy-stream path
  step "run-$tag" 45 run_one "$pol" "$tag" "${extra[@]}" && grep -E "latency P99 |SLO satisfaction|EMB hit|KV hit|PASS|VALID|h5py" "$out/run-$tag.log" | sed 's/^/    /' | tee -a "$summary"
done

cal() {
  set -e
  helm-bench calibrate --backend cuda --model small --reps 5 --out "$out/calibrated.json"
  name=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['name'])" "$out/calibrated.json")
  mkdir -p "$out/cost_models" && cp "$out/calibrated.json" "$out/cost_models/$name.json"
  echo "cost model: cost_models/$name.json"
}
step calibrate 60 cal && grep -E "cost model:|link:|hstu" "$out/calibrate.log" | sed 's/^/    /' | tee -a "$summary"

step nccl 30 env HELM_RATIO_NCCL=1 "${HELM_MPIRUN[@]}" -x HELM_RATIO_NCCL -np 2 "$dir/helm-gpu-bundle/bin/test_ratio_broadcast"
grep -q "transport nccl" "$out/nccl.log" || { note "    nccl: the broadcast did not use NCCL: $(grep transport "$out/nccl.log")"; fails=$((fails + 1)); }
grep "transport" "$out/nccl.log" | sed 's/^/    /' | tee -a "$summary"

note "gpu-check: $fails failed step(s), $(( $(date +%s) - t_start )) s; files in $out"
rm -rf "$dir"
(( fails == 0 ))
