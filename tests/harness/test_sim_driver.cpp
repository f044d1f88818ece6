// The simulation driver on a tiny workload: exactly-once accounting (with drops), determinism,
// and the timing rules (admission lag, batch timeout noticed one wake late, busy nodes).
#include <gtest/gtest.h>

#include "harness/sim/sim_driver.h"
#include "test_sim_util.h"

using namespace helm;
using helm::simtest::flat_cost_model;
using helm::simtest::sim_options;
using helm::simtest::tiny_options;

TEST(SimDriver, EveryRequestCompletesOrIsDroppedExactlyOnce) {
  RunOptions o = tiny_options();
  o.qps = 3000;
  o.queue_cap = 8;
  const RunContext ctx = build_run_context(o, "");
  CostModel m = flat_cost_model();
  m.batch_ns = 5e6;  // 8 requests per 5 ms per node: far below 3000/s, so the queues overflow
  const SimResult r = simulate(ctx, m, sim_options(2, m));
  ASSERT_EQ(r.rows.size(), ctx.trace.requests.size());
  int64_t completed = 0, dropped = 0;
  for (size_t i = 0; i < r.rows.size(); ++i) {
    const RequestRow& row = r.rows[i];
    EXPECT_EQ(row.id, static_cast<int64_t>(i));
    ASSERT_TRUE(row.status == kCompleted || row.status == kDropped) << "request " << i;
    if (row.status == kCompleted) {
      ++completed;
      EXPECT_GE(row.start, row.arrival + static_cast<Nanos>(m.admit_ns));
      EXPECT_GT(row.finish, row.start);
      EXPECT_EQ(row.latency, row.finish - row.arrival);
    } else {
      ++dropped;
    }
  }
  EXPECT_GT(completed, 0);
  EXPECT_GT(dropped, 0);
  EXPECT_TRUE(r.end.summary.exactly_once);
  EXPECT_EQ(r.end.summary.failed, 0);
  // Per-node interval rows account for every arrival.
  int64_t arrivals = 0, node_completed = 0, node_dropped = 0;
  for (const auto& n : r.nodes) arrivals += n.arrivals, node_completed += n.completed, node_dropped += n.dropped;
  EXPECT_EQ(arrivals, static_cast<int64_t>(r.rows.size()));
  EXPECT_EQ(node_completed, completed);
  EXPECT_EQ(node_dropped, dropped);
}

TEST(SimDriver, IdenticalSeedsGiveIdenticalResults) {
  RunOptions o = tiny_options();
  const RunContext a = build_run_context(o, ""), b = build_run_context(o, "");
  const CostModel m = flat_cost_model();
  const SimResult ra = simulate(a, m, sim_options(3, m)), rb = simulate(b, m, sim_options(3, m));
  EXPECT_EQ(ra.rows, rb.rows);
  EXPECT_EQ(ra.nodes, rb.nodes);
  EXPECT_EQ(ra.events, rb.events);
  o.seed = 2;
  const RunContext c = build_run_context(o, "");
  const SimResult rc = simulate(c, m, sim_options(3, m));
  EXPECT_NE(ra.rows, rc.rows);
}

TEST(SimDriver, LoneRequestWaitsTheTimeoutThenRunsItsServiceTime) {
  RunOptions o = tiny_options();
  o.qps = 1;  // requests far apart: each batch is one request
  o.duration_s = 5;
  const RunContext ctx = build_run_context(o, "");
  const CostModel m = flat_cost_model();
  const SimResult r = simulate(ctx, m, sim_options(1, m));
  const RequestRow& first = r.rows[0];
  const Nanos timeout = static_cast<Nanos>(o.batch_timeout_us * 1e3);
  EXPECT_EQ(first.start, first.arrival + static_cast<Nanos>(m.admit_ns + m.wake_ns) + timeout);
  EXPECT_EQ(first.batch_size, 1);
  // Service: host prep or the link (whichever is later, +wake for the link), then the HSTU time.
  EXPECT_GT(first.finish - first.start, static_cast<Nanos>(m.batch_ns + m.seq_ns));
  for (const auto& row : r.rows) EXPECT_EQ(row.status, kCompleted);
}

TEST(SimDriver, RoutesOverEveryNode) {
  const RunContext ctx = build_run_context(tiny_options(), "");
  const CostModel m = flat_cost_model();
  const SimResult r = simulate(ctx, m, sim_options(4, m));
  std::vector<int> per(4, 0);
  for (const auto& row : r.rows) ++per.at(static_cast<size_t>(row.node));
  for (int c : per) EXPECT_GT(c, 0);
}
