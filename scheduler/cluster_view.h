// The cluster as the router sees it: per node the load, the split and a hot-row summary, plus
// which nodes hold each user's KV (in the pool, or in the host tier where one exists), plus an
// affine service model fitted from completed batches (service_model.h). Kept current by the
// driver through the on_* functions below, the same calls from `run` (rank 0, from worker
// messages) and `sim` (from its events), so a router never knows which driver feeds it.
//
// Update protocol (driver-agnostic; every call is O(1) amortised except on_complete's search of
// the node's in-flight list, which is short):
//   on_dispatch(node, r)       when r is sent to node (after route()).
//   on_complete(node, c)       when r's outcome (completed or dropped) is known; c says whether
//                              the user's KV is resident on node now (kv_tokens > 0), gone
//                              (== 0) or unknown (< 0: no change, e.g. a drop). Completions of
//                              one batch arrive together (same service_ns and batch_size): the
//                              view sums them into one sample of the service model.
//   on_evict(node, user)       when node reports that user's KV left its pool. With a host tier
//                              (CostParams::host_kv_ns_per_token > 0) the entry is kept as
//                              host-resident on that node: the pool spills evicted K/V there.
//   on_interval(node, s)       every control interval: queue length, split, EMB lookups/hits.
//   on_down(node) / on_up(node) the node was lost (its in-flight work and its KV are gone) /
//                              came back empty. A router may read NodeView::down; the front end
//                              never dispatches to a down node whatever a router answers.
// Order matters only per node and is the order the node produced the events in (MPI keeps it
// between one sender and rank 0; the simulator produces them in order).
#pragma once
#include <cstdint>
#include <vector>

#include "common/clock.h"
#include "scheduler/kv_residency.h"
#include "scheduler/service_model.h"

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

// Costs the cost-based routers weigh, in ns. The driver sets the link-derived ones; the service
// model is fitted online from completions and these are only its priors (service_model.h).
struct CostParams {
  double ns_per_token = 2000;   // prior: compute per computed token (a KV miss recomputes)
  double ns_per_row = 0;        // host-to-device time of one missed embedding row (the link)
  double ns_per_request = 0;    // prior: fixed cost per request in a batch
  // > 0: the nodes have a host KV tier and copying one token's K/V from it takes this long (the
  // link); the view then tracks host residency from evictions. 0: no host tier.
  double host_kv_ns_per_token = 0;
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
  bool down = false;               // lost: takes no requests until on_up
  int64_t outstanding = 0;         // dispatched and not yet completed (rank 0's own count)
  int64_t outstanding_tokens = 0;  // tokens those will compute (dispatch-time estimate)
  double outstanding_rows = 0;     // embedding rows those are expected to miss (dispatch time)
  int64_t outstanding_kv_tokens = 0;  // window tokens those hold KV for while they run
  int64_t queue_len = 0;           // as the node last reported it (one interval old)
  double emb_share = 0;            // current EMB share of the node's pool
  HotRowSummary hot;
  struct InFlight {
    int64_t id, tokens, kv_tokens;
    double rows;
  };
  std::vector<InFlight> in_flight;  // dispatch order; completions are mostly FIFO
  // The batch whose completions are arriving (summed into one service-model sample).
  struct BatchSum {
    Nanos service_ns = 0;
    int32_t size = 0, seen = 0;
    double tokens = 0, rows = 0;
  } batch;
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

  ClusterView() : ClusterView(0) {}
  explicit ClusterView(int n, CostParams c = {});
  int size() const { return static_cast<int>(nodes.size()); }

  void on_dispatch(int node, const RouteRequest& r);
  void on_complete(int node, const Completion& c);
  void on_evict(int node, int64_t user);
  void on_interval(int node, const NodeSummary& s);
  void on_down(int node);
  void on_up(int node);
  int live() const { return size() - down_; }

  // Cached tokens node could reuse for r from its pool (0 when it holds none, or for another
  // window start).
  int64_t reuse_tokens(int node, const RouteRequest& r) const;
  // Tokens node could copy for r from its host tier instead of recomputing (0 without one).
  int64_t host_tokens(int node, const RouteRequest& r) const;
  // Tokens r would compute on a node that reuses `reuse` tokens.
  static int64_t tokens_to_compute(const RouteRequest& r, int64_t reuse) {
    return r.window_tokens() - reuse + r.candidates;
  }
  // Expected time until node could start r: its outstanding work at the fitted service model
  // (per request + per token + per missed row), in ns.
  double expected_wait_ns(int node) const {
    const auto& n = nodes[static_cast<size_t>(node)];
    return service().ns(static_cast<double>(n.outstanding), static_cast<double>(n.outstanding_tokens),
                        n.outstanding_rows);
  }
  // EMB hit rate expected on node (its summary, else its EMB share as a monotone prior).
  double emb_hit_rate(int node) const {
    const auto& n = nodes[static_cast<size_t>(node)];
    return n.hot.hit_rate >= 0 ? n.hot.hit_rate : n.emb_share;
  }
  // Expected embedding rows r misses on node when it computes `tokens` tokens there (every
  // computed token and candidate looks up one row).
  double expected_missed_rows(int node, int64_t tokens) const {
    return static_cast<double>(tokens) * (1.0 - emb_hit_rate(node));
  }
  const ServiceCoefficients& service() const { return fit_.coefficients(); }
  const ServiceFit& service_fit() const { return fit_; }
  double ns_per_token() const { return service().per_token; }
  int64_t total_outstanding() const { return total_outstanding_; }

 private:
  void add_to_batch(NodeView& n, const Completion& c, const NodeView::InFlight& f);
  int64_t total_outstanding_ = 0;
  int down_ = 0;
  ServiceFit fit_;
};

}  // namespace helm
