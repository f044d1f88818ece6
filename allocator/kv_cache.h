// The per-user KV cache: each resident user's K/V (every layer, tokens [0, tokens) of the window
// that starts at history position `start`) in KV pages of the pool, laid out by KvLayout.
//
// Protocol, per request of user u in a batch:
//   probe(u)                      -> what is cached (the caller verifies the prefix hash)
//   acquire(u, start, reuse, total) -> a lease: pages for `total` tokens, pinned, with the first
//                                    `reuse` tokens valid; the model appends tokens reuse..total
//   commit(lease, hash) or abort(lease)
// One lease per user at a time. A leased user is never evicted and its pages stay pinned until
// commit/abort. acquire() evicts least-recently-used unleased users to make room within the KV
// quota; a user that cannot fit (more pages than the whole quota, or everything else pinned) is
// served uncached: lease.cached == false, an empty view (the model uses scratch pages), and any
// old entry of that user is dropped.
// Stats: token_lookups += total tokens of each acquire, token_hits += reused tokens, so
// 1 - hits/lookups is the fraction of K/V computed.
// Bookkeeping-only (NullDevice): the same decisions; view page pointers are nullptr.
#pragma once
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "allocator/device.h"
#include "allocator/kv_layout.h"
#include "allocator/page_pool.h"
#include "allocator/slot_index.h"

namespace helm {

using UserId = int64_t;

struct KvProbe {
  bool present = false;
  int64_t start = 0, tokens = 0;
  uint64_t hash = 0;
};

struct KvLease {
  UserId user = -1;
  bool cached = false;        // false: served without caching, view.pages empty
  int64_t start = 0;
  int64_t reuse_tokens = 0;   // valid cached tokens at the front of the view
  int64_t total_tokens = 0;
  KvView view;                // pages in token order, covering total_tokens
  bool open = false;          // until commit/abort
};

struct KvStats {
  int64_t token_lookups = 0, token_hits = 0;
  int64_t acquires = 0, uncached = 0;
  int64_t evictions = 0;  // users evicted for room or by release_pages()
};

class KvCache {
 public:
  KvCache(PagePool& pool, Device& device, KvLayout layout);
  Device& device() const { return device_; }
  ~KvCache();
  KvCache(const KvCache&) = delete;
  KvCache& operator=(const KvCache&) = delete;

  KvProbe probe(UserId u) const;
  // 0 <= reuse_tokens <= probe(u).tokens (with the same start when reuse_tokens > 0),
  // reuse_tokens <= total_tokens.
  KvLease acquire(UserId u, int64_t start, int64_t reuse_tokens, int64_t total_tokens);
  void commit(KvLease& lease, uint64_t new_hash);  // entry := {start, total_tokens, hash}; unpin
  void abort(KvLease& lease);                      // unpin and drop the entry

  // Called with the user whenever a committed entry leaves the cache (eviction for room,
  // release_pages, an uncached acquire, abort). The scheduler's cluster view listens. It must
  // not call back into the cache.
  void set_eviction_callback(std::function<void(UserId)> cb) { on_evict_ = std::move(cb); }
  // Called just before an evicted committed user's pages go back to the pool (eviction for
  // room or release_pages; not abort or an uncached acquire), with its entry and its pages'
  // bytes in token order (nullptr without bytes): the host KV tier copies the K/V out here.
  // It must not call back into the cache.
  using SpillHook = std::function<void(UserId, const KvProbe&, std::span<float* const>)>;
  void set_spill_hook(SpillHook h) { on_spill_ = std::move(h); }
  // Called at the start of every acquire() with (user, window start, total tokens): the
  // miss-ratio curves listen. Must not call back into the cache.
  using AccessObserver = std::function<void(UserId, int64_t, int64_t)>;
  void set_access_observer(AccessObserver f) { on_access_ = std::move(f); }

  // Evicts LRU unleased users until k pages have gone back to the pool (or none is left to
  // evict). Returns the pages released (may exceed k: users free all their pages at once).
  size_t release_pages(size_t k);

  bool contains(UserId u) const { return find(u) != SlotIndex::kEmpty; }
  size_t resident_users() const { return index_.size(); }
  size_t pages() const { return pages_held_; }
  const KvLayout& layout() const { return layout_; }
  const KvStats& stats() const { return stats_; }
  // Users from least to most recently used (tests, summaries).
  std::vector<UserId> lru_order() const;
  void check() const;  // throws std::logic_error on a broken invariant; tests only

 private:
  static constexpr uint32_t kNil = ~uint32_t{0};
  struct Entry {
    UserId user = -1;  // -1: unused entry (on free_entries_)
    int64_t start = 0, tokens = 0;
    uint64_t hash = 0;
    std::vector<PageId> pages;
    uint32_t prev = kNil, next = kNil;  // LRU list: head_ = least recent
    bool leased = false, committed = false;
  };
  uint32_t find(UserId u) const {
    return index_.find(static_cast<uint64_t>(u),
                       [this](uint32_t e) { return static_cast<uint64_t>(entries_[e].user); });
  }
  uint32_t new_entry(UserId u);
  void drop(uint32_t e, bool evicted);  // pages back to the pool, entry unused
  bool evict_lru(uint32_t except);      // false when no unleased user is left
  void unlink(uint32_t e);
  void push_mru(uint32_t e);
  void unpin(Entry& en);

  PagePool& pool_;
  Device& device_;
  KvLayout layout_;
  std::vector<Entry> entries_;
  std::vector<uint32_t> free_entries_;
  SlotIndex index_;  // user -> entry
  uint32_t head_ = kNil, tail_ = kNil;
  size_t pages_held_ = 0;
  size_t leased_pages_ = 0;  // pages of leased (pinned) users
  KvStats stats_;
  std::function<void(UserId)> on_evict_;
  SpillHook on_spill_;
  AccessObserver on_access_;
  std::vector<float*> spill_pages_;  // scratch for on_spill_
};

}  // namespace helm
