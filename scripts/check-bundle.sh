#!/usr/bin/env bash
# Second-tier check of the GPU bundle's relocation (scripts/gpu-bundle.sh): runs the bundle's
# helm-bench (CPU backend, `mpirun -np 2 ... run`) inside a fresh Debian 12 minbase chroot that has
# none of MPI, HDF5, Boost or BLAS, with only CUDA's own libraries (/usr/local/cuda, bind-mounted
# read-only) on its library path -- the situation of the lent GPU machine. Needs root,
# debootstrap and network the first time; the chroot tarball is cached under /var/cache.
# Usage: scripts/check-bundle.sh [BUNDLE_DIR]   (default build-gpu-bundle). Exit 0 pass; 77 when
# this machine cannot host the check (no debootstrap, no network for it, no mounts: a container),
# with one "NOT RUN:" line saying which -- never reported as a pass; anything else is a failure.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bundle=$(cd "${1:-$root/build-gpu-bundle}" && pwd)
tarball=$(ls "$bundle"/helm-gpu-bundle.tar.* 2>/dev/null | head -1 || true)
[[ -n $tarball ]] || { echo "check-bundle: no helm-gpu-bundle.tar.* in $bundle (run scripts/gpu-bundle.sh)"; exit 2; }
cache=/var/cache/helm-bench
base=$cache/debian12-minbase.tar.gz
mkdir -p "$cache"
if [[ ! -s $base ]]; then
  command -v debootstrap >/dev/null || { echo "check-bundle: NOT RUN: no debootstrap (apt-get install debootstrap)"; exit 77; }
  tmp=$(mktemp -d)
  echo "check-bundle: debootstrap minbase bookworm (once; cached in $base)"
  debootstrap --variant=minbase bookworm "$tmp" http://deb.debian.org/debian >"$cache/debootstrap.log" 2>&1 \
    || { tail -5 "$cache/debootstrap.log"; rm -rf "$tmp"
         echo "check-bundle: NOT RUN: debootstrap from deb.debian.org failed (network?), log $cache/debootstrap.log"; exit 77; }
  tar -C "$tmp" -czf "$base.part" . && mv "$base.part" "$base"
  rm -rf "$tmp"
fi
jail=$(mktemp -d /tmp/helm-chroot.XXXXXX)
cleanup() {
  for m in usr/local/cuda proc dev; do mountpoint -q "$jail/$m" && umount -l "$jail/$m"; done
  rm -rf --one-file-system "$jail"
}
trap cleanup EXIT
tar -C "$jail" -xzf "$base"
# The chroot must lack what the bundle carries: prove it before trusting the run.
for lib in libmpi.so.40 libhdf5_serial.so.103 libboost_program_options.so.1.74.0 libopenblas.so.0 libblas.so.3 libfmt.so.9; do
  if find "$jail/usr/lib" "$jail/lib" -name "$lib*" 2>/dev/null | grep -q .; then
    echo "check-bundle: the chroot already has $lib"; exit 1
  fi
done
mkdir -p "$jail/usr/local/cuda" "$jail/opt"
mount --bind /usr/local/cuda "$jail/usr/local/cuda" ||
  { echo "check-bundle: NOT RUN: cannot bind-mount (no mount privilege here: a container?)"; exit 77; }
mount -o remount,bind,ro "$jail/usr/local/cuda" 2>/dev/null || true
mount -t proc proc "$jail/proc"
mount --bind /dev "$jail/dev"
tar -C "$jail/opt" -xf "$tarball"
cat >"$jail/opt/check.sh" <<'IN'
set -euo pipefail
cd /tmp
export LD_LIBRARY_PATH=/usr/local/cuda/lib:/usr/local/cuda/lib64
. /opt/helm-gpu-bundle/env.sh
helm-bench --help >/dev/null
helm-bench run --backend cuda --duration 1 >/tmp/refused.log 2>&1 && { echo "cuda accepted without a GPU"; exit 1; } || rc=$?
[ "$rc" = 2 ] || { echo "--backend cuda without a GPU: exit $rc, expected 2"; cat /tmp/refused.log; exit 1; }
echo "refusal: $(head -1 /tmp/refused.log)"
mpirun -np 2 --oversubscribe --bind-to none helm-bench run --qps 20 --duration 2 --warmup-s 0.5 --drain-s 5 \
  --pool-mib 4 --users 200 --items 5000 --slo-ms 500 --out /tmp/bundle-run.h5 >/tmp/run.log 2>&1 \
  || { tail -30 /tmp/run.log; exit 1; }
grep -E "PASS|FAIL|VALID" /tmp/run.log
grep -q "PASS: all" /tmp/run.log
helm-bench report /tmp/bundle-run.h5 | head -3
IN
env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 \
  OMPI_MCA_plm_rsh_agent=false OMPI_MCA_btl=self,vader OMPI_MCA_btl_vader_single_copy_mechanism=none \
  "$(command -v chroot)" "$jail" /bin/bash /opt/check.sh && echo "check-bundle: PASS (bundle ran in a bare Debian 12 chroot)"
