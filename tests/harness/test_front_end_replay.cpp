// The cluster front end is the whole of rank 0's decisions: a real 1 + 3 rank run records the
// events its front end consumed (HELM_EVENT_LOG), a fresh front end replays them, and every
// routing decision, target round, /requests, /nodes and /controller row comes out the same as
// in the run's results file.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "harness/cluster/event_log.h"
#include "harness/cluster/front_end.h"
#include "harness/cli/run_options.h"
#include "harness/run_context.h"
#include "results/reader.h"

using namespace helm;

namespace {

// An adaptive policy and a router that reads the whole view, so the replay has something to miss.
const std::string kArgs =
    "--qps 150 --duration 4 --warmup-s 1 --drain-s 5 --pool-mib 2 --page-kib 16 --users 300 --items 5000"
    " --history-median 30 --memory-policy naive-adaptive --control-interval-ms 600 --router helm"
    " --slo-ms 200";

RunContext context_from(const std::string& args) {
  std::vector<std::string> words{"run"};
  std::istringstream in(args);
  for (std::string w; in >> w;) words.push_back(w);
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  RunOptions opt;
  cli::po::options_description desc;
  add_run_options(desc, opt);
  auto p = cli::parse("run", "", desc, static_cast<int>(argv.size()), argv.data());
  return build_run_context(opt, cli::effective_config(p.vm));
}

}  // namespace

TEST(FrontEndReplay, ARealRunReplaysToTheSameDecisionsAndRows) {
  const auto dir = std::filesystem::temp_directory_path();
  const std::string out = (dir / "helm_replay_run.h5").string(), log = (dir / "helm_replay.events").string();
  std::filesystem::remove(out);
  std::filesystem::remove(log);
  const std::string cmd = "bash -c 'source " HELM_SOURCE_DIR "/scripts/mpi-env.sh && HELM_EVENT_LOG=" + log +
                          " \"${HELM_MPIRUN[@]}\" -x HELM_EVENT_LOG -np 4 " HELM_BENCH_EXE " run " + kArgs +
                          " --out " + out + " > /dev/null'";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;

  ResultsReader file(out);
  const EventLog events = EventLog::load(log);
  const RunContext ctx = context_from(kArgs);
  RowCollector sink;
  const double link = *file.attributes().number("h2d_bytes_per_s");
  ClusterFrontEnd front(ctx, 3, NodeFacts{link, 4}, sink);
  EXPECT_EQ(replay(events, front), 0);
  front.finish("");

  auto rows = file.requests();
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  ASSERT_EQ(rows.size(), front.rows().size());
  for (size_t i = 0; i < rows.size(); ++i) ASSERT_EQ(rows[i], front.rows()[i]) << "request " << i;
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
