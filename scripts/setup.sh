#!/usr/bin/env bash
# Installs the Debian packages helm-bench needs, only when one is missing.
# As root it runs apt-get; otherwise it prints the exact apt-get line and stops.
set -euo pipefail
pkgs=(build-essential cmake git pkg-config libopenmpi-dev openmpi-bin libhdf5-dev hdf5-tools
      libboost-program-options-dev libeigen3-dev libopenblas-dev libgtest-dev libgmock-dev
      libbenchmark-dev libfmt-dev nlohmann-json3-dev python3-h5py python3-matplotlib)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
line="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "helm-bench setup: missing packages; run as root:" >&2
  echo "  apt-get update && $line" >&2
  exit 2
fi
echo "helm-bench setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
