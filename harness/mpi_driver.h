// The MPI run: rank 0 schedules (paces arrivals open-loop, routes, collects, writes results),
// ranks 1..N-1 are workers. Both run the same node runtime code as `sim`.
#pragma once
#include <memory>
#include <string>

#include "allocator/h2d_link.h"
#include "controller/window.h"
#include "harness/node_memory.h"
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

// How one node's executor is built: the same for the real executor (`run`) and the cost-model
// executor (`sim`), so both serve with the same pool, link and memory control.
struct NodeOptions {
  size_t pool_bytes = 0, page_bytes = 64 << 10;
  double emb_share = 0.5;  // the split the pool starts at
  double link_bytes_per_s = 1e9;
  Nanos link_latency = 10'000;
  int candidates = 0;
  NodeMemoryOptions memory;  // repartitioning, refill, host KV tier, curves
};

// NodeOptions from the run's options for node `node` of `nodes`. `scale` multiplies the pool
// and the host KV tier (`sim --scale` shrinks them with the catalogue; `run` passes 1);
// `bytes`: whether the device holds bytes (false in `sim`).
NodeOptions node_options(const RunContext& ctx, int node, int nodes, double link_bytes_per_s,
                         double scale, bool bytes);

struct WorkerEnv {
  std::unique_ptr<NodeExecutor> executor;
};

// The real executor of node `node` (CPU backend HSTU forward over its pool), on the run's clock.
WorkerEnv make_worker_executor(const RunContext& ctx, int node, int nodes, double link_bytes_per_s,
                               const Clock& clock);
BatchingOptions batching_options(const RunOptions& o);

// Scheduling class of worker ranks: "idle" (SCHED_IDLE) when ranks outnumber cores
// (oversubscribed), else "normal".
std::string worker_sched(int world_size);

int run_scheduler(const RunContext& ctx, int world_size);
int run_worker(const RunContext& ctx, int rank);

}  // namespace helm
