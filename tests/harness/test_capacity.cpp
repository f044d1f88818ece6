// The capacity search on a known system (a server that serves at most C requests/s and meets the
// SLO while the load is below a knee), and the middle-window throughput it reads from rows.
#include <gtest/gtest.h>

#include "harness/cli/capacity.h"

using namespace helm;

TEST(Capacity, FindsSaturationAndTheSloLoad) {
  const double cap = 1000, knee = 700;
  int calls = 0;
  auto measure = [&](double q) {
    ++calls;
    return LoadPoint{q, std::min(q, cap), q <= knee ? 0.995 : 0.9};
  };
  const CapacityResult r = find_capacity(measure, 100, 0.99);
  EXPECT_DOUBLE_EQ(r.saturation_qps, cap);
  EXPECT_LE(r.target_qps, knee);
  EXPECT_GE(r.target_qps, knee / 1.05);  // within 5%
  EXPECT_EQ(calls, static_cast<int>(r.points.size()));
  EXPECT_GE(r.points.back().offered_qps, 0);
  const CapacityResult s = find_capacity(measure, 100);
  EXPECT_DOUBLE_EQ(s.saturation_qps, cap);
  EXPECT_EQ(s.target_qps, -1);
}

TEST(Capacity, MiddleWindowCountsOnlyCompletionsInside) {
  std::vector<RequestRow> rows(10);
  for (int i = 0; i < 10; ++i) {
    rows[static_cast<size_t>(i)].finish = i * 1'000'000'000LL;  // one per second over 0..9 s
    rows[static_cast<size_t>(i)].status = i == 5 ? kDropped : kCompleted;
  }
  // Window [2 s, 8 s): finishes at 2,3,4,6,7 (5 is a drop) = 5 in 6 s.
  EXPECT_NEAR(mid_window_throughput(rows, 10'000'000'000LL), 5.0 / 6.0, 1e-12);
}
