#include "harness/mpi/nccl_broadcast.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "common/error.h"

#ifdef HELM_HAVE_CUDA
#include <cuda_runtime_api.h>
#endif
#ifdef HELM_HAVE_NCCL
#include <nccl.h>
#endif

#define CHECK_MPI(call)                                                                   \
  do {                                                                                    \
    const int rc_ = (call);                                                               \
    if (rc_ != MPI_SUCCESS)                                                               \
      throw std::runtime_error(fmt::format("{}:{}: {} failed with code {}", __FILE__, __LINE__, #call, rc_)); \
  } while (0)

namespace helm {
namespace {
int cuda_devices() {
#ifdef HELM_HAVE_CUDA
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess) {
    (void)cudaGetLastError();
    return 0;
  }
  return n;
#else
  return 0;
#endif
}
}  // namespace

LocalDevice choose_local_device(MPI_Comm world, int scheduler_rank, bool scheduler_owns_gpu) {
  int rank = 0;
  CHECK_MPI(MPI_Comm_rank(world, &rank));
  MPI_Comm node;
  CHECK_MPI(MPI_Comm_split_type(world, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &node));
  int node_size = 0;
  CHECK_MPI(MPI_Comm_size(node, &node_size));
  const int owns = (rank != scheduler_rank || scheduler_owns_gpu) ? 1 : 0;
  std::vector<int> flags(node_size);
  CHECK_MPI(MPI_Allgather(&owns, 1, MPI_INT, flags.data(), 1, MPI_INT, node));
  int node_rank = 0;
  CHECK_MPI(MPI_Comm_rank(node, &node_rank));
  CHECK_MPI(MPI_Comm_free(&node));
  LocalDevice d;
  for (int i = 0; i < node_size; ++i) {
    if (i < node_rank) d.node_index += flags[i];
    d.node_owners += flags[i];
  }
  if (!owns) d.node_index = -1;
  d.device_count = cuda_devices();
  d.oversubscribed = d.device_count > 0 && d.node_owners > d.device_count;
  if (owns && d.device_count > 0) d.device = d.node_index % d.device_count;
  return d;
}

struct RatioBroadcast::Nccl {
#ifdef HELM_HAVE_NCCL
  ncclComm_t comm = nullptr;
  cudaStream_t stream = nullptr;
  double* buf = nullptr;
  ~Nccl() {
    if (stream) cudaStreamSynchronize(stream);
    if (comm) ncclCommDestroy(comm);
    if (buf) cudaFree(buf);
    if (stream) cudaStreamDestroy(stream);
  }
#endif
};

RatioBroadcast::RatioBroadcast(MPI_Comm world, int n, const LocalDevice& dev, int scheduler_rank,
                               bool want_nccl)
    : world_(world), n_(n), scheduler_(scheduler_rank) {
  int size = 0;
  CHECK_MPI(MPI_Comm_rank(world, &rank_));
  CHECK_MPI(MPI_Comm_size(world, &size));
  const bool worker = rank_ != scheduler_;
  CHECK_MPI(MPI_Comm_split(world, worker ? 0 : MPI_UNDEFINED, rank_, &workers_));
  root_world_ = scheduler_ == 0 ? (size > 1 ? 1 : -1) : 0;  // the first worker in world order

  // Can this rank do NCCL? Everyone must agree: the largest reason code over all ranks wins
  // (0 = NCCL on every rank), so every rank also reports the same reason.
  static const char* const kWhy[] = {"", "built without NCCL", "NCCL not wanted (MPI path forced)",
                                     "HELM_NCCL=0", "no worker ranks", "a worker has no GPU",
                                     "more workers than GPUs on a node", "NCCL initialisation failed"};
  int code = 0;
#ifndef HELM_HAVE_NCCL
  code = 1;
#endif
  const char* env = std::getenv("HELM_NCCL");
  if (!code && !want_nccl) code = 2;
  if (!code && env && std::strcmp(env, "0") == 0) code = 3;
  if (!code && size < 2) code = 4;
  if (!code && worker && dev.device < 0) code = 5;
  if (!code && worker && dev.oversubscribed) code = 6;
  int all = 0;
  CHECK_MPI(MPI_Allreduce(&code, &all, 1, MPI_INT, MPI_MAX, world));
#ifdef HELM_HAVE_NCCL
  if (all == 0) {
    int mine_failed = 0;
    if (worker) {
      int wrank = 0, wsize = 0;
      CHECK_MPI(MPI_Comm_rank(workers_, &wrank));
      CHECK_MPI(MPI_Comm_size(workers_, &wsize));
      ncclUniqueId id;
      std::memset(&id, 0, sizeof id);
      if (wrank == 0 && ncclGetUniqueId(&id) != ncclSuccess) std::memset(&id, 0, sizeof id);
      CHECK_MPI(MPI_Bcast(&id, sizeof id, MPI_BYTE, 0, workers_));
      impl_ = std::make_unique<Nccl>();
      const bool init_ok =
          cudaSetDevice(dev.device) == cudaSuccess &&
          cudaStreamCreateWithFlags(&impl_->stream, cudaStreamNonBlocking) == cudaSuccess &&
          cudaMalloc(reinterpret_cast<void**>(&impl_->buf), sizeof(double) * std::max(n, 1)) == cudaSuccess &&
          ncclCommInitRank(&impl_->comm, wsize, id, wrank) == ncclSuccess;
      mine_failed = init_ok ? 0 : 7;
    }
    CHECK_MPI(MPI_Allreduce(&mine_failed, &all, 1, MPI_INT, MPI_MAX, world));
    nccl_ = all == 0;
    if (!nccl_) impl_.reset();
  }
#endif
  if (!nccl_) why_ = kWhy[all];
}

RatioBroadcast::~RatioBroadcast() {
  impl_.reset();
  if (workers_ != MPI_COMM_NULL) MPI_Comm_free(&workers_);
}

void RatioBroadcast::broadcast(std::vector<double>& ratios) {
  if (rank_ == scheduler_) {
    HELM_CHECK(static_cast<int>(ratios.size()) == n_, "{} ratios for a vector of {}", ratios.size(), n_);
  } else {
    ratios.resize(n_);
  }
  if (!nccl_) {
    CHECK_MPI(MPI_Bcast(ratios.data(), n_, MPI_DOUBLE, scheduler_, world_));
    return;
  }
#ifdef HELM_HAVE_NCCL
  if (rank_ == scheduler_) {
    CHECK_MPI(MPI_Send(ratios.data(), n_, MPI_DOUBLE, root_world_, kTag, world_));
    return;
  }
  auto cuda_ok = [](cudaError_t e, const char* what) {
    if (e != cudaSuccess) throw std::runtime_error(fmt::format("ratio broadcast: {}: {}", what, cudaGetErrorString(e)));
  };
  if (rank_ == root_world_) {
    CHECK_MPI(MPI_Recv(ratios.data(), n_, MPI_DOUBLE, scheduler_, kTag, world_, MPI_STATUS_IGNORE));
    cuda_ok(cudaMemcpyAsync(impl_->buf, ratios.data(), sizeof(double) * n_, cudaMemcpyHostToDevice, impl_->stream),
            "copy to the device");
  }
  const ncclResult_t r = ncclBroadcast(impl_->buf, impl_->buf, n_, ncclFloat64, 0, impl_->comm, impl_->stream);
  if (r != ncclSuccess) throw std::runtime_error(fmt::format("ncclBroadcast: {}", ncclGetErrorString(r)));
  cuda_ok(cudaMemcpyAsync(ratios.data(), impl_->buf, sizeof(double) * n_, cudaMemcpyDeviceToHost, impl_->stream),
          "copy to the host");
  cuda_ok(cudaStreamSynchronize(impl_->stream), "synchronise");
#endif
}

}  // namespace helm
