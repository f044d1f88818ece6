#include "harness/control_loop.h"

#include "controller/memory_policy.h"

namespace helm {

NodeWindowStats to_window(const NodeRow& r) {
  NodeWindowStats w;
  w.time = r.time;
  w.node = r.node;
  w.arrivals = r.arrivals;
  w.completed = r.completed;
  w.dropped = r.dropped;
  w.emb_lookups = r.emb_lookups;
  w.emb_hits = r.emb_hits;
  w.kv_lookup_tokens = r.kv_lookup_tokens;
  w.kv_hit_tokens = r.kv_hit_tokens;
  w.h2d_demand_bytes = r.h2d_demand_bytes;
  w.h2d_refill_bytes = r.h2d_refill_bytes;
  w.h2d_kv_bytes = r.h2d_kv_bytes;
  w.queue_len = r.queue_len;
  w.latency_p50 = r.latency_p50;
  w.latency_p99 = r.latency_p99;
  w.latency_count = r.latency_count;
  w.emb_share = r.emb_share;
  return w;
}

NodeRow to_row(const NodeWindowStats& w) {
  NodeRow r;
  r.time = w.time;
  r.node = w.node;
  r.arrivals = w.arrivals;
  r.completed = w.completed;
  r.dropped = w.dropped;
  r.emb_lookups = w.emb_lookups;
  r.emb_hits = w.emb_hits;
  r.kv_lookup_tokens = w.kv_lookup_tokens;
  r.kv_hit_tokens = w.kv_hit_tokens;
  r.h2d_demand_bytes = w.h2d_demand_bytes;
  r.h2d_refill_bytes = w.h2d_refill_bytes;
  r.h2d_kv_bytes = w.h2d_kv_bytes;
  r.queue_len = w.queue_len;
  r.latency_p50 = w.latency_p50;
  r.latency_p99 = w.latency_p99;
  r.latency_count = w.latency_count;
  r.emb_share = w.emb_share;
  return r;
}

ControllerRow to_controller_row(const ControlDecision& d) {
  ControllerRow c;
  c.time = d.time;
  c.node = d.node;
  c.ratio_applied = d.applied;
  c.target = d.target;
  c.base_part = d.target;
  c.decision_ns = d.decision_ns;
  return c;
}

RootControl::RootControl(const RunOptions& opt, int workers)
    : targets_(static_cast<size_t>(workers), 0.0),
      reported_(static_cast<size_t>(workers), 0),
      patience_(static_cast<Nanos>(opt.control_interval_ms * 1e6 / 4)) {
  const Nanos interval = static_cast<Nanos>(opt.control_interval_ms * 1e6);
  nodes_.reserve(static_cast<size_t>(workers));
  for (int n = 0; n < workers; ++n) {
    nodes_.emplace_back(make_policy(opt.memory_policy, PolicyContext{n, workers, interval}),
                        opt.max_step);
    targets_[static_cast<size_t>(n)] = nodes_.back().initial_share();
  }
}

ControllerRow RootControl::on_window(const NodeWindowStats& w, Nanos now) {
  const size_t n = static_cast<size_t>(w.node);
  const ControlDecision d = nodes_.at(n).decide(w);
  targets_[n] = d.target;
  if (!reported_[n]) {
    reported_[n] = 1;
    ++reports_;
  }
  if (round_start_ < 0) round_start_ = now;
  return to_controller_row(d);
}

bool RootControl::due(Nanos now) {
  if (reports_ == 0) return false;
  if (reports_ < static_cast<int>(nodes_.size()) && now - round_start_ < patience_) return false;
  std::fill(reported_.begin(), reported_.end(), 0);
  reports_ = 0;
  round_start_ = -1;
  return true;
}

}  // namespace helm
