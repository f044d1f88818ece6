// The GPU worker's copy/compute plan, without a GPU: the steps each batch and each refill
// produce, a long interleaved schedule checked against the ordering invariants, and the checker
// itself shown to catch each broken ordering (so the schedule checks can fail).
#include <gtest/gtest.h>

#include "common/error.h"
#include "harness/mpi/ratio_frame.h"
#include "harness/node/copy_plan.h"

namespace helm {
namespace {

TEST(CopyPlan, BatchCopiesBeforeTheForwardOnTheirOwnStream) {
  const auto s = plan_batch({12, 256, 3, 65536, false});
  EXPECT_EQ(describe(s),
            "copy:kv_pages(3, 196608B) copy:emb_rows(12, 3072B) copy:record(0) compute:record(1) "
            "compute:wait(0) compute:forward compute:record(2)");
  EXPECT_EQ(check_schedule(s), "");
}

TEST(CopyPlan, AllHitsStillFenceAndRefillIsWaitedOn) {
  const auto s = plan_batch({0, 256, 0, 65536, true});
  EXPECT_EQ(describe(s), "copy:record(0) compute:record(1) compute:wait(0) compute:wait(3) compute:forward compute:record(2)");
}

TEST(CopyPlan, RefillTakesWholeRowsWithinTheBudget) {
  int64_t taken = -1;
  EXPECT_TRUE(plan_refill(100, 256, 255, &taken).empty());
  EXPECT_EQ(taken, 0);
  const auto s = plan_refill(100, 256, 1000, &taken);
  EXPECT_EQ(taken, 3);
  EXPECT_EQ(describe(s), "refill:refill_rows(3, 768B) refill:record(3)");
  plan_refill(2, 256, 1 << 20, &taken);
  EXPECT_EQ(taken, 2);
}

// Batches and refills interleaved as a worker's loop produces them (a deterministic sequence of
// sizes), the whole recorded schedule checked at once.
TEST(CopyPlan, InterleavedScheduleKeepsTheInvariants) {
  std::vector<PlanStep> all;
  uint64_t x = 12345;
  auto next = [&x](int64_t m) { x = x * 6364136223846793005ULL + 1442695040888963407ULL; return static_cast<int64_t>((x >> 33) % m); };
  const int64_t budget = 64 * 256;
  int64_t queued = 0, refilled = 0;
  bool outstanding = false;
  for (int i = 0; i < 500; ++i) {
    queued += next(200);
    if (next(3) > 0) {
      int64_t taken = 0;
      const auto r = plan_refill(queued, 256, budget, &taken);
      queued -= taken;
      refilled += taken;
      outstanding |= taken > 0;
      all.insert(all.end(), r.begin(), r.end());
    }
    const auto b = plan_batch({next(50), 256, next(3), 65536, outstanding});
    outstanding = false;
    all.insert(all.end(), b.begin(), b.end());
  }
  EXPECT_GT(refilled, 0);
  EXPECT_EQ(check_schedule(all, budget), "");
}

TEST(CopyPlan, CheckerCatchesEachBrokenOrdering) {
  auto base = plan_batch({4, 256, 1, 65536, false});
  auto no_wait = base;
  no_wait.erase(no_wait.begin() + 4);  // compute:wait(0)
  EXPECT_NE(check_schedule(no_wait).find("does not wait for its demand"), std::string::npos);

  auto off_stream = base;
  off_stream[0].stream = PlanStream::refill;
  EXPECT_NE(check_schedule(off_stream).find("off the copy stream"), std::string::npos);

  std::vector<PlanStep> refill = plan_refill(10, 256, 1 << 20, nullptr);
  std::vector<PlanStep> unwaited = refill;
  const auto b = plan_batch({4, 256, 0, 65536, /*refill_outstanding=*/false});
  unwaited.insert(unwaited.end(), b.begin(), b.end());
  EXPECT_NE(check_schedule(unwaited).find("refill before it"), std::string::npos);

  std::vector<PlanStep> behind = {{PlanStream::copy, PlanOp::wait, 0, 0, kRefillDone}};
  EXPECT_NE(check_schedule(behind).find("behind refill"), std::string::npos);

  EXPECT_NE(check_schedule(refill, 1000).find("over its budget"), std::string::npos);
}

TEST(CopyPlan, DefaultPoolLeavesActivationsAndMargin) {
  const size_t gib = size_t{1} << 30, page = 64 << 10;
  const size_t p = default_pool_bytes(80 * gib, 2 * gib, page);
  EXPECT_EQ(p % page, 0u);
  EXPECT_LE(p, 80 * gib - 2 * gib - 4 * gib);  // 5% of 80 GiB
  EXPECT_GT(p, 70 * gib);
  EXPECT_THROW(default_pool_bytes(gib / 2, 0, page), BadInput);
}

TEST(RatioFrame, SequenceAndLastFlagRoundTrip) {
  RatioSequencer seq;
  const auto a = seq.next({0.25, 0.75}, false).encode();
  const auto b = seq.next({0.5, 0.5}, true).encode();
  const RatioFrame fa = RatioFrame::decode(a.data(), 2, 1);
  EXPECT_EQ(fa.seq, 1);
  EXPECT_FALSE(fa.last);
  EXPECT_EQ(fa.ratios, (std::vector<double>{0.25, 0.75}));
  EXPECT_TRUE(RatioFrame::decode(b.data(), 2, 2).last);
  EXPECT_THROW(RatioFrame::decode(b.data(), 2, 1), std::runtime_error);  // a lost frame
  EXPECT_THROW(seq.next({0, 0}, false), std::logic_error);               // after the last
  EXPECT_EQ(seq.posted(), 2);
}

}  // namespace
}  // namespace helm
