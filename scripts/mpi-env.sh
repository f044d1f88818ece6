# Sourced by the scripts and CTest: what OpenMPI needs on a single box as root, without ssh,
# with more ranks than cores. Set here, never inside the binary.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
command -v ssh >/dev/null 2>&1 || export OMPI_MCA_plm_rsh_agent=false
# Keep OpenMPI from probing network interfaces it cannot use in containers.
export OMPI_MCA_btl=self,vader OMPI_MCA_btl_vader_single_copy_mechanism=none
HELM_MPIRUN=(mpirun --oversubscribe --bind-to none)
