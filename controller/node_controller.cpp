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
  const double target = std::clamp(policy_->decide(w), 0.0, 1.0);
  const auto t1 = std::chrono::steady_clock::now();
  ControlDecision d;
  d.time = w.time;
  d.node = w.node;
  d.target = target;
  d.applied = step_toward(w.emb_share, target, max_step_);
  d.decision_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count();
  return d;
}

}  // namespace helm
