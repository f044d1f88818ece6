// RatioBroadcast's schedule over all ranks (run under mpirun -np 4: rank 0 + 3 workers): device
// choice, then frames posted by rank 0 at its own pace while each worker polls between
// "batches" of different lengths, as the serving loop does. Every worker must end with rank 0's
// last vector, must have seen the frames in order (the sequence check throws otherwise), must
// have received exactly as many as were posted, and a poll before anything was posted must
// return nothing (it does not wait). Prints the transport and why.
#include <mpi.h>

#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "harness/mpi/nccl_broadcast.h"

namespace {
double value(int frame, int i) { return 0.1 * i + frame / 7.0; }
void sleep_us(int us) { std::this_thread::sleep_for(std::chrono::microseconds(us)); }
}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, size = 0, bad = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const int frames = 25;
  try {
    const helm::LocalDevice dev = helm::choose_local_device(MPI_COMM_WORLD);
    // Rank 0 owns no GPU; on one node the workers are numbered 0, 1, ... in rank order.
    if (rank == 0 && dev.node_index != -1) bad = 1;
    if (rank > 0 && dev.node_index != rank - 1) bad = 1;  // single-node run
    const int n = size - 1;
    // HELM_RATIO_NCCL=1 asks for NCCL (the GPU check); the CPU backend's path is the default.
    const char* want = std::getenv("HELM_RATIO_NCCL");
    helm::RatioBroadcast bc(MPI_COMM_WORLD, n, dev, 0, want && want[0] == '1');
    std::vector<double> r(static_cast<size_t>(n), -1.0);
    if (rank == 0) {
      sleep_us(200'000);  // the workers' first poll happens before anything is posted
      for (int f = 1; f <= frames; ++f) {
        for (int i = 0; i < n; ++i) r[static_cast<size_t>(i)] = value(f, i);
        bc.post(r, f == frames);
        if (bc.poll(r)) bad = 1;  // the scheduler only reaps
        sleep_us(2'000 + 500 * (f % 3));
      }
      bc.finish();
      if (bc.frames() != frames) bad = 1;
      std::printf("transport %s (%s), %d ranks, %d frames\n", bc.transport(), bc.reason().c_str(),
                  size, frames);
    } else {
      if (bc.poll(r)) bad = 1;  // nothing posted yet: returns at once with nothing
      int updates = 0, batches = 0;
      double prev = -1;
      while (!bc.done()) {
        sleep_us(700 * rank + 300 * (batches++ % 4));  // a batch of this worker's own length
        if (bc.poll(r)) {
          ++updates;
          if (!(r[0] > prev)) bad = 1;  // newer frames only
          prev = r[0];
        }
      }
      bc.finish();
      for (int i = 0; i < n; ++i)
        if (r[static_cast<size_t>(i)] != value(frames, i)) bad = 1;
      if (bc.frames() != frames || updates < 1) bad = 1;
      std::printf("rank %d: %d updates, %lld frames, own entry %.4f\n", rank, updates,
                  static_cast<long long>(bc.frames()), r[static_cast<size_t>(rank - 1)]);
    }
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
