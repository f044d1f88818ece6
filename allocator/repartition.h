// Moving the EMB/KV split of one pool at run time.
//
// set_share(r) changes the quotas at once (PagePool::set_emb_share); the cache now over its quota
// gives pages back to Free and the other cache takes them as it grows. Which pages go:
//  - EMB -> KV: the EMB pages whose rows are coldest (lowest summed frequency, see
//    EmbCache::release_pages); their rows are evicted, the other rows are not moved;
//  - KV -> EMB: whole least-recently-used users (KvCache::release_pages), as eviction would.
// Pinned pages (in use by a batch) are never taken: what cannot move now stays "pending" and
// tick() retries it. Nothing here copies bytes; rows and K/V are only ever evicted or refilled.
//
// Modes (`--repartition`, independent of the policy that chose r):
//  - naive: everything over quota is released inside set_share(); the pages given to EMB are
//    filled by demand misses, i.e. on the critical path (the paper's naive approach);
//  - budgeted: releases go in slices of `slice_pages` per tick() (bounding the pause a queued
//    request sees), and the pages given to EMB are refilled in the background by RefillPlanner
//    within its share of the link.
// Invariant after every call: EMB + KV + Free == pool; no cache exceeds its quota once pending()
// is 0. Call set_share() and tick() only between batches (the node's single thread).
#pragma once
#include <cstddef>
#include <memory>
#include <string_view>

#include "allocator/emb_cache.h"
#include "allocator/kv_cache.h"
#include "allocator/page_pool.h"
#include "allocator/refill.h"

namespace helm {

enum class RepartitionMode { kNaive, kBudgeted };
// "naive" | "budgeted"; BadInput naming --repartition otherwise.
RepartitionMode parse_repartition(std::string_view name);

struct RepartitionOptions {
  RepartitionMode mode = RepartitionMode::kBudgeted;
  size_t slice_pages = 8;        // budgeted: pages released per tick (bounds its pause)
  size_t scan_factor = 4;        // budgeted: EMB pages scored per page released (sampled choice)
  RefillOptions refill;          // budgeted only
};

struct RepartitionStats {
  int64_t changes = 0;           // set_share() calls that changed the split
  int64_t pages_to_emb = 0;      // pages KV gave up for EMB
  int64_t pages_to_kv = 0;       // pages EMB gave up for KV
  int64_t pinned_retries = 0;    // ticks that found pages over quota they could not take yet
};

class Repartitioner {
 public:
  // `link` is needed in budgeted mode (refill), may be null in naive mode.
  Repartitioner(PagePool& pool, EmbCache& emb, KvCache& kv, H2DLink* link,
                RepartitionOptions opt = {});
  // New EMB share r in [0, 1]. Returns the pages released now.
  size_t set_share(double r);
  // The refill's share of its budget (RefillPlanner::set_throttle); a no-op in naive mode.
  void set_refill_throttle(double scale) {
    if (refill_) refill_->set_throttle(scale);
  }
  // Between batches: releases pending pages (a slice) and, in budgeted mode, drives the refill.
  void tick(Nanos now);
  // Every EMB access (feeds the refill planner's sketch; a no-op in naive mode).
  void record(std::span<const ItemId> items) {
    if (refill_) refill_->record(items);
  }
  double share() const { return pool_.emb_share(); }
  // Pages still held above a quota (pinned when last tried).
  size_t pending() const;
  RepartitionMode mode() const { return opt_.mode; }
  const RepartitionStats& stats() const { return stats_; }
  const RefillPlanner* refill() const { return refill_.get(); }

 private:
  size_t release(size_t max_pages);  // from whichever cache is over quota
  PagePool& pool_;
  EmbCache& emb_;
  KvCache& kv_;
  RepartitionOptions opt_;
  std::unique_ptr<RefillPlanner> refill_;
  RepartitionStats stats_;
};

}  // namespace helm
