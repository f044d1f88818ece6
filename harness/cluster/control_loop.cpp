#include "harness/cluster/control_loop.h"

#include "controller/memory_policy.h"

namespace helm {

// Both embed the counters (common/node_counters.h): the conversions copy exactly those.
NodeWindowStats to_window(const NodeRow& r) {
  NodeWindowStats w;
  static_cast<NodeCounters&>(w) = r;
  return w;
}

NodeRow to_row(const NodeWindowStats& w) {
  NodeRow r;
  static_cast<NodeCounters&>(r) = w;
  return r;
}

ControllerRow to_controller_row(const ControlDecision& d) {
  ControllerRow c;
  c.time = d.time;
  c.node = d.node;
  c.ratio_applied = d.applied;
  c.target = d.target;
  c.base_part = d.base_part;
  c.residual_part = d.residual_part;
  c.burst_flag = d.burst_flag;
  c.reward = d.reward;
  c.decision_ns = d.decision_ns;
  c.refill_scale = d.refill_scale;
  return c;
}

RootControl::RootControl(const RunContext& ctx, int nodes)
    : targets_(static_cast<size_t>(control_width(nodes)), 1.0),  // refill scales start at 1
      reported_(static_cast<size_t>(nodes), 0),
      patience_(static_cast<Nanos>(ctx.opt.control_interval_ms * 1e6 / 4)) {
  nodes_.reserve(static_cast<size_t>(nodes));
  for (int n = 0; n < nodes; ++n) {
    nodes_.emplace_back(ctx.policy.make(ctx.policy_context(n, nodes)), ctx.opt.max_step);
    targets_[static_cast<size_t>(n)] = nodes_.back().initial_share();
  }
}

ControlDecision RootControl::on_window(const NodeWindowStats& w, Nanos now) {
  const size_t n = static_cast<size_t>(w.node);
  const ControlDecision d = nodes_.at(n).decide(w);
  targets_[n] = d.target;
  targets_[nodes_.size() + n] = d.refill_scale;
  if (!reported_[n]) {
    reported_[n] = 1;
    ++reports_;
  }
  if (round_start_ < 0) round_start_ = now;
  return d;
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
