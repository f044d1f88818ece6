// `helm-bench sim` end to end on a tiny config: exit code, and the results file read back with
// the results reader (every request exactly once, the footer, the sim provenance). Bad input
// gives exit code 2.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "results/reader.h"
#include "results/summary.h"

using namespace helm;

TEST(SimCli, WritesAResultsFileTheReaderAccepts) {
  const std::string out = (std::filesystem::temp_directory_path() / "helm_test_sim_e2e.h5").string();
  std::filesystem::remove(out);
  const std::string cmd = std::string(HELM_BENCH_EXE) +
                          " sim --nodes 3 --cost-model a100-80gb --model tiny --qps 300 --duration 2"
                          " --users 500 --items 3000 --history-median 20 --pool-mib 2 --page-kib 4"
                          " --warmup-s 0.2 --out " + out + " > /dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  ResultsReader r(out);
  const auto rows = r.requests();
  ASSERT_GT(rows.size(), 300u);
  const Summary s = summarize(rows, 200'000'000, 1000, static_cast<int64_t>(rows.size()));
  EXPECT_TRUE(s.exactly_once);
  EXPECT_GT(s.completed, 0);
  EXPECT_GT(s.emb_hit_rate, 0);
  for (const auto& row : rows) EXPECT_TRUE(row.node >= 0 && row.node < 3);
  ASSERT_NE(r.attributes().find("mode"), nullptr);
  EXPECT_EQ(std::get<std::string>(*r.attributes().find("mode")), "sim");
  EXPECT_EQ(std::get<std::string>(*r.attributes().find("cost_model")), "a100-80gb");
  EXPECT_NE(r.attributes().find("footer_p99_all_ns"), nullptr);
  EXPECT_FALSE(r.nodes().empty());
}

TEST(SimCli, BadInputExitsWithCode2) {
  const std::string base = std::string(HELM_BENCH_EXE) + " sim --model tiny --duration 1 --out /dev/null ";
  for (const char* bad : {"--nodes 0", "--cost-model no-such-model", "--cost-model /nonexistent/x.json"}) {
    const int rc = std::system((base + bad + " > /dev/null 2>&1").c_str());
    EXPECT_EQ(WEXITSTATUS(rc), 2) << bad;
  }
}
