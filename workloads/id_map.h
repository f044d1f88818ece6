// String id -> dense int32 in order of first appearance, for the CSV loaders.
//
// The loaders' time goes here: a 10M-row Amazon file holds ~7M distinct users and ~3M items, so
// nearly every lookup misses the cache, and first-touch page faults of the tables cost as much as
// the lookups (a VM pays twice for each). So the tables are small and the misses overlap:
//  - the hash table holds 8-byte entries {32-bit tag, id + 1} (0: empty), linear probing at
//    load <= 1/2; the home bucket comes from the hash's low bits, the tag from its high bits;
//  - the keys live in a dense array indexed by id, 16 bytes each, written in order (sequential):
//    keys of up to 15 bytes inline (every numeric id, Amazon's ASINs and user ids), longer ones
//    in an arena (the record keeps offset and length). A tag match is confirmed on the key bytes,
//    so a collision costs a compare, never a wrong id;
//  - growth rehashes from the key array in id order (sequential reads);
//  - both arrays on 2 MiB pages (huge_pages.h);
//  - hash(), prefetch() and prefetch_key() apart from intern(), so a caller can hash a batch of
//    rows, prefetch their buckets, then their keys, then intern them in order.
// Memory ~ distinct ids x (32-48 bytes + bytes of keys over 15).
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "common/huge_pages.h"
#include "common/rng.h"

namespace helm {

class IdMap {
 public:
  IdMap() { table_.assign(1 << 16, 0); }

  static uint64_t hash(std::string_view k) {
    if (k.size() <= kInline) {
      const Key r = inline_key(k);
      return hash64(r.w0, r.w1);
    }
    uint64_t h = 0x9E3779B97F4A7C15ull ^ k.size();  // 8 bytes at a time, then a strong final mix
    size_t i = 0;
    for (; i + 8 <= k.size(); i += 8) {
      uint64_t w;
      std::memcpy(&w, k.data() + i, 8);
      h = (h ^ w) * 0xFF51AFD7ED558CCDull;
      h ^= h >> 32;
    }
    uint64_t w = 0;
    std::memcpy(&w, k.data() + i, k.size() - i);
    return hash64(h, w);
  }
  void prefetch(uint64_t h) const { __builtin_prefetch(&table_[h & mask()]); }
  // Once prefetch(h) has landed: prefetches the key record of the home bucket's entry if its tag
  // matches (the common hit), so intern()'s compare does not wait for it.
  void prefetch_key(uint64_t h) const {
    const uint64_t e = table_[h & mask()];
    if ((e >> 32) == (h >> 32) && static_cast<uint32_t>(e) != 0) {
      const Key* k = &keys_[static_cast<uint32_t>(e) - 1];
      asm volatile("prefetcht0 %0" : : "m"(*k));  // GCC drops a __builtin_prefetch behind a loaded condition
    }
  }

  // The dense id of `key` (whose hash() is h), a new one if it was not seen before.
  int32_t intern(std::string_view key, uint64_t h) {
    const bool inl = key.size() <= kInline;
    const Key want = inl ? inline_key(key) : Key{};
    const uint32_t tag = static_cast<uint32_t>(h >> 32);
    for (uint64_t i = h & mask();; i = (i + 1) & mask()) {
      const uint64_t e = table_[i];
      if (e == 0) return insert(i, key, tag, want);
      if (static_cast<uint32_t>(e >> 32) != tag) continue;
      const int32_t id = static_cast<int32_t>(static_cast<uint32_t>(e) - 1);
      const Key& k = keys_[static_cast<size_t>(id)];
      if (inl ? k.w0 == want.w0 && k.w1 == want.w1 : k.w1 == (kLong | key.size()) && long_key(k) == key) return id;
    }
  }
  int32_t operator()(std::string_view key) { return intern(key, hash(key)); }
  int32_t size() const { return static_cast<int32_t>(keys_.size()); }

 private:
  static constexpr size_t kInline = 15;
  // Inline: the bytes, zero-padded, with the length in the last byte. Long: w0 the arena offset,
  // w1 = kLong | length (an inline length byte is at most 15, so the two never compare equal).
  struct Key {
    uint64_t w0 = 0, w1 = 0;
  };
  static constexpr uint64_t kLong = uint64_t{0xFF} << 56;
  // Assembled from (overlapping) loads inside the key, not copied into a zeroed buffer: reading
  // words back from bytes just stored there stalls on store forwarding (perf: 16% of intern).
  static Key inline_key(std::string_view k) {
    const char* p = k.data();
    const size_t n = k.size();
    Key r;
    if (n >= 8) {
      r.w0 = load<uint64_t>(p);
      r.w1 = n > 8 ? load<uint64_t>(p + n - 8) >> (8 * (16 - n)) : 0;
    } else if (n >= 4) {
      r.w0 = load<uint32_t>(p) | static_cast<uint64_t>(load<uint32_t>(p + n - 4)) << (8 * (n - 4));
    } else if (n > 0) {
      const auto b = [p](size_t i) { return static_cast<uint64_t>(static_cast<unsigned char>(p[i])); };
      r.w0 = b(0) | b(n / 2) << (8 * (n / 2)) | b(n - 1) << (8 * (n - 1));
    }
    r.w1 |= static_cast<uint64_t>(n) << 56;
    return r;
  }
  template <class T>
  static T load(const char* p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }
  std::string_view long_key(const Key& k) const {
    return std::string_view(arena_).substr(k.w0, k.w1 & ~kLong);
  }
  uint64_t hash_of(const Key& k) const {
    return (k.w1 & kLong) == kLong ? hash(long_key(k)) : hash64(k.w0, k.w1);
  }
  uint64_t mask() const { return table_.size() - 1; }
  int32_t insert(uint64_t slot, std::string_view key, uint32_t tag, const Key& want) {
    if (keys_.size() >= 0x7ffffffe) bad_input("more than 2^31 distinct ids");
    const int32_t id = static_cast<int32_t>(keys_.size());
    if (key.size() <= kInline) {
      keys_.push_back(want);
    } else {
      keys_.push_back({arena_.size(), kLong | key.size()});
      arena_.append(key);
    }
    table_[slot] = (uint64_t{tag} << 32) | static_cast<uint32_t>(id + 1);
    if (keys_.size() * 2 > table_.size()) grow();
    return id;
  }
  // In chunks: hash and prefetch 16 buckets, then fill them, so the random writes overlap.
  void grow() {
    Table bigger(table_.size() * 2, 0);
    table_.swap(bigger);
    uint64_t h[16];
    for (size_t base = 0; base < keys_.size(); base += 16) {
      const size_t n = std::min<size_t>(16, keys_.size() - base);
      for (size_t k = 0; k < n; ++k) prefetch(h[k] = hash_of(keys_[base + k]));
      for (size_t k = 0; k < n; ++k) {
        uint64_t i = h[k] & mask();
        while (table_[i] != 0) i = (i + 1) & mask();
        table_[i] = ((h[k] >> 32) << 32) | static_cast<uint32_t>(base + k + 1);
      }
    }
  }
  using Table = std::vector<uint64_t, HugePageAllocator<uint64_t>>;
  Table table_;
  std::vector<Key, HugePageAllocator<Key>> keys_;
  std::string arena_;
};

}  // namespace helm
