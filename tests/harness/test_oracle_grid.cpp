// The oracle (DESIGN.md): per-window scores with drops as infinite latency, the per-window
// choice over a grid, the schedule file, and its replay through `--memory-policy oracle:FILE`
// in `sim` (the applied splits follow the schedule); `helm-bench oracle` end to end.
#include <gtest/gtest.h>

#include <algorithm>
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

namespace {
std::string file_text(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}
// `sim` at static:R for each split, results into dir/NAME-R.h5 (as a sweep's static grid would be).
void sim_grid(const std::string& common, const std::filesystem::path& dir, const std::vector<std::string>& splits,
              const std::string& name = "static", const std::string& extra = " --seed 7") {
  for (const auto& r : splits) {
    const std::string cmd = std::string(HELM_BENCH_EXE) + " sim" + common + extra + " --memory-policy static:" + r +
                            " --tag sweep=test --out " + (dir / (name + "-" + r + ".h5")).string() + " > /dev/null";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
}
// The split table `oracle` prints (its header to the best static line).
std::string split_table(const std::string& said) {
  const auto a = said.find("split  P99_ms"), b = said.find("best static split");
  return a == std::string::npos || b == std::string::npos ? "(none)" : said.substr(a, b - a);
}
}  // namespace

// The grid read back from a sweep's static runs is the grid the oracle simulates: the same
// schedule and window table, byte for byte. Files of other policies and traces are skipped.
TEST(OracleCli, FromRunsWritesTheFilesTheGridWould) {
  // The experiments' tiny setting (a profile whose split matters: the oracle mixes 0 and 0.5).
  const std::string common = " --nodes 2 --cost-model a100-80gb --pool-mib 73728 --dataset kuairand-27k --scale 0.01"
                             " --qps 1000 --duration 0.6 --warmup-s 0.2 --session-gap-s 0.02 --control-interval-ms 100";
  const auto dir = std::filesystem::temp_directory_path() / "helm_test_oracle_from_runs";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  sim_grid(common, dir, {"0", "0.5", "1"});
  sim_grid(common, dir, {"0.5"}, "seed8", " --seed 8");  // another trace in the same folder
  const std::string other = std::string(HELM_BENCH_EXE) + " sim" + common + " --seed 7 --memory-policy mrc --out " +
                            (dir / "sim_mrc.h5").string() + " > /dev/null";
  ASSERT_EQ(std::system(other.c_str()), 0) << other;
  const std::string oracle = std::string(HELM_BENCH_EXE) + " oracle" + common + " --seed 7 --grid-step 0.5";
  const std::string a = (dir / "a").string(), b = (dir / "b").string();
  const std::string grid = output_of(oracle + " --jobs 2 --schedule " + a + ".csv --table " + a + ".windows.csv 2>&1");
  const std::string cmd =
      oracle + " --from-runs " + dir.string() + " --schedule " + b + ".csv --table " + b + ".windows.csv";
  const std::string said = output_of(cmd + " 2>&1");
  EXPECT_NE(said.find("(2 other files skipped)"), std::string::npos) << said;
  const std::string sched = file_text(a + ".csv"), table = file_text(a + ".windows.csv");
  ASSERT_EQ(std::count(sched.begin(), sched.end(), '\n'), 7) << sched;  // header, 0.6 s in 100 ms windows
  ASSERT_NE(sched.find(",0\n"), std::string::npos) << sched;             // the oracle moves: a wrong
  ASSERT_NE(sched.find(",0.5\n"), std::string::npos) << sched;           // file would show in the bytes
  EXPECT_EQ(file_text(b + ".csv"), sched);
  EXPECT_EQ(file_text(b + ".windows.csv"), table);
  EXPECT_EQ(split_table(said), split_table(grid)) << said << grid;
}

// Runs that do not form the oracle's grid are refused with one line naming the file and field:
// a split missing (only another seed has it), or a run of the trace under another config.
TEST(OracleCli, FromRunsRefusesRunsThatAreNotTheGrid) {
  const std::string common = " --nodes 2 --cost-model a100-80gb --model tiny --qps 300 --duration 1 --users 300"
                             " --items 2000 --history-median 20 --pool-mib 2 --page-kib 4 --warmup-s 0.2"
                             " --session-gap-s 0.5";
  const auto dir = std::filesystem::temp_directory_path() / "helm_test_oracle_from_runs_bad";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  sim_grid(common, dir, {"0"});
  sim_grid(common, dir, {"1"}, "seed8", " --seed 8");
  const std::string oracle = std::string(HELM_BENCH_EXE) + " oracle" + common + " --seed 7 --grid-step 1 --from-runs " +
                             dir.string() + " --schedule " + (dir / "s.csv").string() + " --table " +
                             (dir / "t.csv").string() + " 2>&1 >/dev/null; echo rc=$?";
  std::string said = output_of(oracle);
  EXPECT_NE(said.find(dir.string() + ": field 'memory_policy': no results file with static:1"), std::string::npos)
      << said;
  EXPECT_NE(said.find("rc=2"), std::string::npos) << said;
  EXPECT_EQ(std::count(said.begin(), said.end(), '\n'), 2) << said;  // one line, then rc
  sim_grid(common, dir, {"1"}, "slo20", " --seed 7 --slo-ms 20");  // split 1 of the same trace, under another SLO
  said = output_of(oracle);
  EXPECT_NE(said.find((dir / "slo20-1.h5").string() + ": config field 'slo-ms' is 20"), std::string::npos) << said;
  EXPECT_NE(said.find("rc=2"), std::string::npos) << said;
  EXPECT_FALSE(std::filesystem::exists(dir / "s.csv"));
}
