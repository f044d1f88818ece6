#include "scheduler/cluster_view.h"

#include <algorithm>

namespace helm {

namespace {
// Decay per completion of the learned compute rate: ~1000 completions of memory, so it follows
// a change of workload within seconds at the rates we run, yet one odd batch barely moves it.
constexpr double kTokDecay = 0.999;
// Weight of history in the hot-row summary per interval (by lookups): 0.5 reacts within a few
// intervals to a split change.
constexpr double kHotDecay = 0.5;
}  // namespace

ClusterView::ClusterView(int n, CostParams c) : nodes(static_cast<size_t>(n)), cost(c) {}

int64_t ClusterView::reuse_tokens(int node, const RouteRequest& r) const {
  const auto* e = kv.find(r.user);
  if (!e) return 0;
  for (int k = 0; k < e->count; ++k) {
    const KvHolder& h = e->holders[k];
    // The same reuse rule as the executor: same window start, and no longer than the window.
    if (h.node == node) return (h.start == r.window_start && h.tokens <= r.window_tokens()) ? h.tokens : 0;
  }
  return 0;
}

void ClusterView::on_dispatch(int node, const RouteRequest& r) {
  auto& n = nodes[static_cast<size_t>(node)];
  const int64_t t = tokens_to_compute(r, reuse_tokens(node, r));
  n.in_flight.push_back({r.id, t});
  n.outstanding_tokens += t;
  ++n.outstanding;
  ++total_outstanding_;
}

void ClusterView::on_complete(int node, const Completion& c) {
  auto& n = nodes[static_cast<size_t>(node)];
  // Completions of a node arrive in dispatch order except for admission drops, which overtake
  // the queue: search from the front, where the match almost always is.
  auto it = std::find_if(n.in_flight.begin(), n.in_flight.end(),
                         [&](const NodeView::InFlight& f) { return f.id == c.id; });
  if (it != n.in_flight.end()) {
    n.outstanding_tokens -= it->tokens;
    if (c.service_ns > 0 && it->tokens > 0) {
      tok_num_ = tok_num_ * kTokDecay + static_cast<double>(c.service_ns) / std::max(1, c.batch_size);
      tok_den_ = tok_den_ * kTokDecay + static_cast<double>(it->tokens);
    }
    n.in_flight.erase(it);
  }
  if (n.outstanding > 0) {
    --n.outstanding;
    --total_outstanding_;
  }
  if (c.kv_tokens >= 0) kv.set(c.user, node, c.kv_start, c.kv_tokens);
}

void ClusterView::on_evict(int node, int64_t user) { kv.erase(user, node); }

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

}  // namespace helm
