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

// The calling thread's time on a CPU and waiting runnable for one (/proc/thread-self/schedstat,
// ns; zeros where the kernel does not provide it). The difference over a run says how much of
// its wall time a worker was denied a core: on a shared box that is what inflates `run`'s
// service times, and no simulator of the served system should model it.
struct SchedTimes {
  int64_t cpu_ns = 0, runqueue_wait_ns = 0;
};
SchedTimes sched_times();


}  // namespace helm
