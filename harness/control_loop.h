// The control loop of `run` (DESIGN.md): every --control-interval-ms each worker sends its
// window (NodeWindowStats, point-to-point, polled by rank 0); rank 0 runs the memory policy of
// that node at once and records the decision in /controller; when every node has reported in
// a round (or a quarter interval after the round's first report, so one slow node does not hold
// the others back), rank 0 sends the vector of targets to every worker with MPI_Isend (never
// blocking); a worker moves toward its entry by at most --max-step (step_toward), which is the
// `ratio_applied` recorded with the decision.
// Why Isend per worker and not MPI_Ibcast: a collective needs every rank to post the same number
// of broadcasts, which the open-ended run (stop, drain) makes fragile; point-to-point messages
// keep rank 0 free to stop at any time. The CUDA build replaces this hop with NCCL.
#pragma once
#include <type_traits>
#include <vector>

#include "controller/node_controller.h"
#include "controller/window.h"
#include "harness/run_options.h"
#include "results/schema.h"

namespace helm {

inline constexpr int kTargetsTag = 20;  // rank 0 -> worker: double[workers], the target splits
static_assert(std::is_trivially_copyable_v<NodeWindowStats>);  // sent as bytes

NodeWindowStats to_window(const NodeRow& r);
NodeRow to_row(const NodeWindowStats& w);
ControllerRow to_controller_row(const ControlDecision& d);

// Rank 0's side: one NodeController per worker node.
class RootControl {
 public:
  RootControl(const RunOptions& opt, int workers);
  // A window arrived from its node: decide (the row for /controller is returned).
  ControllerRow on_window(const NodeWindowStats& w, Nanos now);
  // True when the targets should go out now (a full round, or the round has waited long enough);
  // then targets() is the vector to send and a new round starts.
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
