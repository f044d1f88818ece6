// HELM's burst layer throttles refill: the decision's refill_scale reaches the node. Rank 0's
// control vector carries it beside each node's share (control_width / node_target own the
// layout, read the same way by `run`'s workers), /controller records it, and a node's executor
// hands it to its refill planner.
#include <gtest/gtest.h>

#include "allocator/host_table.h"
#include "common/rng.h"
#include "harness/cluster/control_loop.h"
#include "harness/sim/sim_executor.h"
#include "test_sim_util.h"

using namespace helm;

namespace {

// A steady window at ~1000 arrivals, then a doubled one (what HelmPolicy's own test bursts on).
NodeWindowStats window(int node, int64_t arrivals) {
  NodeWindowStats w;
  w.node = node;
  w.emb_share = 0.4;
  w.completed = w.latency_count = 100;
  w.latency_p99 = 50'000'000;
  w.arrivals = arrivals;
  return w;
}

}  // namespace

TEST(RefillThrottle, ControlVectorCarriesEachNodesScale) {
  RunOptions o = simtest::tiny_options();
  o.memory_policy = "helm:adapter=off,slo_ms=100";
  const RunContext ctx = build_run_context(o, "");
  RootControl control(ctx, 2);
  ASSERT_EQ(control.targets().size(), static_cast<size_t>(control_width(2)));
  EXPECT_EQ(node_target(control.targets(), 1).refill_scale, 1.0);  // no decision yet: unthrottled
  Rng rng(8);
  Nanos t = 0;
  for (int i = 0; i < 40; ++i)
    for (int n = 0; n < 2; ++n) control.on_window(window(n, 1000 + static_cast<int64_t>(rng.below(60)) - 30), t += 1000);
  const ControlDecision burst = control.on_window(window(1, 2000), t += 1000);
  ASSERT_EQ(burst.burst_flag, 1);
  ASSERT_LT(burst.refill_scale, 1.0);
  EXPECT_EQ(node_target(control.targets(), 1).refill_scale, burst.refill_scale);
  EXPECT_EQ(node_target(control.targets(), 1).share, burst.target);
  EXPECT_EQ(node_target(control.targets(), 0).refill_scale, 1.0);  // the calm node is not throttled
  EXPECT_EQ(to_controller_row(burst).refill_scale, burst.refill_scale);
}

TEST(RefillThrottle, ExecutorHandsItToTheRefillPlanner) {
  const RunContext ctx = build_run_context(simtest::tiny_options(), "");
  const CostModel cost = simtest::flat_cost_model();
  const GeneratedHostTable table(ctx.trace.items->num_items(), ctx.model.D, 0, 0.1f);
  NodeOptions so = node_options(ctx, 0, 1, cost.link_bytes_per_s, 1.0, false);
  ASSERT_EQ(so.memory.repartition.mode, RepartitionMode::kBudgeted);
  CostModelExecutor exec(ctx.trace, ctx.model, cost, table, so, 0);
  const RefillPlanner* refill = exec.memory().repartitioner().refill();
  ASSERT_NE(refill, nullptr);
  EXPECT_EQ(refill->throttle(), 1.0);
  exec.set_refill_scale(0.25);
  EXPECT_EQ(refill->throttle(), 0.25);
  exec.set_refill_scale(1.0);
  EXPECT_EQ(refill->throttle(), 1.0);
}
