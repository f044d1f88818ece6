// The control loop's per-node piece, shared by both drivers (`run` on rank 0, `sim` on virtual
// time): a policy plus the step rule. Each control interval the driver hands it the node's
// window and gets a decision; the node then moves its split to `applied` (at most --max-step
// from where it was) and repartitions (allocator/repartition.h).
#pragma once
#include <memory>

#include "controller/memory_policy.h"

namespace helm {

struct ControlDecision {
  Nanos time = 0;          // the window's end
  int32_t node = 0;
  double target = 0;       // what the policy asked for
  double applied = 0;      // the split after the step limit
  Nanos decision_ns = 0;   // wall time decide() took
  // The decision's parts (MemoryPolicy's PolicyOutput): /controller's base_part, residual_part,
  // burst_flag and reward; refill_scale is for the node's refill pacing.
  double base_part = 0, residual_part = 0;
  uint8_t burst_flag = 0;
  double reward = 0;
  double refill_scale = 1;
};

class NodeController {
 public:
  NodeController(std::unique_ptr<MemoryPolicy> policy, double max_step);
  ControlDecision decide(const NodeWindowStats& w);
  double initial_share() const { return policy_->initial_share(); }
  bool needs_curves() const { return policy_->needs_curves(); }
  double max_step() const { return max_step_; }

 private:
  std::unique_ptr<MemoryPolicy> policy_;
  double max_step_;
};

}  // namespace helm
