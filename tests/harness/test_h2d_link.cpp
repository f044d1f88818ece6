// The emulated host-to-device link: timing and the order of demand vs background traffic.
#include <gtest/gtest.h>

#include "allocator/h2d_link.h"

using namespace helm;

TEST(H2DLink, TransferIsLatencyPlusBytesOverRate) {
  H2DLink link(1e9, 1000);  // 1 GB/s = 1 byte/ns, 1 us fixed
  EXPECT_EQ(link.transfer_time(4096), 1000 + 4096);
  EXPECT_EQ(link.demand(0, 4096), 5096);
  // A second demand queues behind the first (FIFO), not at its own issue time.
  EXPECT_EQ(link.demand(100, 1000), 5096 + 2000);
  EXPECT_EQ(link.demand(20000, 0), 20000);  // nothing to copy: no wait
  EXPECT_EQ(link.stats().bytes[0], 5096u);
  EXPECT_EQ(link.stats().transfers[0], 2u);
}

TEST(H2DLink, BackgroundOnlyWhenIdleAndDemandWaitsAtMostOneChunk) {
  H2DLink link(1e9, 0);
  EXPECT_EQ(link.demand(0, 1000), 1000);
  EXPECT_EQ(link.try_background(500, 100), -1);  // busy with demand: refill yields
  EXPECT_EQ(link.try_background(1000, 100), 1100);
  // Demand issued while the chunk is in flight waits only for that chunk.
  EXPECT_EQ(link.demand(1050, 10, LinkPurpose::kKvOnboard), 1110);
  EXPECT_EQ(link.stats().bytes[static_cast<int>(LinkPurpose::kRefill)], 100u);
  EXPECT_EQ(link.stats().bytes[static_cast<int>(LinkPurpose::kKvOnboard)], 10u);
  EXPECT_EQ(link.stats().busy_ns, 1110);
}
