#!/usr/bin/env bash
# Builds helm-bench with CUDA for sm_80 and sm_90 (A100, H100/H200) plus the standalone GPU check
# (tools/gpu_check), and packs them with every shared library a bare CUDA machine lacks --
# OpenMPI with its runtime tree and mpirun, PMIx, HDF5, Boost.Program_options, fmt, OpenBLAS,
# hwloc, libevent, ... -- into build-gpu-bundle/helm-gpu-bundle.tar.xz (xz: OpenBLAS alone is
# 36 MB unpacked). Not packed: glibc and CUDA's own libraries (cuBLAS, NCCL: the GPU machine has
# them). Relocatable: env.sh points PATH, LD_LIBRARY_PATH and OpenMPI's OPAL_* / PMIx's
# component path at wherever the tarball was unpacked.
# Run here (it needs the build machine's packages); scripts/gpu-check.sh unpacks it on the GPU
# machine; scripts/check-bundle.sh proves the relocation in a bare Debian 12 chroot.
# Last line: `bundle: PATH (N MiB)`. Env: HELM_BUNDLE_ARCH (default "80;90"), JOBS.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
arch=${HELM_BUNDLE_ARCH:-80;90}
tree=$root/build-bundle-tree           # build trees (ignored; never carried)
dest=$root/build-gpu-bundle            # what travels to the GPU machine: the tarball only
stage=$tree/stage/helm-gpu-bundle
jobs=${JOBS:-2}
export CCACHE_DIR=${CCACHE_DIR:-/work/.ccache} CCACHE_BASEDIR=${CCACHE_BASEDIR:-/work}
launch=(); command -v ccache >/dev/null && launch=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_CUDA_COMPILER_LAUNCHER=ccache)

mkdir -p "$tree"
cmake -S "$root" -B "$tree/build" -DCMAKE_BUILD_TYPE=Release -DHELM_CUDA=ON "-DCMAKE_CUDA_ARCHITECTURES=$arch" \
      "${launch[@]}" >"$tree/configure.log" 2>&1 || { tail -20 "$tree/configure.log"; exit 1; }
cmake --build "$tree/build" -j"$jobs" --target helm-bench test_ratio_broadcast >"$tree/build.log" 2>&1 || { grep -m5 -A5 error "$tree/build.log"; exit 1; }
cmake -S "$root/tools/gpu_check" -B "$tree/gpu_check" -DCMAKE_BUILD_TYPE=Release "-DCMAKE_CUDA_ARCHITECTURES=$arch" \
      -DCMAKE_CUDA_COMPILER=/usr/local/cuda/bin/nvcc "${launch[@]}" >"$tree/gpucheck.log" 2>&1 \
  && cmake --build "$tree/gpu_check" -j"$jobs" >>"$tree/gpucheck.log" 2>&1 || { tail -20 "$tree/gpucheck.log"; exit 1; }

rm -rf "$tree/stage" && mkdir -p "$stage"/{bin,lib,ompi}
cp "$tree/build/bin/helm-bench" "$stage/bin/"
cp "$tree/gpu_check/gpu_check" "$tree/build/tests/test_ratio_broadcast" "$stage/bin/"
# The shipped cost models, where helm-bench looks next to its executable (bin/../share/...):
# `run` resolves --link-like (a100-80gb by default) even on the CPU backend.
mkdir -p "$stage/share/helm-bench/cost_models"
cp "$root"/cost_models/*.json "$stage/share/helm-bench/cost_models/"
strip --strip-unneeded "$stage"/bin/* 2>/dev/null || true

# OpenMPI 4.1 (Debian layout, prefix /usr) mirrored under ompi/ so OPAL_* can relocate it.
# Components for fabrics a single box never uses (and whose libraries would bloat the bundle)
# stay behind; btl self,vader and the local launcher are all `run` needs on one node.
ml=/usr/lib/x86_64-linux-gnu
mkdir -p "$stage/ompi/bin" "$stage/ompi/lib" "$stage/ompi/share" "$stage/ompi/etc" "$stage/pmix"
cp /usr/bin/orterun "$stage/ompi/bin/" && ln -sf orterun "$stage/ompi/bin/mpirun"
[[ -x /usr/bin/orted ]] && cp /usr/bin/orted "$stage/ompi/bin/"
cp -a "$ml/openmpi/lib" "$stage/ompi/lib/"
find "$stage/ompi/lib" \( -name '*.a' -o -name '*.la' -o -name '*java*' -o -name '*mpifh*' -o -name '*usempi*' \
     -o -regex '.*mca_.*\(ofi\|ucx\|openib\|verbs\|psm\|usnic\|portals\|hcoll\|fca\|pvfs2\|lustre\|gpfs\|ime\|ucc\|cuda\|smcuda\)\.so' \) -delete
find "$stage/ompi/lib" -xtype l -delete
cp -a /usr/share/openmpi "$stage/ompi/share/"
cp -a /etc/openmpi/. "$stage/ompi/etc/"
cp -a "$ml/pmix2/lib/pmix" "$stage/pmix/" 2>/dev/null || true
[[ -d /usr/share/pmix ]] && cp -a /usr/share/pmix "$stage/pmix/share"

# Every shared library those binaries and components load, but glibc's and CUDA's.
skip='^(linux-vdso|ld-linux|libc\.so|libm\.so|libdl\.so|libpthread\.so|librt\.so|libresolv\.so|libutil\.so|libcuda\.so|libcublas|libcublasLt|libnccl|libcudart)'
collect() {
  ldd "$1" 2>/dev/null | awk '/=> \//{print $1, $3}' | while read -r name path; do
    [[ $name =~ $skip ]] && continue
    [[ $path == /usr/local/cuda/* ]] && continue
    [[ -e $stage/lib/$name ]] && continue
    cp -L "$path" "$stage/lib/$name"
    collect "$path"
  done
}
for f in "$stage"/bin/* "$stage"/ompi/bin/orterun $(find "$stage/ompi/lib" "$stage/pmix" -name '*.so*' -type f); do collect "$f"; done
# libopen-rte / libmpi themselves: keep one copy (lib/), the ompi tree's are found there too.

cat >"$stage/env.sh" <<'ENV'
# Source me: puts the unpacked bundle on PATH and the library path, and relocates OpenMPI.
b=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export PATH="$b/bin:$b/ompi/bin:$PATH"
export LD_LIBRARY_PATH="$b/lib:$b/ompi/lib/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export OPAL_PREFIX="$b/ompi" OPAL_EXEC_PREFIX="$b/ompi" OPAL_BINDIR="$b/ompi/bin" \
       OPAL_LIBDIR="$b/ompi/lib/lib" OPAL_PKGLIBDIR="$b/ompi/lib/lib/openmpi3" \
       OPAL_DATAROOTDIR="$b/ompi/share" OPAL_DATADIR="$b/ompi/share" OPAL_PKGDATADIR="$b/ompi/share/openmpi" \
       OPAL_SYSCONFDIR="$b/ompi/etc"
export PMIX_MCA_mca_base_component_path="$b/pmix/pmix" PMIX_INSTALL_PREFIX="$b/pmix"
export OMPI_MCA_btl=${OMPI_MCA_btl:-self,vader} OMPI_MCA_btl_vader_single_copy_mechanism=none
export OMPI_MCA_mca_base_component_show_load_errors=0
ENV
{ echo "helm-bench GPU bundle, built $(date -u +%FT%TZ) from $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet || echo -dirty)"
  echo "CUDA architectures: $arch; nvcc $(/usr/local/cuda/bin/nvcc --version | tail -1)"
  echo "needs on the target: glibc >= $(ldd --version | head -1 | awk '{print $NF}'), CUDA 13 runtime libraries (cuBLAS, NCCL) on LD_LIBRARY_PATH"
  echo "libraries carried:"; ls "$stage/lib"; } >"$stage/MANIFEST"

mkdir -p "$dest"
rm -f "$dest"/helm-gpu-bundle.tar.*
tar -C "$tree/stage" -cf - helm-gpu-bundle | xz -T"$jobs" -6 >"$dest/helm-gpu-bundle.tar.xz"
mib=$(( ($(du -sb "$dest" | cut -f1) + 1048575) / 1048576 ))
(( mib < 48 )) || { echo "gpu-bundle: $mib MiB is over the 48 MiB the device machine takes"; exit 1; }
echo "bundle: $dest/helm-gpu-bundle.tar.xz ($mib MiB)"
