# Sourced by the experiments' Slurm tests (experiments_tiny.sh, experiments_real_tiny.sh) after
# `src=SOURCE_DIR bench=HELM_BENCH`: skips (77) unless root, starts a private local Slurm (2 CPUs,
# a free port pair, its state in a fresh folder $tmp) with the experiments' tiny settings, and stops
# it and removes $tmp on exit. The caller names its log files $tmp/*.log; fail MESSAGE prints them.
[ "$(id -u)" -eq 0 ] || { echo "SKIP: the local Slurm needs root"; exit 77; }
command -v slurmctld >/dev/null || [ -x /usr/sbin/slurmctld ] ||
  { echo "FAIL: slurm-wlm is not installed (scripts/setup.sh installs it)"; exit 1; }
tmp=$(mktemp -d /tmp/helm-exp-test.XXXXXX)
chmod 0755 "$tmp"  # munged runs as user munge and must reach its folder inside
export HELM_SLURM_DIR=$tmp/slurm HELM_SLURM_PORT=auto HELM_BENCH=$bench HELM_SLURM_CPUS=2
export HELM_EXP_TINY=1 HELM_EXP_RESULTS=$tmp/res EXP_WORKLOADS=steady
unset SLURM_CONF
cleanup() { "$src/slurm/local-cluster.sh" stop >/dev/null 2>&1 || true; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; for f in "$tmp"/*.log; do echo "--- $f"; tail -n 30 "$f"; done; exit 1; }
"$src/slurm/local-cluster.sh" start >/dev/null
eval "$("$src/slurm/local-cluster.sh" env)"
