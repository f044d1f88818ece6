// The event queue's order: time first, then kind (completion, arrival, timeout, tick), then
// insertion order.
#include <gtest/gtest.h>

#include "harness/sim/sim_events.h"

using namespace helm;

TEST(SimEvents, OrderedByTimeThenKindThenInsertion) {
  SimEventQueue q;
  q.push(200, kSimArrival, 1);
  q.push(100, kSimTick, -1);
  q.push(100, kSimTimeout, 2);
  q.push(100, kSimArrival, 3);
  q.push(100, kSimCompletion, 4);
  q.push(100, kSimArrival, 5);  // same time and kind as node 3: after it (inserted later)
  q.push(50, kSimTick, -1);
  std::vector<std::pair<Nanos, int>> got;
  while (!q.empty()) {
    const SimEvent e = q.pop();
    got.emplace_back(e.time, e.node);
  }
  const std::vector<std::pair<Nanos, int>> want{{50, -1}, {100, 4}, {100, 3}, {100, 5},
                                                {100, 2}, {100, -1}, {200, 1}};
  EXPECT_EQ(got, want);
}

TEST(SimEvents, ManyEqualTimesKeepInsertionOrder) {
  SimEventQueue q;
  for (int i = 0; i < 1000; ++i) q.push(7, kSimCompletion, i);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(q.pop().node, i);
}
