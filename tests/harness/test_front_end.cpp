// The cluster front end's accounting: a duplicate outcome or a node whose own count differs
// from what arrived turns the footer's exactly-once verdict to FAIL; a clean run passes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>

#include "harness/cluster/front_end.h"
#include "test_sim_util.h"

using namespace helm;

namespace {

struct Scenario {
  RunContext ctx = build_run_context(simtest::tiny_options(), "");
  RowCollector sink;
  ClusterFrontEnd front{ctx, 2, NodeFacts{1e9, 4}, sink};
  // Dispatches and completes every request on the node the router chose.
  std::vector<int64_t> serve_all() {
    std::vector<int64_t> per_node(2, 0);
    for (const auto& r : ctx.trace.requests) {
      const int node = front.dispatch(r.id, r.arrival);
      NodeOutcome o;
      o.o.id = r.id;
      o.o.arrival = r.arrival;
      o.o.start = r.arrival;
      o.o.finish = r.arrival + 1000;
      o.o.batch_size = 1;
      o.node = node;
      front.on_outcome(o);
      ++per_node[static_cast<size_t>(node)];
    }
    return per_node;
  }
};

}  // namespace

TEST(FrontEndAccounting, CleanRunPasses) {
  Scenario r;
  const auto sent = r.serve_all();
  for (int i = 0; i < 2; ++i) r.front.on_finished(i, sent[static_cast<size_t>(i)]);
  EXPECT_EQ(r.front.outstanding(), 0);
  EXPECT_TRUE(r.front.finish("").summary.exactly_once);
}

// The front end keeps rows only while requests are in flight: each final row goes to the sink
// at once, and a request never answered is failed at the end with what its dispatch recorded.
TEST(FrontEndAccounting, HoldsOnlyRowsInFlight) {
  Scenario r;
  const auto& reqs = r.ctx.trace.requests;
  ASSERT_GT(reqs.size(), 10u);
  const int unanswered = r.front.dispatch(reqs[0].id, reqs[0].arrival + 5);  // 5 ns late, never answered
  size_t most = 0;
  for (size_t i = 1; i < reqs.size(); ++i) {
    NodeOutcome o;
    o.o.id = reqs[i].id, o.o.arrival = reqs[i].arrival, o.o.start = reqs[i].arrival;
    o.o.finish = reqs[i].arrival + 1000, o.o.batch_size = 1;
    o.node = r.front.dispatch(reqs[i].id, reqs[i].arrival);
    most = std::max(most, r.front.rows_open());
    r.front.on_outcome(o);
    EXPECT_EQ(r.sink.requests.back().id, reqs[i].id);  // out as soon as it is final
  }
  EXPECT_EQ(most, 2u);  // request 0 and the one being served
  EXPECT_EQ(r.front.rows_open(), 1u);
  const RunEnd end = r.front.finish("");
  EXPECT_EQ(r.front.rows_open(), 0u);
  EXPECT_FALSE(end.summary.exactly_once);
  EXPECT_EQ(end.footer.integer("outcome_missing"), 1);
  ASSERT_EQ(r.sink.requests.size(), reqs.size());
  const RequestRow& last = r.sink.requests.back();
  EXPECT_EQ(last.id, 0);
  EXPECT_EQ(last.status, kFailed);
  EXPECT_EQ(last.node, unanswered);
  EXPECT_EQ(last.dispatch_lag, 5);
  EXPECT_EQ(end.summary.failed + end.summary.completed, end.summary.generated);
}

TEST(FrontEndAccounting, DuplicateOutcomeFails) {
  Scenario r;
  r.serve_all();
  NodeOutcome dup;
  dup.o.id = 3;
  r.front.on_outcome(dup);  // a second outcome for request 3
  const RunEnd end = r.front.finish("");
  EXPECT_FALSE(end.summary.exactly_once);
  EXPECT_EQ(end.footer.integer("outcome_duplicates"), 1);
  EXPECT_NE(format_footer(end.summary, end.notes).find("FAIL"), std::string::npos);
}

TEST(FrontEndAccounting, NodeCountMismatchFails) {
  Scenario r;
  const auto sent = r.serve_all();
  r.front.on_finished(0, sent[0] + 1);  // node 0 says it sent one outcome that never arrived
  r.front.on_finished(1, sent[1]);
  const RunEnd end = r.front.finish("");
  EXPECT_FALSE(end.summary.exactly_once);
  EXPECT_EQ(end.footer.integer("outcome_count_mismatches"), 1);
}

// A lost node, as rank 0 of `run` declares one: whatever a router answers, nothing is dispatched
// to it; what it held fails once; its late outcomes are ignored; the accounting still closes.
class FrontEndLostNode : public ::testing::TestWithParam<std::string> {};

TEST_P(FrontEndLostNode, NothingGoesToIt) {
  RunOptions o = simtest::tiny_options();
  o.router = GetParam();
  const RunContext ctx = build_run_context(o, "");
  RowCollector sink;
  constexpr int kNodes = 4, kLost = 2;
  ClusterFrontEnd front(ctx, kNodes, NodeFacts{1e9, 4}, sink);
  const auto& reqs = ctx.trace.requests;
  const size_t half = reqs.size() / 2;
  std::vector<int64_t> held;  // dispatched to the node that will be lost, never answered
  std::vector<int> node_of(reqs.size(), -1);
  for (size_t i = 0; i < half; ++i)
    if ((node_of[i] = front.dispatch(reqs[i].id, reqs[i].arrival)) == kLost) held.push_back(reqs[i].id);
  ASSERT_FALSE(held.empty());
  for (size_t i = 0; i < half; ++i) {  // the others answer
    const int64_t id = reqs[i].id;
    if (std::find(held.begin(), held.end(), id) != held.end()) continue;
    NodeOutcome out;
    out.o.id = id, out.o.arrival = reqs[i].arrival, out.o.start = reqs[i].arrival;
    out.o.finish = reqs[i].arrival + 1000, out.o.batch_size = 1;
    out.node = node_of[i];
    front.on_outcome(out);
  }
  EXPECT_TRUE(front.node_down(kLost, reqs[half].arrival).empty());  // failed, not handed back
  EXPECT_EQ(front.outstanding(), 0);
  for (size_t i = half; i < reqs.size(); ++i) EXPECT_NE(node_of[i] = front.dispatch(reqs[i].id, reqs[i].arrival), kLost);
  NodeOutcome late;  // the lost node answers after all
  late.o.id = held.front(), late.node = kLost;
  front.on_outcome(late);
  for (size_t i = half; i < reqs.size(); ++i) {
    NodeOutcome out;
    out.o.id = reqs[i].id, out.o.finish = reqs[i].arrival + 1000, out.o.batch_size = 1;
    out.node = node_of[i];
    front.on_outcome(out);
  }
  const RunEnd end = front.finish("");
  EXPECT_TRUE(end.summary.exactly_once);
  EXPECT_EQ(end.footer.integer("failed_node_down"), static_cast<int64_t>(held.size()));
  EXPECT_EQ(end.footer.integer("late_outcomes_ignored"), 1);
  EXPECT_EQ(end.footer.integer("nodes_lost"), 1);
  ASSERT_EQ(sink.requests.size(), reqs.size());  // every final row went out once
  for (const auto& row : sink.requests) {
    if (std::find(held.begin(), held.end(), row.id) != held.end()) {
      EXPECT_EQ(row.status, kFailed);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(EveryRouter, FrontEndLostNode, ::testing::ValuesIn(router_names()),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (auto& c : n) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           return n;
                         });
