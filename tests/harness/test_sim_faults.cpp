// Node loss in the simulator (--fail-node K@T[:T2], sim/node_faults.h): every request still ends
// exactly once with the lost node's counted as failed_node_down, nothing is routed to a lost node
// once a control interval has passed, its memory policy is not asked while it is down, it comes
// back with no KV, and --on-fail reroute completes its requests on live nodes instead.
#include <gtest/gtest.h>

#include <map>

#include "common/error.h"
#include "harness/sim/node_faults.h"
#include "harness/sim/sim_driver.h"
#include "test_sim_util.h"

using namespace helm;
using helm::simtest::flat_cost_model;
using helm::simtest::tiny_options;

namespace {

constexpr Nanos kMs = 1'000'000;
constexpr int kNodes = 4, kLost = 1;
constexpr Nanos kInterval = 100 * kMs, kDown = 710 * kMs, kUp = 1400 * kMs;  // T off the tick grid

RunOptions faulty_options(const std::string& router) {
  RunOptions o = tiny_options();
  o.qps = 400;
  o.control_interval_ms = 100;
  o.router = router;
  return o;
}

SimResult simulate_with_fault(const RunContext& ctx, bool reroute) {
  CostModel m = flat_cost_model();
  m.batch_ns = 4e6;  // a node holds a queue and a running batch when it is lost
  SimOptions so = simtest::sim_options(kNodes, m);
  so.faults = parse_node_faults({"1@0.71:1.4"}, kNodes);
  so.reroute = reroute;
  return simulate(ctx, m, so);
}

int64_t footer(const SimResult& r, const std::string& key) {
  const auto v = r.end.footer.integer(key);
  EXPECT_TRUE(v.has_value()) << key;
  return v.value_or(-1);
}

Nanos dispatched(const RequestRow& row) { return row.arrival + row.dispatch_lag; }

}  // namespace

TEST(SimFaults, LostNodesRequestsFailAndTheAccountingCloses) {
  const RunContext ctx = build_run_context(faulty_options("rr"), "");
  const SimResult r = simulate_with_fault(ctx, false);
  ASSERT_EQ(r.rows.size(), ctx.trace.requests.size());
  EXPECT_TRUE(r.end.summary.exactly_once);
  int64_t completed = 0, dropped = 0, failed = 0, late = 0, back = 0;
  for (const auto& row : r.rows) {
    completed += row.status == kCompleted;
    dropped += row.status == kDropped;
    if (row.status == kFailed) {
      ++failed;
      EXPECT_EQ(row.node, kLost) << "request " << row.id;
      EXPECT_LT(dispatched(row), kDown + kInterval) << "request " << row.id;
    }
    if (row.node == kLost && dispatched(row) >= kDown + kInterval && dispatched(row) < kUp) ++late;
    if (row.node == kLost && dispatched(row) >= kUp + kInterval) back += row.status == kCompleted;
  }
  EXPECT_EQ(completed + dropped + failed, static_cast<int64_t>(r.rows.size()));
  EXPECT_GT(failed, 0);  // its queue, its running batch and what reached it before the tick
  EXPECT_EQ(failed, footer(r, "failed_node_down"));
  EXPECT_EQ(footer(r, "outcome_missing"), 0);
  EXPECT_EQ(footer(r, "nodes_lost"), 1);
  EXPECT_EQ(footer(r, "rerouted_node_down"), 0);
  EXPECT_EQ(late, 0) << "requests routed to the lost node more than one interval after it was lost";
  EXPECT_GT(back, 0) << "the node serves again after T2";
}

TEST(SimFaults, TheControllerSkipsALostNode) {
  const RunContext ctx = build_run_context(faulty_options("rr"), "");
  const SimResult r = simulate_with_fault(ctx, false);
  int before = 0, while_down = 0;
  for (const auto& c : r.controller)
    if (c.node == kLost) before += c.time < kDown, while_down += c.time > kDown + kInterval && c.time < kUp;
  EXPECT_GT(before, 0);
  EXPECT_EQ(while_down, 0);
  int rows_down = 0;
  for (const auto& n : r.nodes) rows_down += n.node == kLost && n.time > kDown + kInterval && n.time < kUp;
  EXPECT_EQ(rows_down, 0);
}

TEST(SimFaults, ANodeComesBackWithoutKv) {
  // kv-affinity sends a user back to the same node, so hits before the loss are certain and the
  // first visit of each user after the return must recompute: the pool came back empty.
  const RunContext ctx = build_run_context(faulty_options("kv-affinity"), "");
  const SimResult r = simulate_with_fault(ctx, false);
  int64_t hits_before = 0, firsts = 0, first_hits = 0, hits_after = 0;
  std::map<int64_t, bool> seen_after;
  for (const auto& row : r.rows) {  // by id = arrival order
    if (row.node != kLost || row.status != kCompleted) continue;
    if (row.start < kDown) hits_before += row.kv_hit_tokens_pool > 0;
    if (row.start < kUp) continue;
    if (!seen_after[row.user]) {
      seen_after[row.user] = true;
      ++firsts;
      first_hits += row.kv_hit_tokens_pool;
    } else {
      hits_after += row.kv_hit_tokens_pool > 0;
    }
  }
  EXPECT_GT(hits_before, 0);
  EXPECT_GT(firsts, 0);
  EXPECT_EQ(first_hits, 0) << "KV tokens hit on the returned node's first visits: its cache survived the loss";
  EXPECT_GT(hits_after, 0) << "the returned node builds KV again";
}

TEST(SimFaults, RerouteCompletesTheLostNodesRequestsElsewhere) {
  const RunContext ctx = build_run_context(faulty_options("rr"), "");
  const SimResult failed_run = simulate_with_fault(ctx, false);
  const SimResult r = simulate_with_fault(ctx, true);
  EXPECT_TRUE(r.end.summary.exactly_once);
  int64_t failed = 0, rerouted = 0;
  for (const auto& row : r.rows) {
    failed += row.status == kFailed;
    // Re-routed: dispatched again at the tick that noticed the loss, to a live node.
    if (row.dispatch_lag > 0 && dispatched(row) >= kDown && dispatched(row) <= kDown + kInterval) {
      ++rerouted;
      EXPECT_NE(row.node, kLost);
      EXPECT_EQ(row.status, kCompleted) << "request " << row.id;
    }
  }
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(footer(r, "failed_node_down"), 0);
  EXPECT_EQ(footer(r, "rerouted_node_down"), footer(failed_run, "failed_node_down"));
  EXPECT_EQ(rerouted, footer(r, "rerouted_node_down"));
}

TEST(SimFaults, TheSpecIsCheckedOnce) {
  const auto f = parse_node_faults({"2@5", "1@3:4", "1@1:2"}, 4);
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[0].node, 1);
  EXPECT_EQ(f[0].down, 1'000'000'000);
  EXPECT_EQ(f[0].up, 2'000'000'000);
  EXPECT_EQ(f[2].node, 2);
  EXPECT_EQ(f[2].up, -1);
  for (const char* bad : {"1", "@3", "x@3", "4@3", "-1@3", "1@", "1@-2", "1@nan", "1@3:2", "1@3:3", "1@3:", "1@3x",
                          "1@1e300"})
    EXPECT_THROW(parse_node_faults({bad}, 4), BadInput) << bad;
  EXPECT_THROW(parse_node_faults({"1@1:3", "1@2"}, 4), BadInput);  // overlapping
  EXPECT_THROW(parse_node_faults({"1@1", "1@5"}, 4), BadInput);    // never back, then lost again
  EXPECT_THROW(parse_node_faults({"0@1", "1@2"}, 2), BadInput);    // nobody left
  EXPECT_NO_THROW(parse_node_faults({"0@1:2", "0@2:3"}, 2));
  EXPECT_FALSE(parse_on_fail("fail"));
  EXPECT_TRUE(parse_on_fail("reroute"));
  EXPECT_THROW(parse_on_fail("retry"), BadInput);
}
