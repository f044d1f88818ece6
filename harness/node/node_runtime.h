// The node runtime: admission, batching and execution on one node, shared by `run` (wall clock,
// real HSTU forward) and `sim` (virtual clock, cost model). Neither driver re-implements it.
//
// Threading: single-threaded; the driver owns the loop and calls poll() when it has time.
#pragma once
#include <cstdint>
#include <deque>
#include <limits>
#include <span>
#include <vector>

#include "common/clock.h"

namespace helm {

// A request waiting on a node. `tokens` is the executor's estimate of what it will compute
// (new history tokens + candidates), used by the token budget of a batch.
struct Queued {
  int64_t id = 0;
  Nanos arrival = 0;   // scheduled arrival (rank 0's clock)
  Nanos received = 0;  // when the node admitted it (node's clock)
  int64_t tokens = 0;
};

// What one request's execution produced (rows of /requests are built from it).
struct Outcome {
  int64_t id = 0;
  Nanos arrival = 0;  // scheduled arrival (copied from the queue entry by NodeRuntime)
  Nanos start = 0, finish = 0;
  int32_t batch_size = 0;
  int64_t history_len = 0, computed_tokens = 0;
  int64_t kv_hit_tokens_pool = 0, kv_hit_tokens_host = 0;
  int64_t emb_lookups = 0, emb_hits = 0, h2d_bytes = 0;
  Nanos link_wait = 0;  // time the batch waited for its host-to-device copies
  bool failed = false;
};

// Executes a batch on a node: the real HSTU forward (run) or the cost model (sim).
class Executor {
 public:
  virtual ~Executor() = default;
  // Tokens the request would compute if run now (a cheap probe of the caches).
  virtual int64_t estimate_tokens(int64_t request_id) = 0;
  // Runs the batch, starting at `start`; appends one Outcome per request, in batch order.
  virtual void execute(std::span<const Queued> batch, Nanos start, std::vector<Outcome>& out) = 0;
};

struct BatchingOptions {
  int max_requests = 8;          // --batch-max-requests
  int64_t max_tokens = 8192;     // --batch-max-tokens (computed tokens in one batch)
  Nanos timeout = 2'000'000;     // --batch-timeout-us: how long the oldest request may wait for company
  size_t queue_cap = 256;        // --queue-cap: admitted requests waiting (not running)
};

// Bounded FIFO queue plus the batch-formation rule:
// a batch is ready when max_requests are waiting, or their tokens reach max_tokens, or the
// oldest has waited `timeout`. A batch takes requests in FIFO order up to both limits, and
// always at least one (a single request above max_tokens still runs, alone).
class Batcher {
 public:
  explicit Batcher(BatchingOptions opt) : opt_(opt) {}
  bool admit(const Queued& q);  // false: queue full, the request is dropped by the caller
  bool ready(Nanos now) const;
  Nanos deadline() const;       // when the timeout makes a batch ready; max() when empty
  std::vector<Queued> take();
  std::vector<Queued> drain();  // everything still waiting (end of run: counted as dropped)
  size_t size() const { return q_.size(); }
  int64_t queued_tokens() const { return tokens_; }
  const BatchingOptions& options() const { return opt_; }

 private:
  BatchingOptions opt_;
  std::deque<Queued> q_;
  int64_t tokens_ = 0;
};

class NodeRuntime {
 public:
  NodeRuntime(BatchingOptions opt, Executor& exec) : batcher_(opt), exec_(exec) {}
  // Admit a request received at `now`; false when the queue is full (the caller records a drop).
  bool admit(int64_t id, Nanos arrival, Nanos now);
  // If a batch is ready at `now`, run it and append its outcomes; returns whether one ran.
  bool poll(Nanos now, std::vector<Outcome>& out);
  Batcher& batcher() { return batcher_; }
  const Batcher& batcher() const { return batcher_; }

 private:
  Batcher batcher_;
  Executor& exec_;
  std::vector<Outcome> scratch_;
};

}  // namespace helm
