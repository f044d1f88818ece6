# Sourced by the fault tests: rank_pid MPIRUN_PID RANK [TRIES] prints the PID of the helm-bench
# child of mpirun whose environment says OMPI_COMM_WORLD_RANK=RANK, polling every 0.1 s up to
# TRIES times (default 100); prints nothing if none appeared.
rank_pid() {
  local launcher=$1 rank=$2 tries=${3:-100} p
  for _ in $(seq 1 "$tries"); do
    for p in $(pgrep -P "$launcher"); do
      if tr '\0' '\n' < "/proc/$p/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=$rank"; then
        echo "$p"
        return 0
      fi
    done
    sleep 0.1
  done
}
