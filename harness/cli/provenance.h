// Provenance: what produced a results file.
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


}  // namespace helm
