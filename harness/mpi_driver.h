// The MPI run: rank 0 schedules (paces arrivals open-loop, routes, collects, writes results),
// ranks 1..N-1 are workers. Both run the same node runtime code as `sim`.
#pragma once
#include <memory>
#include <string>

#include "allocator/h2d_link.h"
#include "controller/window.h"
#include "harness/node_runtime.h"
#include "harness/run_context.h"

namespace helm {

// An executor with what the driver needs to report about the node it serves.
class NodeExecutor : public Executor {
 public:
  virtual LinkStats link_stats() const = 0;
  virtual double emb_share() const = 0;
  // The control loop (harness/node_memory.h): a new split (already step-limited), work between
  // batches (page releases, background refill), and the window's miss-ratio curves.
  virtual void set_share(double r) {}
  virtual void background(Nanos now) {}
  virtual void fill_window(NodeWindowStats& w) {}
};

struct WorkerEnv {
  std::unique_ptr<NodeExecutor> executor;
};

// The real executor of node `node` (CPU backend HSTU forward over its pool), on the run's clock.
WorkerEnv make_worker_executor(const RunContext& ctx, int node, double link_bytes_per_s,
                               const Clock& clock);
BatchingOptions batching_options(const RunOptions& o);

// Scheduling class of worker ranks: "idle" (SCHED_IDLE) when ranks outnumber cores
// (oversubscribed), else "normal".
std::string worker_sched(int world_size);

int run_scheduler(const RunContext& ctx, int world_size);
int run_worker(const RunContext& ctx, int rank);

}  // namespace helm
