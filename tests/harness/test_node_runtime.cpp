// The node runtime with a fake executor and a manual clock: batching rules, queue bound.
#include <gtest/gtest.h>

#include "harness/node/node_runtime.h"

using namespace helm;

namespace {
// Records batches; each request "computes" tokens = 10 * (id % 3 + 1); service takes 1 ms.
struct FakeExecutor : Executor {
  std::vector<std::vector<int64_t>> batches;
  int64_t estimate_tokens(int64_t id) override { return 10 * (id % 3 + 1); }
  void execute(std::span<const Queued> batch, Nanos start, std::vector<Outcome>& out) override {
    batches.emplace_back();
    for (const auto& q : batch) {
      batches.back().push_back(q.id);
      Outcome o;
      o.id = q.id;
      o.start = start;
      o.finish = start + 1'000'000;
      o.batch_size = static_cast<int32_t>(batch.size());
      out.push_back(o);
    }
  }
};
}  // namespace

TEST(Batcher, ReadyByCountTokensOrTimeout) {
  BatchingOptions opt{.max_requests = 3, .max_tokens = 1000, .timeout = 500, .queue_cap = 10};
  Batcher b(opt);
  EXPECT_FALSE(b.ready(0));
  EXPECT_EQ(b.deadline(), std::numeric_limits<Nanos>::max());
  b.admit({1, 0, 100, 10});
  EXPECT_FALSE(b.ready(599));
  EXPECT_TRUE(b.ready(600));  // oldest waited the timeout
  EXPECT_EQ(b.deadline(), 600);
  b.admit({2, 0, 200, 10});
  b.admit({3, 0, 300, 10});
  EXPECT_TRUE(b.ready(301));  // count reached
  Batcher t(BatchingOptions{.max_requests = 100, .max_tokens = 25, .timeout = 1'000'000, .queue_cap = 10});
  t.admit({1, 0, 0, 10});
  t.admit({2, 0, 0, 10});
  EXPECT_FALSE(t.ready(1));
  t.admit({3, 0, 0, 10});
  EXPECT_TRUE(t.ready(1));  // 30 tokens >= 25
  const auto batch = t.take();
  ASSERT_EQ(batch.size(), 2u);  // FIFO up to the token budget
  EXPECT_EQ(batch[0].id, 1);
  EXPECT_EQ(t.size(), 1u);
  EXPECT_EQ(t.queued_tokens(), 10);
}

TEST(Batcher, OversizedRequestRunsAlone) {
  Batcher b(BatchingOptions{.max_requests = 4, .max_tokens = 50, .timeout = 0, .queue_cap = 8});
  b.admit({7, 0, 0, 500});
  b.admit({8, 0, 0, 5});
  auto first = b.take();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].id, 7);
  EXPECT_EQ(b.take().size(), 1u);
}

TEST(Batcher, QueueBoundDropsAndDrainReturnsTheRest) {
  Batcher b(BatchingOptions{.max_requests = 4, .max_tokens = 1000, .timeout = 0, .queue_cap = 2});
  EXPECT_TRUE(b.admit({1, 0, 0, 1}));
  EXPECT_TRUE(b.admit({2, 0, 0, 1}));
  EXPECT_FALSE(b.admit({3, 0, 0, 1}));
  EXPECT_EQ(b.size(), 2u);
  const auto rest = b.drain();
  EXPECT_EQ(rest.size(), 2u);
  EXPECT_EQ(b.size(), 0u);
  EXPECT_EQ(b.queued_tokens(), 0);
}

TEST(NodeRuntime, PollRunsBatchesInFifoOrderWithManualClock) {
  FakeExecutor ex;
  NodeRuntime node(BatchingOptions{.max_requests = 2, .max_tokens = 1000, .timeout = 1000, .queue_cap = 16}, ex);
  ManualClock clock;
  std::vector<Outcome> out;
  for (int64_t id = 0; id < 5; ++id) ASSERT_TRUE(node.admit(id, 0, clock.now()));
  EXPECT_TRUE(node.poll(clock.now(), out));   // 2 ready by count
  EXPECT_TRUE(node.poll(clock.now(), out));   // 2 more
  EXPECT_FALSE(node.poll(clock.now(), out));  // 1 left, timeout not reached
  clock.advance(1000);
  EXPECT_TRUE(node.poll(clock.now(), out));
  ASSERT_EQ(ex.batches.size(), 3u);
  EXPECT_EQ(ex.batches[0], (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(ex.batches[2], (std::vector<int64_t>{4}));
  ASSERT_EQ(out.size(), 5u);
  for (size_t i = 0; i < out.size(); ++i) EXPECT_EQ(out[i].id, static_cast<int64_t>(i));
  EXPECT_EQ(out[4].start, 1000);
  EXPECT_EQ(out[4].batch_size, 1);
}
