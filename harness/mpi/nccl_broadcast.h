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
// then the root broadcasts it with ncclBroadcast on its GPU. MPI fallback (MPI_Ibcast from rank 0
// over all ranks) when NCCL is not compiled in, the backend is cpu, a worker has no GPU, a node
// has more workers than GPUs, HELM_NCCL=0 is set, or NCCL initialisation fails on any rank: every
// rank agrees on the transport (MPI_Allreduce at construction), so the collectives always match.
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

// The control loop's ratio vector from rank 0 to every worker, one frame (ratio_frame.h) per
// control interval. Nothing here blocks a serving loop: rank 0 posts and returns; a worker polls
// at batch boundaries and gets the newest frame that has arrived. The transport is chosen here
// and only here (the constructor), and every rank agrees on it:
//   nccl  rank 0 sends each frame to the NCCL root (the first worker) by MPI_Isend; the root's
//         poll forwards it to a side thread that posts ncclBroadcast over the workers'
//         communicator; every other worker's side thread posts the matching ncclBroadcast and
//         waits for it on its own stream (never the serving thread, never cudaDeviceSynchronize).
//   mpi   MPI_Ibcast from rank 0 over a duplicate of `world` (the CPU backend, or any NCCL
//         fallback): rank 0 may have several in flight; each worker keeps one posted and tests
//         it when it polls.
// A worker stops posting after the frame flagged last, so collectives always match and
// finish() cannot hang as long as rank 0 posted a last frame.
//
// Threading: construction, post, poll and finish are called by one thread per rank (MPI's
// FUNNELED level is enough: the NCCL side thread makes no MPI calls).
// Collective over `world`: each rank's GPU ("" for none) described (gpu_probe.h: name, memory,
// compute capability, driver), gathered on rank 0 as "rank 1: ...; rank 2: ..." for the
// results file ("" elsewhere, and "none" when no rank drives a GPU).
std::string gather_gpu_descriptions(MPI_Comm world, const LocalDevice& dev);

class RatioBroadcast {
 public:
  // Collective over `world`; n = ratio vector length (the same on every rank). want_nccl: the
  // run's backend has GPUs (false: MPI, the CPU backend). Before any rank enters
  // ncclCommInitRank, every worker has set its device and allocated its buffers and the root's
  // ncclGetUniqueId has succeeded, all agreed by MPI_Allreduce; the initialisation itself is
  // non-blocking and abandoned after `init_timeout_s` (then everyone falls back to MPI).
  RatioBroadcast(MPI_Comm world, int n, const LocalDevice& dev, int scheduler_rank = 0,
                 bool want_nccl = true, double init_timeout_s = 30);
  ~RatioBroadcast();
  RatioBroadcast(const RatioBroadcast&) = delete;
  RatioBroadcast& operator=(const RatioBroadcast&) = delete;

  // Scheduler rank only: queue one frame (size n) and return at once. After last = true nothing
  // more may be posted.
  void post(const std::vector<double>& ratios, bool last = false);
  // Scheduler: reaps completed sends (returns false). Worker: true when at least one new frame
  // arrived since the last call; `ratios` then holds the newest one. Never blocks.
  bool poll(std::vector<double>& ratios);
  // Scheduler: waits until every posted frame has left. Worker: waits for the last frame (rank 0
  // must post it) and joins the side thread. Sleeps between tests (OpenMPI spins otherwise).
  void finish();
  bool done() const;                   // worker: the last frame has arrived
  int64_t frames() const;              // posted (scheduler) or received (worker) so far

  bool uses_nccl() const { return nccl_; }
  const char* transport() const { return nccl_ ? "nccl" : "mpi"; }
  // Why this transport (recorded in the run's results file).
  const std::string& reason() const { return why_; }
  const std::string& fallback_reason() const { return why_; }
  static constexpr int kTag = 101;  // scheduler -> NCCL root message (outside mpi_util.h's tags)

 private:
  struct Mpi;
  struct Nccl;
  MPI_Comm world_;
  MPI_Comm workers_ = MPI_COMM_NULL;
  int n_, rank_, scheduler_, root_world_ = -1;
  bool nccl_ = false;
  std::string why_;
  std::unique_ptr<Mpi> mpi_;
  std::unique_ptr<Nccl> impl_;
};

}  // namespace helm
