// The cluster front end is the whole of rank 0's decisions: a real 1 + 3 rank run records the
// events its front end consumed (HELM_EVENT_LOG), a fresh front end replays them, and every
// routing decision, target round, /requests, /nodes and /controller row comes out the same as
// in the run's results file.
#include <gtest/gtest.h>

#include <algorithm>

#include "harness/cluster/event_log.h"
#include "harness/cluster/front_end.h"
#include "harness/cli/run_options.h"
#include "harness/run_context.h"
#include "results/reader.h"
#include "test_run_util.h"

using namespace helm;

namespace {

// An adaptive policy and a router that reads the whole view, so the replay has something to miss.
const std::string kArgs =
    "--qps 150 --duration 4 --warmup-s 1 --drain-s 5 --pool-mib 2 --page-kib 16 --users 300 --items 5000"
    " --history-median 30 --memory-policy naive-adaptive --control-interval-ms 600 --router helm"
    " --slo-ms 200";

}  // namespace

TEST(FrontEndReplay, ARealRunReplaysToTheSameDecisionsAndRows) {
  const std::string out = test::temp_path("helm_replay_run.h5"), log = test::temp_path("helm_replay.events");
  ASSERT_EQ(test::mpirun(4, kArgs, out, log + ".txt", "HELM_EVENT_LOG=" + log), 0) << "see " << log << ".txt";

  ResultsReader file(out);
  const EventLog events = EventLog::load(log);
  const RunContext ctx = test::run_context(kArgs);
  RowCollector sink;
  const double link = *file.attributes().number("h2d_bytes_per_s");
  ClusterFrontEnd front(ctx, 3, NodeFacts{link, 4}, sink);
  EXPECT_EQ(replay(events, front), 0);
  front.finish("");

  auto rows = file.requests();
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  auto replayed = sink.requests;  // in the order they became final, as the run's sink got them
  std::sort(replayed.begin(), replayed.end(), [](const auto& x, const auto& y) { return x.id < y.id; });
  ASSERT_EQ(rows.size(), replayed.size());
  for (size_t i = 0; i < rows.size(); ++i) ASSERT_EQ(rows[i], replayed[i]) << "request " << i;
  EXPECT_EQ(file.nodes(), sink.nodes);
  auto ctrl = file.controller();
  ASSERT_EQ(ctrl.size(), sink.controller.size());
  ASSERT_GT(ctrl.size(), 6u);
  int moved = 0;
  for (size_t i = 0; i < ctrl.size(); ++i) {
    ctrl[i].decision_ns = sink.controller[i].decision_ns;  // wall time of the decision itself
    EXPECT_EQ(ctrl[i], sink.controller[i]) << "decision " << i;
    moved += ctrl[i].target != 0.5;
  }
  EXPECT_GT(moved, 0);  // the policy did move: targets were compared, not only constants
}
