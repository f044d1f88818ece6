// RatioBroadcast over all ranks (run under mpirun -np 3): device choice and 3 broadcasts of
// different vectors; every worker must receive rank 0's exact values. Prints the transport.
#include <mpi.h>

#include <cstdio>
#include <vector>

#include "harness/mpi/nccl_broadcast.h"

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, size = 0, bad = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  try {
    const helm::LocalDevice dev = helm::choose_local_device(MPI_COMM_WORLD);
    // Rank 0 owns no GPU; on one node the workers are numbered 0, 1, ... in rank order.
    if (rank == 0 && dev.node_index != -1) bad = 1;
    if (rank > 0 && dev.node_index != rank - 1) bad = 1;  // single-node run
    const int n = 5;
    helm::RatioBroadcast bc(MPI_COMM_WORLD, n, dev);
    for (int round = 0; round < 3; ++round) {
      std::vector<double> r(n);
      for (int i = 0; i < n; ++i) r[i] = rank == 0 ? 0.1 * i + round / 7.0 : -1.0;
      bc.broadcast(r);
      for (int i = 0; i < n; ++i)
        if (r[i] != 0.1 * i + round / 7.0) bad = 1;
    }
    if (rank == 0)
      std::printf("transport %s%s%s, %d ranks\n", bc.transport(), bc.uses_nccl() ? "" : ": ",
                  bc.fallback_reason().c_str(), size);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rank %d: %s\n", rank, e.what());
    bad = 1;
  }
  int any = 0;
  MPI_Allreduce(&bad, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  if (rank == 0) std::printf(any ? "ratio broadcast FAILED\n" : "ratio broadcast OK\n");
  MPI_Finalize();
  return any;
}
