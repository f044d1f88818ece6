// The oracle (DESIGN.md): per-window scores with drops as infinite latency, the per-window
// choice over a grid, the schedule file, and its replay through `--memory-policy oracle:FILE`
// in `sim` (the applied splits follow the schedule); `helm-bench oracle` end to end.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness/sim/oracle_grid.h"
#include "harness/sim/sim_driver.h"
#include "test_sim_util.h"

using namespace helm;

namespace {
RequestRow row(Nanos arrival, Nanos latency, int8_t status = kCompleted) {
  RequestRow r;
  r.arrival = arrival;
  r.latency = latency;
  r.status = status;
  return r;
}
}  // namespace

TEST(OracleGrid, GridHasTwentyOnePointsAtStepFiveHundredths) {
  const auto g = split_grid(0.05);
  ASSERT_EQ(g.size(), 21u);
  EXPECT_EQ(g.front(), 0.0);
  EXPECT_EQ(g[3], 0.15);
  EXPECT_EQ(g.back(), 1.0);
  EXPECT_EQ(split_grid(0.25, 0.5, 1).size(), 3u);
}

TEST(OracleGrid, WindowScoresCountDropsAsInfinite) {
  const Nanos I = 1000;
  std::vector<RequestRow> rows = {row(10, 5), row(20, 7), row(1500, 3), row(1600, 0, kDropped)};
  const auto s = window_scores(rows, I);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].p99, 7);
  EXPECT_EQ(s[0].requests, 2);
  EXPECT_EQ(s[1].p99, kNoLatency);
  EXPECT_EQ(s[1].dropped, 1);
}

TEST(OracleGrid, PicksTheLowestP99PerWindowAndWritesTheSchedule) {
  const Nanos I = 1'000'000'000;
  // Split 0.2 wins window 0, split 0.8 wins window 1; window 2 ties on P99 -> fewer drops.
  std::vector<std::vector<WindowScore>> runs = {
      {{10, 5, 100, 0}, {50, 5, 100, 0}, {30, 5, 100, 2}},
      {{20, 5, 100, 0}, {40, 5, 100, 0}, {30, 5, 100, 1}},
  };
  const auto w = pick_oracle({0.2, 0.8}, runs, I);
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[0].ratio, 0.2);
  EXPECT_EQ(w[1].ratio, 0.8);
  EXPECT_EQ(w[2].ratio, 0.8);
  EXPECT_EQ(w[1].score.p99, 40);
  std::ostringstream out;
  write_schedule(out, w);
  EXPECT_EQ(out.str(), "time_s,ratio\n0,0.2\n1,0.8\n2,0.8\n");
}

TEST(OracleGrid, ReplayedScheduleIsTheAppliedSplit) {
  const std::string path = (std::filesystem::temp_directory_path() / "helm_test_oracle_replay.csv").string();
  {
    std::ofstream f(path);
    f << "time_s,ratio\n0,0.3\n0.5,0.7\n1.0,0.1\n";
  }
  RunOptions o = simtest::tiny_options();
  o.control_interval_ms = 100;
  o.max_step = 1;
  o.memory_policy = "oracle:" + path;
  const RunContext ctx = build_run_context(o, "");
  const CostModel m = simtest::flat_cost_model();
  SimOptions so;
  so.nodes = 2;
  so.link_bytes_per_s = m.link_bytes_per_s;
  const SimResult r = simulate(ctx, m, so);
  ASSERT_FALSE(r.controller.empty());
  EXPECT_EQ(r.nodes.front().emb_share, 0.3);  // the pool starts at the schedule's first split
  for (const auto& c : r.controller) {
    const double want = c.time < 500'000'000 ? 0.3 : c.time < 1'000'000'000 ? 0.7 : 0.1;
    EXPECT_NEAR(c.ratio_applied, want, 1e-9) << "decision at " << c.time;
  }
  EXPECT_TRUE(r.end.summary.exactly_once);
}

TEST(OracleCli, WritesAScheduleThatSimReplays) {
  const auto dir = std::filesystem::temp_directory_path();
  const std::string sched = (dir / "helm_test_oracle.csv").string(), table = (dir / "helm_test_oracle_w.csv").string();
  const std::string common = " --nodes 2 --cost-model a100-80gb --model tiny --qps 300 --duration 2 --users 500"
                             " --items 3000 --history-median 20 --pool-mib 2 --page-kib 4 --warmup-s 0.2"
                             " --control-interval-ms 250";
  std::string cmd = std::string(HELM_BENCH_EXE) + " oracle" + common + " --grid-step 0.5 --jobs 2 --schedule " +
                    sched + " --table " + table + " > /dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::ifstream f(sched);
  std::string line;
  int rows = 0;
  std::getline(f, line);
  EXPECT_EQ(line, "time_s,ratio");
  while (std::getline(f, line)) ++rows;
  EXPECT_GE(rows, 8);  // 2 s of arrivals in 250 ms windows
  std::ifstream t(table);
  std::getline(t, line);
  EXPECT_EQ(line.rfind("window,start_s,end_s,oracle_ratio,oracle_p99_ms", 0), 0u) << line;
  cmd = std::string(HELM_BENCH_EXE) + " sim" + common + " --memory-policy oracle:" + sched +
        " --max-step 1 --out " + (dir / "helm_test_oracle_replay.h5").string() + " > /dev/null";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

namespace {
std::string output_of(const std::string& cmd) {
  std::string out;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[4096];
    for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
    pclose(p);
  }
  return out;
}
}  // namespace

// A grid run is the same run as `sim` at that split, pool included: without --pool-mib both take
// the cost model's pool (x --scale). The oracle once kept the CPU run's 24 MiB default, so on a GPU
// cost model its grid simulated a pool a thousand times smaller than the sims it was compared with.
TEST(OracleCli, GridRunIsTheSimRunWithTheCostModelsPool) {
  const std::string common = " --nodes 2 --cost-model a100-80gb --model tiny --qps 300 --duration 2 --users 500"
                             " --items 3000 --history-median 20 --scale 0.0005 --warmup-s 0.2 --seed 7";
  const auto dir = std::filesystem::temp_directory_path();
  const std::string grid = output_of(std::string(HELM_BENCH_EXE) + " oracle" + common +
                                     " --grid-step 0.5 --grid-min 0.5 --schedule " + (dir / "helm_test_pool_s.csv").string() +
                                     " --table " + (dir / "helm_test_pool_t.csv").string() + " 2>&1");
  const std::string sim = output_of(std::string(HELM_BENCH_EXE) + " sim" + common + " --memory-policy static:0.5 --out " +
                                    (dir / "helm_test_pool.h5").string() + " 2>&1");
  // oracle: "0.5     P99  P50  dropped  SLO%"; sim: "latency P99 completed: X ms"
  std::istringstream g(grid.substr(grid.find("\n0.5 ") + 1));
  double split = 0, grid_p99 = -1;
  g >> split >> grid_p99;
  const auto at = sim.find("latency P99 completed:");
  ASSERT_NE(at, std::string::npos) << sim;
  const double sim_p99 = std::stod(sim.substr(at + 22));
  ASSERT_GT(grid_p99, 0) << grid;
  EXPECT_NEAR(grid_p99, sim_p99, 0.0015) << grid << "\n" << sim;
  EXPECT_NE(sim.find("pool-mib = 73728  # cost model a100-80gb"), std::string::npos) << sim;
}
