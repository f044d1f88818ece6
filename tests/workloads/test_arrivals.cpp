#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "common/error.h"
#include "workloads/arrivals.h"

#include "tests/require.h"
#include "tests/workloads/shared_dir.h"

using namespace helm;

namespace {
struct Moments {
  double cv, rate;
};
Moments moments(const std::vector<Nanos>& t) {
  double sum = 0, sum2 = 0;
  for (size_t k = 1; k < t.size(); ++k) {
    const double d = static_cast<double>(t[k] - t[k - 1]);
    sum += d;
    sum2 += d * d;
  }
  const double n = static_cast<double>(t.size() - 1), mean = sum / n;
  return {std::sqrt(sum2 / n - mean * mean) / mean, 1e9 / mean};
}

std::string write_file(const std::string& name, const std::string& body) {
  const std::string path = ::testing::TempDir() + name;
  std::ofstream(path, std::ios::binary) << body;
  return path;
}
}  // namespace

TEST(SteadyArrivals, PoissonOver100kArrivals) {
  const double qps = 1000, duration = 100;  // ~100k arrivals
  const auto t = SteadyArrivals().arrivals(qps, duration, 7);
  ASSERT_GT(t.size(), 95000u);
  const auto m = moments(t);
  EXPECT_NEAR(m.cv, 1.0, 0.05);
  EXPECT_NEAR(static_cast<double>(t.size()) / duration, qps, 0.02 * qps);
  EXPECT_NEAR(m.rate, qps, 0.02 * qps);
  EXPECT_TRUE(std::is_sorted(t.begin(), t.end()));
  EXPECT_GE(t.front(), 0);
  EXPECT_LT(t.back(), static_cast<Nanos>(duration * 1e9));
}

TEST(SteadyArrivals, DeterministicBySeed) {
  SteadyArrivals a;
  EXPECT_EQ(a.arrivals(50, 10, 3), a.arrivals(50, 10, 3));
  EXPECT_NE(a.arrivals(50, 10, 3), a.arrivals(50, 10, 4));
}

TEST(ArrivalFactory, NamesAndErrors) {
  EXPECT_EQ(make_arrival_process("steady")->name(), "steady");
  EXPECT_THROW(make_arrival_process("nonsense"), BadInput);
  EXPECT_THROW(make_arrival_process("replay:"), BadInput);
  EXPECT_THROW(make_arrival_process("replay:/nonexistent/file.csv"), BadInput);
}

TEST(ReplayArrivals, UnsortedCrlfHeaderEqualTimesAndScaling) {
  // Header, CRLF, unsorted rows, two equal timestamps, fractional seconds.
  const std::string path = write_file(
      "replay.csv",
      "TIMESTAMP,ContextTokens,GeneratedTokens\r\n"
      "2023-11-16 18:15:50.0000000,1,1\r\n"
      "2023-11-16 18:15:46.5000000,1,1\r\n"
      "2023-11-16 18:15:48.0000000,1,1\r\n"
      "2023-11-16 18:15:48.0000000,1,1\r\n"
      "2023-11-16 18:15:46.0000000,1,1\r\n");
  ReplayArrivals r(path);
  const std::vector<Nanos> want = {0, 500000000, 2000000000, 2000000000, 4000000000};
  EXPECT_EQ(r.times(), want);
  // Period = span 4 s + mean gap 1 s = 5 s holding 5 arrivals; at 2 qps it lasts 2.5 s.
  const auto t = r.arrivals(2.0, 5.0, 0);
  ASSERT_EQ(t.size(), 10u);  // looped twice
  EXPECT_EQ(t[1], 250000000);
  EXPECT_EQ(t[4], 2000000000);
  EXPECT_EQ(t[5], 2500000000);
  EXPECT_EQ(r.notes(2.0, 5.0).size(), 2u);  // scaling + looped
}

TEST(ReplayArrivals, BadTimestampNamesFileAndLine) {
  const std::string path = write_file("replay_bad.csv", "TIMESTAMP,a\n2023-11-16 18:15:46,1\nyesterday,2\n");
  try {
    ReplayArrivals r(path);
    FAIL() << "no BadInput";
  } catch (const BadInput& e) {
    EXPECT_NE(std::string(e.what()).find(path + ":3:"), std::string::npos) << e.what();
  }
}

TEST(ReplayArrivals, SharedAzureTraceScalesToQps) {
  const std::string path = shared_dir() + "/data/azure-llm-2023/AzureLLMInferenceTrace_conv.csv";
  HELM_REQUIRE(std::ifstream(path), "no " << path);
  ReplayArrivals r(path);
  EXPECT_EQ(r.times().size(), 19366u);
  // Over one whole period of the file the mean rate is exactly qps; shorter windows follow the
  // real, non-stationary rate (the first minutes of the conv trace run ~20% below its mean).
  const double qps = 100.0, period_s = 19366 / qps;
  auto t = r.arrivals(qps, period_s, 0);
  EXPECT_NEAR(static_cast<double>(t.size()), 19366.0, 1.0);
  EXPECT_TRUE(std::is_sorted(t.begin(), t.end()));
  EXPECT_GT(moments(t).cv, 1.0);  // a real production trace is burstier than Poisson
  t = r.arrivals(qps, 3 * period_s, 0);  // looped three times
  EXPECT_NEAR(static_cast<double>(t.size()), 3 * 19366.0, 3.0);
  EXPECT_TRUE(std::is_sorted(t.begin(), t.end()));
}
