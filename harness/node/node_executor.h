// The node seam: what a driver (`run`'s worker, `sim`'s event loop) needs from the executor of
// one node, and how every executor is built from the run's options. The CPU executor
// (node/hstu_executor.h), the simulator's cost-model executor (sim/sim_executor.h) and a CUDA
// executor implement it; the drivers see nothing else of them.
#pragma once
#include <functional>

#include "allocator/h2d_link.h"
#include "allocator/kv_cache.h"
#include "controller/window.h"
#include "harness/node/emb_sample.h"
#include "harness/node/kv_hit_worth.h"
#include "harness/node/sampled_history.h"
#include "harness/node/node_memory.h"
#include "harness/node/node_runtime.h"
#include "harness/run_context.h"

namespace helm {

class NodeExecutor : public Executor {
 public:
  virtual LinkStats link_stats() const = 0;
  virtual double emb_share() const = 0;
  // The user's K/V in this node's pool right now (the router's residency view after a batch).
  virtual KvProbe probe_kv(UserId u) const = 0;
  // Called with each user whose K/V leave the pool, in the order it happens.
  virtual void set_eviction_callback(std::function<void(UserId)> cb) = 0;
  // The control loop (node/node_memory.h): a new split (already step-limited), work between
  // batches (page releases, background refill), and the window's miss-ratio curves.
  virtual void set_share(double r) {}
  // The share of the refill budget to use (1 = all; lowered during a burst).
  virtual void set_refill_scale(double s) {}
  virtual void background(Nanos now) {}
  virtual void fill_window(NodeWindowStats& w) {}
  // What the control loop currently values a KV hit at, ns per token (0 where none is kept).
  virtual double kv_hit_ns_per_token() const { return 0; }
  // The whole forward per computed token, averaged alike: what a KV hit was once valued at.
  virtual double forward_ns_per_token() const { return 0; }
};

// How one node's executor is built: the same for every executor, so all serve with the same
// pool, link and memory control.
struct NodeOptions {
  size_t pool_bytes = 0, page_bytes = 64 << 10;
  double emb_share = 0.5;  // the split the pool starts at
  double link_bytes_per_s = 1e9;
  Nanos link_latency = 10'000;
  int candidates = 0;
  BatchingOptions batching;  // the batches the node forms (the CPU executor sizes its workspace for them)
  NodeMemoryOptions memory;  // repartitioning, refill, host KV tier, curves
  EmbSample emb_sample;      // sim: the EMB cache's miniature (exact by default)
  // sim with a miniature: the sampled histories every node of the simulation shares (null:
  // each request's ids are drawn and filtered).
  SampledHistories* emb_histories = nullptr;
  KvHitWorth kv_worth;       // what a KV hit saves, for `run`'s executors (sim: its cost model)
};

// NodeOptions from the run's options for node `node` of `nodes`. `scale` multiplies the pool
// and the host KV tier (`sim --scale` shrinks them with the catalogue; `run` passes 1);
// `bytes`: whether the device holds bytes (false in `sim`).
NodeOptions node_options(const RunContext& ctx, int node, int nodes, double link_bytes_per_s,
                         double scale, bool bytes);
BatchingOptions batching_options(const RunOptions& o);

}  // namespace helm
