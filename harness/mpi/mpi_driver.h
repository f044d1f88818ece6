// The MPI run: rank 0 is the MPI loop around the cluster front end (cluster/front_end.h: pacing,
// non-blocking sends and polls, the results thread); ranks 1..N-1 are workers, each serving one
// node through the node runtime (node/), exactly the code `sim` runs.
#pragma once
#include <memory>

#include "harness/node/node_executor.h"
#include "harness/run_context.h"

namespace helm {

// The real executor of node `node` on the run's clock: the CPU backend's HSTU forward over its
// pool, or with --backend cuda the CUDA executor on GPU `device` (choose_local_device's choice).
// `worth`: what a KV hit saves (the model executors' mrc input; harness/node/kv_hit_worth.h).
std::unique_ptr<NodeExecutor> make_worker_executor(const RunContext& ctx, int node, int nodes,
                                                   double link_bytes_per_s, const KvHitWorth& worth,
                                                   const Clock& clock,
                                                   int device = -1);
// The forward timer of the same backend on the same device (the start-up KV-hit worth measures
// through it, kv_hit_worth.h): chosen here, beside the executor, so the two always agree.
BatchTimer make_batch_timer(const RunContext& ctx, int device = -1);

// `worker_timeout_s`: a worker silent that long (no outcome, window or any other message; a live
// worker reports every control interval) is declared lost: its requests are failed
// (failed_node_down), nothing more is routed to it, and after the footer is written rank 0 ends
// the job with MPI_Abort (exit 1), since MPI_Finalize would wait for the lost rank forever. This
// covers a hung but living worker (SIGSTOP, a livelock), which mpirun cannot see; a worker that
// dies (SIGKILL) makes mpirun end the whole job first.
int run_scheduler(const RunContext& ctx, int world_size, double worker_timeout_s);
int run_worker(const RunContext& ctx, int rank);

}  // namespace helm
