# Sourced by the scripts and CTest: what OpenMPI needs on a single box as root, without ssh,
# with more ranks than cores. Set here, never inside the binary.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
command -v ssh >/dev/null 2>&1 || export OMPI_MCA_plm_rsh_agent=false
# Keep OpenMPI from probing network interfaces it cannot use in containers.
export OMPI_MCA_btl=self,vader OMPI_MCA_btl_vader_single_copy_mechanism=none
# With --oversubscribe OpenMPI makes idle MPI calls sched_yield(); in rank 0's non-blocking
# polls that handed the core away for up to ~1.5 ms and showed up as dispatch lag. Rank 0 and the
# workers sleep explicitly in their idle loops instead.
export OMPI_MCA_mpi_yield_when_idle=0
HELM_MPIRUN=(mpirun --oversubscribe --bind-to none)
