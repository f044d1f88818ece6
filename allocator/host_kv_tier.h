// The host KV tier (`--host-kv-mib`, 0 = off), as NVIDIA's HSTU inference keeps one: users
// evicted from the pool's KV cache keep their K/V in host memory, LRU, within a byte capacity.
// A later pool miss that finds the user here (same window start, prefix hash verified by the
// caller) copies the K/V back into the lease's pages over the host-to-device link (the caller
// reserves it as kKvOnboard) instead of recomputing them.
//
// Entries are exclusive with the pool: take() removes the entry (the pool holds it again and
// spills it back when it is evicted), put() replaces an older entry of the same user.
// Capacity counts whole KV pages of host memory (what it really holds), at the layout's element
// size (fp32 on the CPU backend, bf16 on GPUs: KvLayout::bytes_per_element). Bytes move only
// through the copier (allocator/page_copier.h): pool pages may be device memory, and the copies
// may only be enqueued. Host pages come from the copier (pinned on GPUs) in chunks of up to
// 64 MiB, as the tier fills, and are reused through a free list: never more than the capacity.
// Bookkeeping-only (copier == nullptr): the same decisions, nothing held or copied.
// Single-threaded, one per node.
#pragma once
#include <cstdint>
#include <list>
#include <span>
#include <unordered_map>
#include <vector>

#include "allocator/kv_cache.h"
#include "allocator/page_copier.h"

namespace helm {

struct HostKvStats {
  int64_t spills = 0, spill_rejected = 0;  // put() calls stored / too large for the tier
  int64_t evictions = 0;                   // LRU users dropped for room
  int64_t hits = 0, onboard_tokens = 0, onboard_bytes = 0;
};

class HostKvTier {
 public:
  // `copier`: moves the bytes (outlives the tier), or nullptr for bookkeeping only.
  HostKvTier(size_t capacity_bytes, const KvLayout& layout, PageCopier* copier);
  ~HostKvTier();
  HostKvTier(const HostKvTier&) = delete;
  HostKvTier& operator=(const HostKvTier&) = delete;

  struct Entry {
    int64_t start = 0, tokens = 0;
    uint64_t hash = 0;
  };
  // Stores `tokens` tokens of `u` (window `start`, prefix hash `hash`) read from `pages`
  // (pool pages in token order; ignored without bytes).
  void put(UserId u, int64_t start, int64_t tokens, uint64_t hash, std::span<float* const> pages);
  const Entry* find(UserId u) const;
  // Copies the entry's first `tokens` (<= entry tokens) into `view` and removes the entry.
  // Returns the bytes moved (tokens x bytes per token): what the link carries.
  size_t take(UserId u, int64_t tokens, const KvView& view);
  void erase(UserId u);

  size_t capacity_bytes() const { return capacity_; }
  size_t page_bytes() const { return page_bytes_; }  // layout.page_floats() x bytes_per_element
  size_t held_bytes() const { return held_; }
  size_t users() const { return map_.size(); }
  const HostKvStats& stats() const { return stats_; }

 private:
  struct Item {
    UserId user;
    Entry e;
    std::vector<uint32_t> slots;  // its host pages, in token order (empty without a copier)
    size_t bytes;                 // pages x page bytes (host memory held)
  };
  void drop(std::list<Item>::iterator it);
  uint32_t grab_slot();
  std::byte* slot(uint32_t s) const { return chunks_[s / per_chunk_] + size_t{s % per_chunk_} * page_bytes_; }
  size_t capacity_, page_bytes_;
  KvLayout layout_;
  PageCopier* copier_;
  uint32_t per_chunk_ = 1, made_ = 0;  // host pages per chunk; host pages allocated so far
  std::vector<std::byte*> chunks_;
  std::vector<uint32_t> free_;         // allocated host pages no entry holds
  std::list<Item> lru_;  // front = least recently stored
  std::unordered_map<UserId, std::list<Item>::iterator> map_;
  size_t held_ = 0;
  HostKvStats stats_;
};

}  // namespace helm
