// `helm-bench fidelity`: --loads / --workers parsing (bad values are BadInput), the pool given to
// sim so both sides serve from the same bytes, and one tiny real run + sim pair at one load whose
// CSV row has every field, finite. Whether sim is within the goal is a measurement
// (docs/FIDELITY.md), never asserted here.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/error.h"
#include "harness/cli/fidelity.h"

using namespace helm;

namespace {
FidelityOptions parse(std::vector<std::string> args) {
  args.insert(args.begin(), "fidelity");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  return parse_fidelity(static_cast<int>(argv.size()), argv.data());
}

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  std::string f;
  while (std::getline(ss, f, ',')) out.push_back(f);
  return out;
}
}  // namespace

TEST(FidelityOptions, LoadsAreFractionsInOrder) {
  const auto l = parse_loads("0.3,0.6,0.85");
  ASSERT_EQ(l.size(), 3u);
  EXPECT_DOUBLE_EQ(l[0], 0.3);
  EXPECT_DOUBLE_EQ(l[1], 0.6);
  EXPECT_DOUBLE_EQ(l[2], 0.85);
  EXPECT_EQ(parse_loads("1").size(), 1u);
  for (const char* bad : {"", ",", "0.3,", "0.3,,0.6", "abc", "0", "-0.2", "2.5", "nan", "0.3;0.6"})
    EXPECT_THROW(parse_loads(bad), BadInput) << bad;
}

TEST(FidelityOptions, WorkersLoadsCapacityAndPool) {
  const auto o = parse({"--cost-model", "cpu-small", "--workers", "2", "--loads", "0.3,0.85", "--capacity-qps",
                        "120", "--scale", "0.01", "--dataset", "ml-20m"});
  EXPECT_EQ(o.workers, 2);
  EXPECT_EQ(o.loads.size(), 2u);
  EXPECT_DOUBLE_EQ(o.capacity_qps, 120);
  // run keeps the options as given; sim gets the pool that run serves from (24 MiB) over --scale.
  const std::vector<std::string> run_pass{"--scale", "0.01", "--dataset", "ml-20m"};
  EXPECT_EQ(o.pass, run_pass);
  const std::vector<std::string> sim_pass{"--scale", "0.01", "--dataset", "ml-20m", "--pool-mib", "2400"};
  EXPECT_EQ(o.sim_pass, sim_pass);
  EXPECT_EQ(parse({"--cost-model", "x"}).workers, 1);
  EXPECT_TRUE(parse({"--cost-model", "x"}).loads.empty());
  const std::vector<std::vector<std::string>> bad{
      {"--workers", "2"},                                          // no cost model
      {"--cost-model", "x", "--workers", "0"},
      {"--cost-model", "x", "--workers", "1.5"},
      {"--cost-model", "x", "--workers", "two"},
      {"--cost-model", "x", "--workers"},                          // no value
      {"--cost-model", "x", "--loads", "0.5", "--qps", "100"},     // qps comes from the loads
      {"--cost-model", "x", "--capacity-qps", "100"},              // capacity without loads
      {"--cost-model", "x", "--loads", "0.5", "--capacity-qps", "-1"},
      {"--cost-model", "x", "--nodes", "2"},
      {"--cost-model", "x", "--scale", "0"}};
  for (const auto& b : bad) EXPECT_THROW(parse(b), BadInput) << b[0] << " " << b.back();
}

TEST(FidelityRun, OneTinyLoadReportsEveryFieldFinite) {
  const auto dir = std::filesystem::temp_directory_path() / "helm_fidelity_test";
  std::filesystem::remove_all(dir);
  const std::string cmd = "bash -c 'source " HELM_SOURCE_DIR "/scripts/mpi-env.sh && " HELM_BENCH_EXE
                          " fidelity --cost-model cpu-small --workers 2 --loads 0.5 --capacity-qps 60"
                          " --duration 2 --warmup-s 0.5 --drain-s 3 --users 200 --items 2000 --out-dir " +
                          dir.string() + " > " + (dir.string() + ".log") + " 2>&1'";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::ifstream in(dir / "fidelity.csv");
  std::string header, row, extra;
  ASSERT_TRUE(std::getline(in, header));
  ASSERT_TRUE(std::getline(in, row));
  EXPECT_FALSE(std::getline(in, extra)) << "one load, one row";
  EXPECT_EQ(header, fidelity_csv_header());
  const auto names = split(header), values = split(row);
  ASSERT_EQ(names.size(), values.size());
  for (const char* want : {"run_mean_ms", "sim_mean_ms", "mean_err_pct", "run_p50_ms", "sim_p50_ms", "p50_err_pct",
                           "run_p99_ms", "sim_p99_ms", "p99_err_pct", "run_workers_cpu_share"})
    EXPECT_NE(std::find(names.begin(), names.end(), want), names.end()) << want;
  for (size_t i = 0; i < names.size(); ++i) {
    char* end = nullptr;
    const double x = std::strtod(values[i].c_str(), &end);
    EXPECT_TRUE(*end == '\0' && std::isfinite(x)) << names[i] << " = '" << values[i] << "'";
    for (const char* positive : {"_mean_ms", "_p50_ms", "_p99_ms", "_service_ms"})
      if (names[i].find(positive) != std::string::npos) EXPECT_GT(x, 0) << names[i];
  }
  EXPECT_EQ(values[1], "30.0");  // qps = 0.5 x 60
  const auto col = [&](const std::string& n) {
    return std::strtod(values[static_cast<size_t>(std::find(names.begin(), names.end(), n) - names.begin())].c_str(),
                       nullptr);
  };
  EXPECT_GT(col("run_completed"), 20);
  EXPECT_EQ(col("run_completed") + col("run_dropped"), col("sim_completed") + col("sim_dropped"));  // one trace
  EXPECT_GT(col("run_workers_cpu_share"), 0);
  EXPECT_LE(col("run_workers_cpu_share") + col("run_workers_runqueue_share"), 1.05);
}
