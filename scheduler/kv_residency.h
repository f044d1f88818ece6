// Which nodes hold a user's KV cache entry, as rank 0 (or the simulator) last heard it.
//
// One open-addressing table (linear probing, backward-shift deletion, power-of-two capacity,
// load <= 1/2) from user id to the few nodes holding that user's entry, so a router finds every
// holder with ONE lookup instead of one per node (1024 nodes: one probe, not 1024).
//
// A user is normally resident on one node (or a handful when a router spreads it); at most
// kMaxHolders are kept per user and a new holder beyond that replaces the oldest one. The view
// is a hint for routing, never a correctness condition: the worker still verifies the prefix,
// so a forgotten or stale holder only costs a worse routing decision.
// Not thread-safe: owned by the driver's routing thread.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace helm {

struct KvHolder {
  int32_t node = -1;
  int32_t tokens = 0;  // tokens of the cached window prefix (clamped to int32)
  int64_t start = 0;   // history index where the cached window starts
  bool host = false;   // in the node's host KV tier (a copy over the link), not its pool
};

class KvResidency {
 public:
  static constexpr int kMaxHolders = 4;
  struct Entry {
    int64_t user = kEmpty;
    int32_t count = 0;
    KvHolder holders[kMaxHolders];
  };

  KvResidency();
  // The user's entry on `node` is now {start, tokens} in the pool; tokens <= 0 erases it.
  void set(int64_t user, int node, int64_t start, int64_t tokens);
  // The user's pool entry on `node` moved to that node's host tier (no-op if none is known).
  void to_host(int64_t user, int node);
  void erase(int64_t user, int node);
  // Forgets every entry on `node` (a node lost with its memory). O(capacity): rare events only.
  void erase_node(int node);
  // nullptr when no node is known to hold the user's KV. Valid until the next set/erase.
  const Entry* find(int64_t user) const;
  size_t users() const { return size_; }
  void clear();

 private:
  static constexpr int64_t kEmpty = INT64_MIN;
  size_t slot_of(int64_t user) const;  // the slot holding `user`, or the empty slot ending its run
  void erase_slot(size_t i);
  void grow();
  std::vector<Entry> slots_;
  size_t mask_ = 0, size_ = 0;
};

}  // namespace helm
