// The ratio vector from rank 0 (the memory controller) to every worker, and which GPU a worker
// rank drives.
//
// GPUs. One worker rank per GPU. Ranks of one node are found with MPI_Comm_split_type(SHARED)
// (works under mpirun and srun alike; OMPI_COMM_WORLD_LOCAL_RANK is not needed) and numbered in
// world-rank order among the ranks that own a GPU on that node: the scheduler (rank 0) owns none
// unless `scheduler_owns_gpu`, so on the node it shares, worker 1 gets GPU 0, worker 2 GPU 1, ...
//
// Transport. NCCL refuses two ranks on one GPU, so the NCCL communicator spans the worker ranks
// only (one per GPU). Its unique id comes from the NCCL root (the first worker) and reaches the
// other workers by MPI_Bcast over the workers' communicator. Each broadcast: rank 0 hands the
// ratio vector to the NCCL root by MPI (a small eager send: rank 0 does not wait on workers),
// then the root broadcasts it with ncclBroadcast on its GPU. MPI fallback (MPI_Bcast from rank 0
// over all ranks) when NCCL is not compiled in, a worker has no GPU, a node has more workers than
// GPUs, HELM_NCCL=0 is set, or NCCL initialisation fails on any rank: every rank agrees on the
// transport (an MPI_Allreduce at construction), so the collectives always match.
//
// Threading: every call is collective over `world` (or the workers) and must be made by one
// thread per rank, in the same order on every rank.
#pragma once
#include <mpi.h>

#include <memory>
#include <string>
#include <vector>

namespace helm {

struct LocalDevice {
  int node_index = 0;     // this rank among the GPU-owning ranks of its node (-1: owns none)
  int node_owners = 0;    // GPU-owning ranks on this node
  int device_count = 0;   // GPUs visible to this process (0 without CUDA or a driver)
  int device = -1;        // the GPU this rank drives (-1: none)
  bool oversubscribed = false;  // more owners on the node than GPUs (NCCL then refused)
};

// Collective over `world`. Does not call cudaSetDevice.
LocalDevice choose_local_device(MPI_Comm world, int scheduler_rank = 0, bool scheduler_owns_gpu = false);

class RatioBroadcast {
 public:
  // Collective over `world`; n = ratio vector length (the same on every rank). Sets the worker's
  // device (cudaSetDevice) when NCCL is used. want_nccl = false forces the MPI path.
  RatioBroadcast(MPI_Comm world, int n, const LocalDevice& dev, int scheduler_rank = 0,
                 bool want_nccl = true);
  ~RatioBroadcast();
  RatioBroadcast(const RatioBroadcast&) = delete;
  RatioBroadcast& operator=(const RatioBroadcast&) = delete;

  // Collective over `world`: the scheduler rank passes the ratios (size n), every worker gets
  // them in `ratios` (resized to n). Workers return once their copy is on the host.
  void broadcast(std::vector<double>& ratios);

  bool uses_nccl() const { return nccl_; }
  const char* transport() const { return nccl_ ? "nccl" : "mpi"; }
  // Why the MPI path was taken ("" when NCCL is used): recorded in the run's provenance.
  const std::string& fallback_reason() const { return why_; }
  static constexpr int kTag = 101;  // scheduler -> NCCL root message (outside mpi_util.h's tags)

 private:
  struct Nccl;
  MPI_Comm world_;
  MPI_Comm workers_ = MPI_COMM_NULL;
  int n_, rank_, scheduler_, root_world_ = -1;
  bool nccl_ = false;
  std::string why_;
  std::unique_ptr<Nccl> impl_;
};

}  // namespace helm
