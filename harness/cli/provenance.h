// Provenance (what produced a results file) and the emulated link's rate.
#pragma once
#include <string>

#include "harness/run_context.h"
#include "results/attributes.h"

namespace helm {

// git revision + dirty flag, build type, backend, host, MPI size, Slurm job id (array job, task
// and node list), start time,
// seeds, BLAS, KV dtype, oversubscription, the effective configuration and the run's labels.
RootAttributes provenance_attributes(const RunContext& ctx, int mpi_size);

// Scheduling class of worker ranks: "idle" (SCHED_IDLE) when ranks outnumber cores
// (oversubscribed), else "normal".
std::string worker_sched(int world_size);

// This process's peak resident set so far (getrusage), in bytes.
int64_t peak_rss_bytes();

struct LinkSetup {
  double bytes_per_s = 0;
  double sgemm_gflops = 0;  // measured on rank 0 (0 when --h2d-gbps was given)
  std::string describe;
};

// The emulated host-to-device rate: --h2d-gbps if given, else the A100's compute:PCIe ratio
// (312 TFLOP/s : 25 GB/s) applied to this CPU's measured single-thread sgemm rate.
LinkSetup link_setup(const RunOptions& o);

// Single-threaded sgemm GFLOP/s on 512^3 (best of a few repetitions).
double measure_sgemm_gflops();

}  // namespace helm
