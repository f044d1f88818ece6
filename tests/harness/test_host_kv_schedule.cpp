// The host KV tier as the CUDA executor drives it, without a GPU: the real caches, resolver and
// NodeMemory over a CpuDevice, the tier's copies queued by a PageCopyQueue and carried out at the
// plan's kv_pages step (as cuda_executor.cpp does on its copy stream), and a stand-in forward that
// checks every reused K/V token before writing the computed ones. Each token's K holds a value
// of (user, position), so a spill or onboard that ran late, early, twice or out of order leaves
// a wrong value where the forward reads it. The recorded schedule must keep the plan's
// invariants, every queued copy must run exactly once, and onboarded bytes must reach the link
// as kKvOnboard.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

#include "allocator/device.h"
#include "allocator/emb_cache.h"
#include "allocator/h2d_link.h"
#include "allocator/kv_cache.h"
#include "allocator/page_pool.h"
#include "harness/node/cache_resolver.h"
#include "harness/node/copy_plan.h"
#include "harness/node/node_memory.h"
#include "harness/node/page_copy_queue.h"
#include "harness/run_context.h"
#include "test_sim_util.h"

namespace helm {
namespace {

float token_value(UserId u, int64_t pos) { return static_cast<float>(u) * 10000.0f + static_cast<float>(pos); }

enum class Order { planned, reversed, emb_first };

// EmbCache's miss rows queued until the plan's emb_rows step, as CudaRowSource queues them for
// the copy stream: a row written into a page the same batch evicted from the KV cache must land
// after that page's spill.
class QueuedRows final : public HostTable {
 public:
  explicit QueuedRows(const HostTable& t) : t_(t) {}
  int64_t rows() const override { return t_.rows(); }
  int dim() const override { return t_.dim(); }
  void read(ItemId item, float* dst) const override { q_.push_back({item, dst}); }
  void flush() {
    for (const auto& [item, dst] : q_) t_.read(item, dst);
    q_.clear();
  }
  size_t pending() const { return q_.size(); }

 private:
  const HostTable& t_;
  mutable std::vector<std::pair<ItemId, float*>> q_;
};

struct Result {
  std::vector<PlanStep> schedule;
  int64_t wrong = 0, checked = 0;             // reused tokens read by the forward
  int64_t spills = 0, onboards = 0;           // copies carried out
  int64_t onboard_pages = 0, onboard_bytes = 0;  // what the resolutions asked for
  int64_t between_batches = 0;                // spills issued by a split change
  uint64_t link_onboard = 0;
  int64_t queued_at_end = 0;
};

Result run(Order order) {
  RunOptions o = simtest::tiny_options();
  const RunContext ctx = build_run_context(o, "");
  const size_t page = 4096;
  CpuDevice dev(size_t{512} << 10, page);
  PagePool pool(dev.num_pages(), 0.4);
  const GeneratedHostTable table(ctx.trace.items->num_items(), ctx.model.D, 0, 0.1f);
  QueuedRows queued_rows(table);
  EmbCache emb(pool, dev, queued_rows);
  const ModelConfig& c = ctx.model;
  KvCache kv(pool, dev, KvLayout::for_page(c.layers, c.heads, c.d_qk, c.d_v, page));
  H2DLink link(1e15, 0);
  CacheResolver resolver(ctx.trace, c.N, ctx.candidates, emb, kv, /*hash_prefixes=*/true);
  NodeMemoryOptions mo;
  mo.repartition.mode = RepartitionMode::kNaive;
  mo.host_kv_bytes = size_t{8} << 20;
  PageCopyQueue queue([](size_t b) { return static_cast<std::byte*>(std::aligned_alloc(64, (b + 63) / 64 * 64)); },
                      [](std::byte* p) { std::free(p); });
  NodeMemory memory(pool, emb, kv, link, page, mo, &queue);
  resolver.set_host_tier(memory.host());
  const KvLayout& lay = kv.layout();

  Result r;
  auto carry_out = [&] {
    std::vector<PageCopy> q = queue.take();
    if (order == Order::reversed) std::reverse(q.begin(), q.end());
    for (const PageCopy& p : q) {
      std::memcpy(p.dst, p.src, p.bytes);
      ++(p.spill ? r.spills : r.onboards);
    }
  };
  auto k_at = [&](const KvView& v, int64_t t) {
    return lay.k(v.pages[static_cast<size_t>(t / lay.tokens_per_page)], 0, static_cast<int>(t % lay.tokens_per_page));
  };
  const auto& reqs = ctx.trace.requests;
  std::vector<Resolution> res;
  std::vector<std::vector<const float*>> rows;
  for (size_t i = 0, k = 0; i < reqs.size(); ++k) {
    if (k % 40 == 39) {  // the control loop moves the split between batches: KV shrinks spill
      memory.apply_share((k / 40) % 2 ? 0.7 : 0.2);
      memory.tick(0);
      r.between_batches += static_cast<int64_t>(queue.pending());
      const auto s = plan_spills(static_cast<int64_t>(queue.pending()), static_cast<int64_t>(page));
      for (const PlanStep& p : s)
        if (p.op == PlanOp::kv_pages) carry_out();
      r.schedule.insert(r.schedule.end(), s.begin(), s.end());
    }
    const size_t len = std::min<size_t>(1 + k % 6, reqs.size() - i);
    res.assign(len, Resolution{});
    rows.assign(len, {});
    int64_t onboard = 0;
    for (size_t j = 0; j < len; ++j) {
      resolver.resolve(reqs[i + j], std::span<const Resolution>(res.data(), j), res[j], rows[j]);
      onboard += res[j].onboard_bytes;
      if (res[j].host_tokens > 0) r.onboard_pages += lay.pages_for(res[j].host_tokens);
    }
    r.onboard_bytes += onboard;
    if (onboard > 0) link.demand(0, static_cast<size_t>(onboard), LinkPurpose::kKvOnboard);
    BatchCopies b;
    b.emb_rows = static_cast<int64_t>(queued_rows.pending());
    b.row_bytes = static_cast<int64_t>(table.row_bytes());
    b.kv_pages = static_cast<int64_t>(queue.pending());
    b.page_bytes = static_cast<int64_t>(page);
    for (const PlanStep& p : plan_batch(b)) {
      r.schedule.push_back(p);
      if (p.op == PlanOp::kv_pages && order == Order::emb_first) queued_rows.flush();
      if (p.op == PlanOp::kv_pages) carry_out();
      if (p.op == PlanOp::emb_rows) queued_rows.flush();
      if (p.op != PlanOp::forward) continue;
      for (size_t j = 0; j < len; ++j) {
        const Resolution& s = res[j];
        if (!s.lease.cached) continue;
        const UserId u = reqs[i + j].user;
        for (int64_t t = 0; t < s.reuse; ++t, ++r.checked)
          r.wrong += *k_at(s.lease.view, t) != token_value(u, s.start + t);
        for (int64_t t = s.reuse; t < s.window; ++t) *k_at(s.lease.view, t) = token_value(u, s.start + t);
      }
    }
    resolver.finish(res);
    i += len;
  }
  r.link_onboard = link.stats().bytes[static_cast<int>(LinkPurpose::kKvOnboard)];
  r.queued_at_end = static_cast<int64_t>(queue.pending());
  return r;
}

TEST(HostKvSchedule, EverySpillAndOnboardRunsOnceInOrderBeforeItsForward) {
  const Result r = run(Order::planned);
  EXPECT_EQ(check_schedule(r.schedule), "");
  EXPECT_EQ(r.wrong, 0) << "of " << r.checked << " reused tokens";
  EXPECT_GT(r.onboards, 0);  // the run does exercise the tier both ways
  EXPECT_GT(r.spills, 0);
  EXPECT_GT(r.between_batches, 0);
  EXPECT_EQ(r.onboards, r.onboard_pages);  // each onboarded page copied once
  EXPECT_EQ(r.queued_at_end, 0);
  EXPECT_EQ(r.link_onboard, static_cast<uint64_t>(r.onboard_bytes));
  EXPECT_GT(r.link_onboard, 0u);
}

// The same run with each batch's copies carried out in reverse issue order: an onboard into a
// page before that page's earlier K/V was spilled hands the forward wrong tokens, which the
// check above would report (so it can fail).
TEST(HostKvSchedule, CopiesOutOfIssueOrderAreCaught) {
  const Result r = run(Order::reversed);
  EXPECT_GT(r.wrong, 0);
}

// EMB miss rows copied before the batch's spills (the plan's order before the tier was on the
// copy stream): a row lands in a page the batch evicted from the KV cache before the page's K/V
// was spilled, so the user's tokens come back wrong from the host tier.
TEST(HostKvSchedule, EmbRowsBeforeTheSpillsAreCaught) {
  const Result r = run(Order::emb_first);
  EXPECT_GT(r.wrong, 0);
  std::vector<PlanStep> s = {{PlanStream::copy, PlanOp::emb_rows, 2, 512},
                             {PlanStream::copy, PlanOp::kv_pages, 1, 4096}};
  EXPECT_NE(check_schedule(s).find("after the batch's EMB rows"), std::string::npos);
}

TEST(HostKvSchedule, ARefillMustNotOvertakeSpillsBetweenBatches) {
  std::vector<PlanStep> s = plan_spills(3, 4096);
  EXPECT_EQ(describe(s), "copy:kv_pages(3, 12288B) copy:record(4)");
  const auto unwaited = plan_refill(10, 256, 1 << 20, nullptr, /*after_spills=*/false);
  auto bad = s;
  bad.insert(bad.end(), unwaited.begin(), unwaited.end());
  EXPECT_NE(check_schedule(bad).find("still being spilled"), std::string::npos);
  const auto waited = plan_refill(10, 256, 1 << 20, nullptr, /*after_spills=*/true);
  EXPECT_EQ(describe(waited), "refill:wait(4) refill:refill_rows(10, 2560B) refill:record(3)");
  s.insert(s.end(), waited.begin(), waited.end());
  const auto b = plan_batch({2, 256, 0, 4096, /*refill_outstanding=*/true});
  s.insert(s.end(), b.begin(), b.end());
  EXPECT_EQ(check_schedule(s), "");
}

}  // namespace
}  // namespace helm
