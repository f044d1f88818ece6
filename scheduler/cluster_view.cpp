#include "scheduler/cluster_view.h"

#include <algorithm>

namespace helm {

namespace {
// Weight of history in the hot-row summary per interval (by lookups): 0.5 reacts within a few
// intervals to a split change.
constexpr double kHotDecay = 0.5;
}  // namespace

ClusterView::ClusterView(int n, CostParams c)
    : nodes(static_cast<size_t>(n)), cost(c), fit_({c.ns_per_request, c.ns_per_token, c.ns_per_row}) {}

int64_t ClusterView::reuse_tokens(int node, const RouteRequest& r) const {
  const auto* e = kv.find(r.user);
  if (!e) return 0;
  for (int k = 0; k < e->count; ++k) {
    const KvHolder& h = e->holders[k];
    // The same reuse rule as the executor: same window start, and no longer than the window.
    if (h.node == node)
      return (!h.host && h.start == r.window_start && h.tokens <= r.window_tokens()) ? h.tokens : 0;
  }
  return 0;
}

int64_t ClusterView::host_tokens(int node, const RouteRequest& r) const {
  if (!(cost.host_kv_ns_per_token > 0)) return 0;
  const auto* e = kv.find(r.user);
  if (!e) return 0;
  for (int k = 0; k < e->count; ++k) {
    const KvHolder& h = e->holders[k];
    // The executor's host-tier rule: a pool miss, same window start, no longer than the window.
    if (h.node == node)
      return (h.host && h.start == r.window_start && h.tokens <= r.window_tokens()) ? h.tokens : 0;
  }
  return 0;
}

void ClusterView::on_dispatch(int node, const RouteRequest& r) {
  auto& n = nodes[static_cast<size_t>(node)];
  const int64_t reuse = reuse_tokens(node, r) + host_tokens(node, r);
  const int64_t t = tokens_to_compute(r, reuse);
  const double rows = expected_missed_rows(node, t);
  n.in_flight.push_back({r.id, t, r.window_tokens(), rows});
  n.outstanding_tokens += t;
  n.outstanding_rows += rows;
  n.outstanding_kv_tokens += r.window_tokens();
  ++n.outstanding;
  ++total_outstanding_;
}

// One batch's completions arrive together, all with the batch's service time and size: summed
// here until the batch is whole, then fitted as one sample. A partial group (a completion lost
// to the search below, or a batch interleaved with another's) is dropped, never mis-fitted.
void ClusterView::add_to_batch(NodeView& n, const Completion& c, const NodeView::InFlight& f) {
  auto& b = n.batch;
  if (b.seen == 0 || b.service_ns != c.service_ns || b.size != c.batch_size || b.seen >= b.size)
    b = {c.service_ns, std::max(1, c.batch_size), 0, 0, 0};
  ++b.seen;
  b.tokens += static_cast<double>(f.tokens);
  b.rows += f.rows;
  if (b.seen == b.size) {
    fit_.add(b.size, b.tokens, b.rows, static_cast<double>(b.service_ns));
    b = {};
  }
}

void ClusterView::on_complete(int node, const Completion& c) {
  auto& n = nodes[static_cast<size_t>(node)];
  // Completions of a node arrive in dispatch order except for admission drops, which overtake
  // the queue: search from the front, where the match almost always is.
  auto it = std::find_if(n.in_flight.begin(), n.in_flight.end(),
                         [&](const NodeView::InFlight& f) { return f.id == c.id; });
  if (it != n.in_flight.end()) {
    n.outstanding_tokens -= it->tokens;
    n.outstanding_rows = std::max(0.0, n.outstanding_rows - it->rows);
    n.outstanding_kv_tokens -= it->kv_tokens;
    if (c.service_ns > 0) add_to_batch(n, c, *it);
    n.in_flight.erase(it);
  }
  if (n.in_flight.empty()) n.outstanding_rows = 0;  // no drift from float sums
  if (n.outstanding > 0) {
    --n.outstanding;
    --total_outstanding_;
  }
  if (c.kv_tokens >= 0) kv.set(c.user, node, c.kv_start, c.kv_tokens);
}

void ClusterView::on_evict(int node, int64_t user) {
  if (cost.host_kv_ns_per_token > 0) {
    kv.to_host(user, node);
  } else {
    kv.erase(user, node);
  }
}

void ClusterView::on_interval(int node, const NodeSummary& s) {
  auto& n = nodes[static_cast<size_t>(node)];
  n.queue_len = s.queue_len;
  n.emb_share = s.emb_share;
  if (s.emb_lookups > 0) {
    const double hits = s.emb_hits, lookups = s.emb_lookups;
    if (n.hot.hit_rate < 0) {
      n.hot = {hits / lookups, lookups};
    } else {
      const double w = n.hot.lookups * kHotDecay;
      n.hot.hit_rate = (n.hot.hit_rate * w + hits) / (w + lookups);
      n.hot.lookups = w + lookups;
    }
  }
}

// The node's in-flight requests are its driver's to fail or re-route (the front end does, before
// this); the view forgets them and everything the node held. Its service-model samples stay: the
// fit describes the node type, not one node's life.
void ClusterView::on_down(int node) {
  auto& n = nodes[static_cast<size_t>(node)];
  if (n.down) return;
  total_outstanding_ -= n.outstanding;
  n = NodeView{};
  n.down = true;
  ++down_;
  kv.erase_node(node);
}

void ClusterView::on_up(int node) {
  auto& n = nodes[static_cast<size_t>(node)];
  if (!n.down) return;
  n.down = false;
  --down_;
}

}  // namespace helm
