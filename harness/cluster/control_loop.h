// The memory control loop's cluster side (inside the front end, cluster/front_end.h): every
// --control-interval-ms each node's window arrives; the node's memory policy decides at once
// (the decision is recorded in /controller); when every node has reported in a round (or a
// quarter interval after the round's first report, so one slow node does not hold the others
// back), the vector of targets is due to go out. `run` sends it to every worker; a worker moves
// toward its entry by at most --max-step (step_toward). `sim` applies each decision at once
// (rank 0's round trip is instantaneous in virtual time).
#pragma once
#include <type_traits>
#include <vector>

#include "controller/node_controller.h"
#include "controller/window.h"
#include "harness/run_context.h"
#include "results/schema.h"

namespace helm {

static_assert(std::is_trivially_copyable_v<NodeWindowStats>);  // sent as bytes

NodeWindowStats to_window(const NodeRow& r);
NodeRow to_row(const NodeWindowStats& w);
ControllerRow to_controller_row(const ControlDecision& d);

// What a round sends, for n nodes: one vector [share_0 .. share_{n-1}, refill_scale_0 ..
// refill_scale_{n-1}] (a node's EMB share target, and the share of its refill budget to use:
// HELM's burst layer lowers it during a burst), one buffer so NCCL and MPI carry it as it is.
// These two functions own the layout.
inline int control_width(int nodes) { return 2 * nodes; }
struct NodeTarget {
  double share = 0, refill_scale = 1;
};
inline NodeTarget node_target(const std::vector<double>& v, int node) {
  const size_t n = v.size() / 2, i = static_cast<size_t>(node);
  return {v.at(i), v.at(n + i)};
}

// One NodeController per node, and the rounds in which targets go out.
class RootControl {
 public:
  RootControl(const RunContext& ctx, int nodes);
  // A window arrived from its node: its policy decides.
  ControlDecision on_window(const NodeWindowStats& w, Nanos now);
  // True when the targets should go out now (a full round, or the round has waited long enough);
  // then targets() is the vector to send (laid out as above) and a new round starts.
  bool due(Nanos now);
  const std::vector<double>& targets() const { return targets_; }

 private:
  std::vector<NodeController> nodes_;
  std::vector<double> targets_;
  std::vector<char> reported_;
  int reports_ = 0;
  Nanos round_start_ = -1, patience_;
};

}  // namespace helm
