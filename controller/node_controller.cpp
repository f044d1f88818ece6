#include "controller/node_controller.h"

#include <algorithm>
#include <chrono>

#include "common/error.h"

namespace helm {

NodeController::NodeController(std::unique_ptr<MemoryPolicy> policy, double max_step)
    : policy_(std::move(policy)), max_step_(max_step) {
  HELM_CHECK(policy_ != nullptr, "node controller without a policy");
  if (!(max_step > 0 && max_step <= 1)) bad_input("--max-step: {} is not in (0, 1]", max_step);
}

ControlDecision NodeController::decide(const NodeWindowStats& w) {
  const auto t0 = std::chrono::steady_clock::now();
  const PolicyOutput o = policy_->decide_parts(w);
  const auto t1 = std::chrono::steady_clock::now();
  const double target = std::clamp(o.target, 0.0, 1.0);
  ControlDecision d;
  d.base_part = o.base_part;
  d.residual_part = o.residual_part;
  d.burst_flag = o.burst ? 1 : 0;
  d.reward = o.reward;
  d.refill_scale = o.refill_scale;
  d.time = w.time;
  d.node = w.node;
  d.target = target;
  d.applied = step_toward(w.emb_share, target, max_step_);
  d.decision_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count();
  return d;
}

}  // namespace helm
