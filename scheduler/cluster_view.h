// The cluster as the router sees it: per node the load, the split and a hot-row summary, plus
// which nodes hold each user's KV. Kept current by the driver through the on_* functions below,
// the same calls from `run` (rank 0, from worker messages) and `sim` (from its events), so a
// router never knows which driver feeds it.
//
// Update protocol (driver-agnostic; every call is O(1) amortised except on_complete's search of
// the node's in-flight list, which is short):
//   on_dispatch(node, r)       when r is sent to node (after route()).
//   on_complete(node, c)       when r's outcome (completed or dropped) is known; c says whether
//                              the user's KV is resident on node now (kv_tokens > 0), gone
//                              (== 0) or unknown (< 0: no change, e.g. a drop).
//   on_evict(node, user)       when node reports that user's KV left its pool.
//   on_interval(node, s)       every control interval: queue length, split, EMB lookups/hits.
// Order matters only per node and is the order the node produced the events in (MPI keeps it
// between one sender and rank 0; the simulator produces them in order).
#pragma once
#include <cstdint>
#include <vector>

#include "common/clock.h"
#include "scheduler/kv_residency.h"

namespace helm {

// What a router is told about a request (rank 0 has the trace: no item lists are needed).
struct RouteRequest {
  int64_t id = 0;
  int64_t user = 0;
  int64_t history_len = 0;
  Nanos arrival = 0;
  // The history window the model will see (gr_model/window.h); window == 0 means "unknown":
  // the whole history from 0. candidates: items scored (computed as tokens too).
  int64_t window_start = 0, window = 0, candidates = 0;
  int64_t window_tokens() const { return window > 0 ? window : history_len; }
};

// Costs the cost-based routers weigh, in ns. The driver sets the link-derived ones; the compute
// cost per token is learned online from completions (ns_per_token is only the prior).
struct CostParams {
  double ns_per_token = 2000;   // compute per token (a KV miss recomputes the window)
  double ns_per_row = 0;        // host-to-device time of one missed embedding row
  double host_kv_ns_per_token = 0;  // > 0: a host KV tier exists (not tracked yet: unused)
};

// Summary of a node's embedding hot rows: its measured EMB hit rate, refreshed each control
// interval (exponentially smoothed by lookups). Why a hit rate and not a per-row sketch: rank 0
// routes by request id without building item lists (DESIGN.md: messages carry ids), and every
// node sees items from the same popularity law, so the node's hit rate over what it looked up
// is the unbiased per-request expectation and costs one multiply per node in route().
struct HotRowSummary {
  double hit_rate = -1;  // < 0: nothing measured yet (routers fall back to the EMB share)
  double lookups = 0;    // smoothed lookups behind hit_rate
};

struct NodeView {
  int64_t outstanding = 0;         // dispatched and not yet completed (rank 0's own count)
  int64_t outstanding_tokens = 0;  // estimated tokens of those (dispatch-time estimate)
  int64_t queue_len = 0;           // as the node last reported it (one interval old)
  double emb_share = 0;            // current EMB share of the node's pool
  HotRowSummary hot;
  struct InFlight {
    int64_t id, tokens;
  };
  std::vector<InFlight> in_flight;  // dispatch order; completions are mostly FIFO
};

// One request's fate as the driver learned it.
struct Completion {
  int64_t id = 0;
  int64_t user = 0;
  int64_t kv_start = 0;
  int64_t kv_tokens = -1;   // > 0: resident now; 0: not resident; < 0: unknown (no change)
  Nanos service_ns = 0;     // finish - start of its batch (0: not served, e.g. dropped)
  int32_t batch_size = 1;
};

// A node's per-interval report (a subset of NodeRow, so the scheduler needs no harness type).
struct NodeSummary {
  int64_t queue_len = 0;
  double emb_share = 0;
  int64_t emb_lookups = 0, emb_hits = 0;
};

class ClusterView {
 public:
  std::vector<NodeView> nodes;
  CostParams cost;
  KvResidency kv;  // user -> nodes holding its KV

  ClusterView() = default;
  explicit ClusterView(int n, CostParams c = {});
  int size() const { return static_cast<int>(nodes.size()); }

  void on_dispatch(int node, const RouteRequest& r);
  void on_complete(int node, const Completion& c);
  void on_evict(int node, int64_t user);
  void on_interval(int node, const NodeSummary& s);

  // Cached tokens node could reuse for r (0 when it holds none, or for another window start).
  int64_t reuse_tokens(int node, const RouteRequest& r) const;
  // Tokens r would compute on a node that reuses `reuse` tokens.
  static int64_t tokens_to_compute(const RouteRequest& r, int64_t reuse) {
    return r.window_tokens() - reuse + r.candidates;
  }
  // Expected time until node could start r: its outstanding tokens at the learned rate.
  double expected_wait_ns(int node) const {
    return static_cast<double>(nodes[static_cast<size_t>(node)].outstanding_tokens) * ns_per_token();
  }
  // EMB hit rate expected on node (its summary, else its EMB share as a monotone prior).
  double emb_hit_rate(int node) const {
    const auto& n = nodes[static_cast<size_t>(node)];
    return n.hot.hit_rate >= 0 ? n.hot.hit_rate : n.emb_share;
  }
  double ns_per_token() const { return tok_den_ > 0 ? tok_num_ / tok_den_ : cost.ns_per_token; }
  int64_t total_outstanding() const { return total_outstanding_; }

 private:
  int64_t total_outstanding_ = 0;
  double tok_num_ = 0, tok_den_ = 0;  // decayed sums: service ns per request / its tokens
};

}  // namespace helm
