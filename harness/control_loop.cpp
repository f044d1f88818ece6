#include "harness/control_loop.h"

#include "controller/memory_policy.h"

namespace helm {

// NodeRow (results/, the file's columns) and NodeWindowStats (controller/, what policies read)
// carry the same fields; the controller may not depend on results/, so one list maps both ways.
#define HELM_NODE_WINDOW_FIELDS(X)                                                          \
  X(time) X(node) X(arrivals) X(completed) X(dropped) X(emb_lookups) X(emb_hits)             \
  X(kv_lookup_tokens) X(kv_hit_tokens) X(h2d_demand_bytes) X(h2d_refill_bytes) X(h2d_kv_bytes) \
  X(queue_len) X(latency_p50) X(latency_p99) X(latency_count) X(emb_share)

NodeWindowStats to_window(const NodeRow& r) {
  NodeWindowStats w;
#define HELM_COPY(f) w.f = r.f;
  HELM_NODE_WINDOW_FIELDS(HELM_COPY)
#undef HELM_COPY
  return w;
}

NodeRow to_row(const NodeWindowStats& w) {
  NodeRow r;
#define HELM_COPY(f) r.f = w.f;
  HELM_NODE_WINDOW_FIELDS(HELM_COPY)
#undef HELM_COPY
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
