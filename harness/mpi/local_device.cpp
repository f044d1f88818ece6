// Which GPU a worker rank drives, and the GPUs' descriptions for the results file
// (nccl_broadcast.h declares both).
#include <mpi.h>

#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "harness/mpi/nccl_broadcast.h"
#include "harness/mpi/mpi_check.h"
#include "harness/node/cuda/gpu_probe.h"

#ifdef HELM_HAVE_CUDA
#include <cuda_runtime_api.h>
#endif


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
  HELM_MPI(MPI_Comm_rank(world, &rank));
  MPI_Comm node;
  HELM_MPI(MPI_Comm_split_type(world, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &node));
  int node_size = 0;
  HELM_MPI(MPI_Comm_size(node, &node_size));
  const int owns = (rank != scheduler_rank || scheduler_owns_gpu) ? 1 : 0;
  std::vector<int> flags(node_size);
  HELM_MPI(MPI_Allgather(&owns, 1, MPI_INT, flags.data(), 1, MPI_INT, node));
  int node_rank = 0;
  HELM_MPI(MPI_Comm_rank(node, &node_rank));
  HELM_MPI(MPI_Comm_free(&node));
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


std::string gather_gpu_descriptions(MPI_Comm world, const LocalDevice& dev) {
  constexpr int kLen = 256;
  int rank = 0, size = 0;
  HELM_MPI(MPI_Comm_rank(world, &rank));
  HELM_MPI(MPI_Comm_size(world, &size));
  char mine[kLen] = {0};
  const std::string d = dev.device >= 0 ? describe_gpu(dev.device) : "";
  std::strncpy(mine, d.c_str(), kLen - 1);
  std::vector<char> all(rank == 0 ? static_cast<size_t>(size) * kLen : 0);
  HELM_MPI(MPI_Gather(mine, kLen, MPI_CHAR, all.data(), kLen, MPI_CHAR, 0, world));
  std::string out;
  for (int r = 0; rank == 0 && r < size; ++r) {
    const char* s = &all[static_cast<size_t>(r) * kLen];
    if (!*s) continue;
    out += fmt::format("{}rank {}: {}", out.empty() ? "" : "; ", r, s);
  }
  return rank == 0 && out.empty() ? "none" : out;
}

}  // namespace helm
