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
// through the device's copies (Device::copy_to_host / copy_to_page): pool pages may be device
// memory. Bookkeeping-only (device == nullptr): the same decisions, nothing copied.
// Single-threaded, one per node.
#pragma once
#include <cstdint>
#include <list>
#include <span>
#include <unordered_map>
#include <vector>

#include "allocator/kv_cache.h"

namespace helm {

struct HostKvStats {
  int64_t spills = 0, spill_rejected = 0;  // put() calls stored / too large for the tier
  int64_t evictions = 0;                   // LRU users dropped for room
  int64_t hits = 0, onboard_tokens = 0, onboard_bytes = 0;
};

class HostKvTier {
 public:
  // `device`: the pool's device, or nullptr for bookkeeping only.
  HostKvTier(size_t capacity_bytes, const KvLayout& layout, Device* device);

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
    std::vector<std::byte> data;  // whole pages, KvLayout order, as the device holds them
    size_t bytes;             // pages x page bytes (host memory held)
  };
  void drop(std::list<Item>::iterator it);
  size_t capacity_, page_bytes_;
  KvLayout layout_;
  Device* device_;
  std::list<Item> lru_;  // front = least recently stored
  std::unordered_map<UserId, std::list<Item>::iterator> map_;
  size_t held_ = 0;
  HostKvStats stats_;
};

}  // namespace helm
