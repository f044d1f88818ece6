#!/usr/bin/env bash
# `cmake --install` to a temporary prefix, the prefix moved elsewhere (relocatable), then a tiny
# `sim` from there, outside the checkout: it must use the installed cost models, and the
# installed Slurm scripts must find the installed binary.
# Usage: install_tree.sh CMAKE_COMMAND BUILD_DIR
set -euo pipefail
cmake=$1 build=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
"$cmake" --install "$build" --prefix "$tmp/prefix" >/dev/null
for f in bin/helm-bench share/helm-bench/cost_models/cpu-small.json share/helm-bench/cost_models/a100-80gb.json \
         share/helm-bench/slurm/helm.sbatch share/helm-bench/slurm/sweep.sh share/helm-bench/slurm/collect.sh \
         share/helm-bench/slurm/local-cluster.sh share/helm-bench/slurm/README.md; do
  [ -e "$tmp/prefix/$f" ] || fail "cmake --install did not install $f"
done
[ -x "$tmp/prefix/share/helm-bench/slurm/sweep.sh" ] || fail "installed sweep.sh is not executable"
mv "$tmp/prefix" "$tmp/moved"
p=$tmp/moved
cd "$tmp"
env -u HELM_COST_MODELS HELM_PROGRESS=off "$p/bin/helm-bench" sim --nodes 2 --cost-model cpu-small --duration 2 \
  --qps 50 --pool-mib 4 --users 200 --items 5000 --out "$tmp/sim.h5" >"$tmp/sim.log" 2>&1 ||
  { cat "$tmp/sim.log"; fail "sim from the installed tree failed"; }
grep -qF "cost model cpu-small ($p/share/helm-bench/cost_models/cpu-small.json)" "$tmp/sim.log" ||
  { grep "cost model" "$tmp/sim.log"; fail "the installed binary did not use the installed cost models"; }
grep -q "PASS: all" "$tmp/sim.log" || fail "no PASS verdict"
[ "$("$p/bin/helm-bench" report --status "$tmp/sim.h5" | cut -f1,2)" = "complete	PASS" ] || fail "results file not complete"
cat >"$tmp/s.ini" <<'INI'
[sweep]
name = inst
[axes]
mode = sim
seed = 1 2
INI
env -u HELM_BENCH "$p/share/helm-bench/slurm/sweep.sh" --dry-run "$tmp/s.ini" >"$tmp/dry.log"
grep -qF "HELM_BENCH=$p/bin/helm-bench" "$tmp/dry.log" || { cat "$tmp/dry.log"; fail "installed sweep.sh did not find the installed helm-bench"; }
echo "PASS: installed tree runs from $p"
