#!/usr/bin/env bash
# The standalone GPU check (scripts/gpu-check.sh calls it when no bundle was carried; the ctest
# gpu_check_builds builds it here):
#   builds tools/gpu_check for sm_90 with cmake + ninja + nvcc (no MPI, HDF5, Boost, fmt or BLAS
#   needed), runs it, writes $OUT/gpu-check.json (figures + cost model), $OUT/cost-model-cuda.json
#   and $OUT/gpu-check.log, prints a summary. Exit code: 0 pass, 1 parity/cache failure,
#   3 no GPU, other = build failure.
# Options: GPU_CHECK_ARCH (default 90), GPU_CHECK_ARGS (e.g. "--quick" or "--no-bench").
# Expected: ~1-2 min build on 16 cores, ~1-2 min run (the check stops itself at 4 min).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-${OUT:-$root/out/gpu-check}}
mkdir -p "$out"
build=${HELM_GPU_CHECK_BUILD:-$root/build-gpu-check}

nvcc=${CUDACXX:-}
[[ -z $nvcc && -x /usr/local/cuda/bin/nvcc ]] && nvcc=/usr/local/cuda/bin/nvcc
[[ -z $nvcc ]] && nvcc=$(command -v nvcc || true)
[[ -n $nvcc ]] || { echo "gpu-check: no nvcc (set CUDACXX)"; exit 4; }
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true

# PyTorch's CUDA wheels: cuBLAS (if the toolkit lacks it) and NCCL (loaded at run time).
py_find() {
  python3 - "$1" <<'PY' 2>/dev/null || true
import glob, os, sys, importlib.util
want = sys.argv[1]
roots = []
try:
    import nvidia
    roots = list(nvidia.__path__)
except Exception:
    pass
for r in roots:
    hits = sorted(glob.glob(os.path.join(r, "**", want), recursive=True))
    if hits:
        print(hits[0]); break
PY
}
extra=""
if ! ls "$(dirname "$nvcc")"/../lib*/libcublas.so* >/dev/null 2>&1 && ! ls /usr/local/cuda/lib*/libcublas.so* >/dev/null 2>&1; then
  hdr=$(py_find cublas_v2.h)
  [[ -n $hdr ]] && extra=$(dirname "$(dirname "$hdr")")
  echo "gpu-check: cuBLAS from the Python wheel: ${extra:-not found}"
fi
if [[ -z ${HELM_NCCL_LIB:-} ]]; then
  HELM_NCCL_LIB=$(py_find libnccl.so.2)
  [[ -z $HELM_NCCL_LIB ]] && HELM_NCCL_LIB=$(ls /usr/local/cuda/lib*/libnccl.so.2 2>/dev/null | head -1 || true)
fi
export HELM_NCCL_LIB
echo "gpu-check: nvcc $nvcc; NCCL ${HELM_NCCL_LIB:-not found}"

t0=$(date +%s)
cmake -S "$root/tools/gpu_check" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_CUDA_COMPILER="$nvcc" -DCMAKE_CUDA_ARCHITECTURES="${GPU_CHECK_ARCH:-90}" \
      ${extra:+-DHELM_CUDA_EXTRA="$extra"} >"$out/build.log" 2>&1 || { tail -30 "$out/build.log"; exit 4; }
cmake --build "$build" -j"$(nproc)" >>"$out/build.log" 2>&1 || { grep -A5 -m5 "error" "$out/build.log"; tail -20 "$out/build.log"; exit 4; }
echo "gpu-check: built in $(( $(date +%s) - t0 )) s"

set +e
timeout 240 "$build/gpu_check" --out "$out/gpu-check.json" --cost-model "$out/cost-model-cuda.json" \
  ${GPU_CHECK_ARGS:-} 2>&1 | tee "$out/gpu-check.log"
rc=${PIPESTATUS[0]}
set -e
[[ $rc == 124 ]] && echo "gpu-check: the check ran past 4 minutes and was stopped"
echo "gpu-check: exit $rc, total $(( $(date +%s) - t0 )) s; files in $out"
exit "$rc"
