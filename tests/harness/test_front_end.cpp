// The cluster front end's accounting: a duplicate outcome or a node whose own count differs
// from what arrived turns the footer's exactly-once verdict to FAIL; a clean run passes.
#include <gtest/gtest.h>

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
