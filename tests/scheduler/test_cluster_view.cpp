// The cluster view's bookkeeping: KV residency through completions and evictions (and the host
// tier), load counts through dispatch/completion (drops overtaking the queue) and the hot-row
// summary. The service model's fit is in test_service_model.cpp.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "common/rng.h"
#include "scheduler/cluster_view.h"

namespace helm {
namespace {

RouteRequest req(int64_t id, int64_t user, int64_t window, int64_t start = 0, int64_t cand = 0) {
  RouteRequest r;
  r.id = id, r.user = user, r.history_len = start + window;
  r.window_start = start, r.window = window, r.candidates = cand;
  return r;
}

TEST(KvResidency, MatchesAReferenceMapUnderRandomChurn) {
  KvResidency kv;
  std::map<int64_t, std::set<int>> ref;  // small node count: never more than kMaxHolders
  Rng rng(7);
  for (int step = 0; step < 200000; ++step) {
    const int64_t user = static_cast<int64_t>(rng.below(5000)) - 100;  // negative ids too
    const int node = static_cast<int>(rng.below(KvResidency::kMaxHolders));
    if (rng.bernoulli(0.55)) {
      kv.set(user, node, 0, 1 + static_cast<int64_t>(rng.below(100)));
      ref[user].insert(node);
    } else {
      kv.erase(user, node);
      ref[user].erase(node);
      if (ref[user].empty()) ref.erase(user);
    }
  }
  ASSERT_EQ(kv.users(), ref.size());
  for (int64_t u = -100; u < 4900; ++u) {
    const auto* e = kv.find(u);
    auto it = ref.find(u);
    ASSERT_EQ(e != nullptr, it != ref.end()) << u;
    if (!e) continue;
    std::set<int> got;
    for (int k = 0; k < e->count; ++k) got.insert(e->holders[k].node);
    EXPECT_EQ(got, it->second) << u;
  }
}

TEST(KvResidency, KeepsTheNewestHoldersBeyondTheLimit) {
  KvResidency kv;
  for (int n = 0; n < KvResidency::kMaxHolders + 2; ++n) kv.set(42, n, 0, 10);
  const auto* e = kv.find(42);
  ASSERT_NE(e, nullptr);
  ASSERT_EQ(e->count, KvResidency::kMaxHolders);
  EXPECT_EQ(e->holders[0].node, 2);
  EXPECT_EQ(e->holders[KvResidency::kMaxHolders - 1].node, KvResidency::kMaxHolders + 1);
}

TEST(ClusterView, ResidencyFollowsCompletionsAndEvictions) {
  ClusterView v(3);
  const auto r = req(1, 77, 100);
  v.on_dispatch(1, r);
  EXPECT_EQ(v.reuse_tokens(1, r), 0);
  v.on_complete(1, {.id = 1, .user = 77, .kv_start = 0, .kv_tokens = 100});
  EXPECT_EQ(v.reuse_tokens(1, req(2, 77, 120)), 100);   // a later, longer window reuses 100
  EXPECT_EQ(v.reuse_tokens(0, req(2, 77, 120)), 0);     // other nodes hold nothing
  EXPECT_EQ(v.reuse_tokens(1, req(2, 77, 90, 30)), 0);  // rebased window: not reusable
  v.on_evict(1, 77);
  EXPECT_EQ(v.reuse_tokens(1, req(2, 77, 120)), 0);
  EXPECT_EQ(v.kv.users(), 0u);
  // Served uncached (kv_tokens 0) drops an entry; unknown (< 0, e.g. a drop) keeps it.
  v.on_dispatch(2, r);
  v.on_complete(2, {.id = 1, .user = 77, .kv_start = 0, .kv_tokens = 100});
  v.on_dispatch(2, req(3, 77, 110));
  v.on_complete(2, {.id = 3, .user = 77, .kv_tokens = -1});
  EXPECT_EQ(v.reuse_tokens(2, req(4, 77, 120)), 100);
  v.on_dispatch(2, req(4, 77, 120));
  v.on_complete(2, {.id = 4, .user = 77, .kv_tokens = 0});
  EXPECT_EQ(v.reuse_tokens(2, req(5, 77, 130)), 0);
}

TEST(ClusterView, EvictionOnOneNodeKeepsTheOthers) {
  ClusterView v(4);
  v.on_complete(0, {.id = 1, .user = 5, .kv_tokens = 50});
  v.on_complete(3, {.id = 2, .user = 5, .kv_tokens = 60});
  v.on_evict(0, 5);
  EXPECT_EQ(v.reuse_tokens(0, req(3, 5, 80)), 0);
  EXPECT_EQ(v.reuse_tokens(3, req(3, 5, 80)), 60);
}

TEST(ClusterView, LoadCountsSurviveDropsOvertakingTheQueue) {
  ClusterView v(2);
  for (int64_t id = 0; id < 5; ++id) v.on_dispatch(0, req(id, id, 10, 0, 2));
  EXPECT_EQ(v.nodes[0].outstanding, 5);
  EXPECT_EQ(v.nodes[0].outstanding_tokens, 60);
  v.on_complete(0, {.id = 3, .user = 3});  // dropped at admission, before 0..2 finish
  v.on_complete(0, {.id = 0, .user = 0, .service_ns = 1200});
  EXPECT_EQ(v.nodes[0].outstanding, 3);
  EXPECT_EQ(v.nodes[0].outstanding_tokens, 36);
  EXPECT_EQ(v.nodes[0].outstanding_kv_tokens, 30);
  EXPECT_EQ(v.total_outstanding(), 3);
  // The dispatch estimate counts reusable tokens as free.
  v.on_complete(1, {.id = 9, .user = 9, .kv_tokens = 8});
  v.on_dispatch(1, req(10, 9, 10, 0, 2));
  EXPECT_EQ(v.nodes[1].outstanding_tokens, 4);
}

TEST(ClusterView, EvictionKeepsTheEntryAsHostResidentOnlyWithAHostTier) {
  ClusterView none(2);
  none.on_complete(0, {.id = 1, .user = 5, .kv_tokens = 50});
  none.on_evict(0, 5);
  EXPECT_EQ(none.kv.users(), 0u);
  EXPECT_EQ(none.host_tokens(0, req(2, 5, 80)), 0);

  ClusterView v(2, CostParams{.host_kv_ns_per_token = 10});
  v.on_complete(0, {.id = 1, .user = 5, .kv_start = 0, .kv_tokens = 50});
  EXPECT_EQ(v.host_tokens(0, req(2, 5, 80)), 0);  // in the pool, not the host tier
  v.on_evict(0, 5);
  EXPECT_EQ(v.reuse_tokens(0, req(2, 5, 80)), 0);  // not reusable from the pool any more ...
  EXPECT_EQ(v.host_tokens(0, req(2, 5, 80)), 50);  // ... but copyable from the host tier
  EXPECT_EQ(v.host_tokens(1, req(2, 5, 80)), 0);
  EXPECT_EQ(v.host_tokens(0, req(2, 5, 80, 10)), 0);  // rebased window: the executor would not use it
  EXPECT_EQ(v.host_tokens(0, req(2, 5, 40)), 0);      // longer than the window: not used either
  // Dispatching there counts the host tokens as not computed.
  v.on_dispatch(0, req(3, 5, 80, 0, 4));
  EXPECT_EQ(v.nodes[0].outstanding_tokens, 80 - 50 + 4);
  // Served from the host tier: the entry is in the pool again.
  v.on_complete(0, {.id = 3, .user = 5, .kv_start = 0, .kv_tokens = 80});
  EXPECT_EQ(v.reuse_tokens(0, req(4, 5, 90)), 80);
  EXPECT_EQ(v.host_tokens(0, req(4, 5, 90)), 0);
}

TEST(ClusterView, BacklogIsTheAffineWorkOfTheOutstandingRequests) {
  ClusterView v(2, CostParams{.ns_per_token = 100, .ns_per_row = 40, .ns_per_request = 1000});
  v.nodes[0].hot.hit_rate = 0.75;
  v.on_dispatch(0, req(1, 1, 30, 0, 10));  // 40 tokens, 10 expected missed rows
  v.on_dispatch(0, req(2, 2, 60, 0, 20));  // 80 tokens, 20 rows
  EXPECT_EQ(v.nodes[0].outstanding_tokens, 120);
  EXPECT_DOUBLE_EQ(v.nodes[0].outstanding_rows, 30);
  // 2 requests x 1000 ns + 120 tokens x 100 ns + 30 rows x 40 ns.
  EXPECT_DOUBLE_EQ(v.expected_wait_ns(0), 2 * 1000 + 120 * 100 + 30 * 40);
  EXPECT_DOUBLE_EQ(v.expected_wait_ns(1), 0);
  v.on_complete(0, {.id = 1, .user = 1});
  EXPECT_DOUBLE_EQ(v.expected_wait_ns(0), 1000 + 80 * 100 + 20 * 40);
}

TEST(ClusterView, FitsOneSamplePerBatchFromItsCompletions) {
  ClusterView v(1, CostParams{.ns_per_token = 1, .ns_per_row = 1, .ns_per_request = 1});
  for (int64_t id = 0; id < 4; ++id) v.on_dispatch(0, req(id, id, 10));
  v.on_complete(0, {.id = 3, .user = 3});  // a drop between the batch's completions
  v.on_complete(0, {.id = 0, .user = 0, .service_ns = 900, .batch_size = 3});
  v.on_complete(0, {.id = 1, .user = 1, .service_ns = 900, .batch_size = 3});
  EXPECT_EQ(v.service_fit().batches(), 0);  // not whole yet
  v.on_complete(0, {.id = 2, .user = 2, .service_ns = 900, .batch_size = 3});
  EXPECT_DOUBLE_EQ(v.service_fit().batches(), 1);  // one sample for three completions
  // A batch seen only in part (its other completion never matched) is not fitted.
  v.on_dispatch(0, req(5, 5, 10));
  v.on_complete(0, {.id = 5, .user = 5, .service_ns = 700, .batch_size = 2});
  v.on_dispatch(0, req(6, 6, 10));
  v.on_complete(0, {.id = 6, .user = 6, .service_ns = 800, .batch_size = 1});
  EXPECT_NEAR(v.service_fit().batches(), 1 * ServiceFit::kDecay + 1, 1e-12);
}

TEST(ClusterView, HotRowSummarySmoothsTheHitRate) {
  ClusterView v(1);
  v.nodes[0].emb_share = 0.3;
  EXPECT_DOUBLE_EQ(v.emb_hit_rate(0), 0.3);  // prior before any report
  v.on_interval(0, {.queue_len = 4, .emb_share = 0.6, .emb_lookups = 1000, .emb_hits = 800});
  EXPECT_DOUBLE_EQ(v.emb_hit_rate(0), 0.8);
  EXPECT_EQ(v.nodes[0].queue_len, 4);
  EXPECT_DOUBLE_EQ(v.nodes[0].emb_share, 0.6);
  v.on_interval(0, {.emb_share = 0.6, .emb_lookups = 500, .emb_hits = 100});
  EXPECT_DOUBLE_EQ(v.emb_hit_rate(0), (0.8 * 500 + 100) / 1000.0);
  v.on_interval(0, {.emb_share = 0.6});  // an idle interval leaves it alone
  EXPECT_DOUBLE_EQ(v.emb_hit_rate(0), 0.5);
}

}  // namespace
}  // namespace helm
