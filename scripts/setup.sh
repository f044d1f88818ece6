#!/usr/bin/env bash
# Installs the Debian packages helm-bench needs, only when one is missing.
# As root on Debian/Ubuntu it runs apt-get. Otherwise it installs nothing: without root it prints
# the apt-get line (and exits 2 when a build package is missing); elsewhere (a cluster without
# apt) it prints what to load, and CMake finds it there (README: "Sites without root").
set -euo pipefail
pkgs=(build-essential cmake git pkg-config libopenmpi-dev openmpi-bin libhdf5-dev hdf5-tools
      libboost-program-options-dev libeigen3-dev libopenblas-dev libgtest-dev libgmock-dev
      libbenchmark-dev libfmt-dev nlohmann-json3-dev python3-h5py python3-matplotlib
      clang-14 libclang-rt-14-dev)  # the second tier's sanitizer and libFuzzer builds
# The single-node Slurm of slurm/local-cluster.sh and its test (they need root anyway), and the
# second tier's GPU bundle check (scripts/check-bundle.sh: a bare Debian chroot, root too).
cluster_pkgs=(slurm-wlm munge procps debootstrap xz-utils)

debian=0
if command -v dpkg-query >/dev/null && [ -r /etc/os-release ] &&
   grep -qiE '^(ID|ID_LIKE)=.*(debian|ubuntu)' /etc/os-release; then
  debian=1
fi
if [ $debian -eq 0 ]; then
  cat >&2 <<'MSG'
helm-bench setup: not Debian/Ubuntu: nothing installed. Load (names vary by site), e.g.
  module load gcc cmake openmpi hdf5 boost openblas
and give CMake the prefixes it cannot find by itself:
  cmake -S . -B build -DCMAKE_PREFIX_PATH="$EIGEN_ROOT;$FMT_ROOT;$GTEST_ROOT;$BENCHMARK_ROOT;$NLOHMANN_JSON_ROOT" \
        -DMPI_HOME="$MPI_HOME" -DHDF5_ROOT="$HDF5_ROOT"
Needed: C++20 compiler, CMake >= 3.22, MPI, HDF5 (C), Boost.Program_options, Eigen3, OpenBLAS,
fmt, nlohmann_json, GoogleTest, Google Benchmark; Slurm for slurm/ (the site's own).
MSG
  exit 0
fi
missing() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
  done
}
mapfile -t need < <(missing "${pkgs[@]}")
mapfile -t need_cluster < <(missing "${cluster_pkgs[@]}")
all=("${need[@]}" "${need_cluster[@]}")
[ ${#all[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "helm-bench setup: missing packages; run as root:" >&2
  echo "  apt-get update && apt-get install -y --no-install-recommends ${all[*]}" >&2
  if [ ${#need[@]} -gt 0 ]; then
    echo "  (or load them as modules: scripts/setup.sh on a non-Debian machine says how)" >&2
    exit 2
  fi
  exit 0  # only the local Slurm is missing: it needs root anyway, its test skips without it
fi
echo "helm-bench setup: installing ${all[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${all[@]}"
