// A flat open-addressing index from 64-bit keys (item or user ids) to 32-bit slot numbers, for
// the caches' hot path: power-of-two capacity, linear probing, backward-shift deletion (no
// tombstones, so probe lengths never degrade), load factor <= 1/2.
//
// An entry is 8 bytes: {32-bit tag, slot}. The tag is the top half of the key's hash (it also
// gives the home bucket); the key itself lives in the caller's slot array, which a hit touches
// anyway, so the index passes candidate slots to `key_of(slot)` to confirm a tag match.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <vector>

#include "common/huge_pages.h"

namespace helm {

class SlotIndex {
 public:
  static constexpr uint32_t kEmpty = ~uint32_t{0};

  explicit SlotIndex(size_t expected = 16) { rehash(expected); }

  size_t size() const { return size_; }
  size_t bucket_count() const { return table_.size(); }

  // The key's 64-bit hash (murmur3 fmix64: every key bit reaches the top bits). Callers that
  // look a key up in several structures hash once and pass it on.
  static uint64_t hash(uint64_t k) {
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ull;
    k ^= k >> 33;
    return k;
  }
  // Batched lookups prefetch a few keys ahead so their cache misses overlap.
  void prefetch(uint64_t h) const { __builtin_prefetch(&table_[home(tag_of(h))]); }

  // A guess that touches only the index, so a batched caller can prefetch the slot and confirm
  // the key later (find_hashed on a mismatch or kEmpty): the slot of the first of the two
  // entries from h's home bucket whose tag matches, else kEmpty. Branch-free (at load <= 1/2
  // most keys sit in those two; a probe loop mispredicts on its random length).
  uint32_t candidate(uint64_t h) const {
    const uint32_t t = tag_of(h);
    const size_t i = home(t);
    const Entry e0 = table_[i], e1 = table_[(i + 1) & mask_];
    const uint32_t g = e1.tag == t ? e1.slot : kEmpty;
    return e0.tag == t ? e0.slot : g;
  }

  template <class KeyOf>
  uint32_t find(uint64_t key, const KeyOf& key_of) const {
    return find_hashed(key, hash(key), key_of);
  }
  template <class KeyOf>
  uint32_t find_hashed(uint64_t key, uint64_t h, const KeyOf& key_of) const {
    const uint32_t t = tag_of(h);
    for (size_t i = home(t);; i = (i + 1) & mask_) {
      const Entry e = table_[i];
      if (e.slot == kEmpty) return kEmpty;
      if (e.tag == t && key_of(e.slot) == key) return e.slot;
    }
  }
  // `key` must be absent.
  void insert(uint64_t key, uint32_t slot) {
    if (2 * (size_ + 1) > table_.size()) rehash(2 * (size_ + 1));
    const uint32_t t = tag(key);
    size_t i = home(t);
    while (table_[i].slot != kEmpty) i = (i + 1) & mask_;
    table_[i] = {t, slot};
    ++size_;
  }
  // Points an existing key at a new slot; false if absent.
  template <class KeyOf>
  bool reassign(uint64_t key, uint32_t slot, const KeyOf& key_of) {
    const size_t i = position(key, key_of);
    if (i == npos) return false;
    table_[i].slot = slot;
    return true;
  }
  template <class KeyOf>
  bool erase(uint64_t key, const KeyOf& key_of) {
    size_t i = position(key, key_of);
    if (i == npos) return false;
    // Backward shift: pull later entries of the run into the hole when their home bucket does
    // not lie cyclically after the hole.
    for (size_t j = (i + 1) & mask_; table_[j].slot != kEmpty; j = (j + 1) & mask_) {
      const size_t h = home(table_[j].tag);
      if (((j - h) & mask_) >= ((j - i) & mask_)) {
        table_[i] = table_[j];
        i = j;
      }
    }
    table_[i] = {0, kEmpty};
    --size_;
    return true;
  }
  void clear() {
    for (auto& e : table_) e = {0, kEmpty};
    size_ = 0;
  }

 private:
  struct Entry {
    uint32_t tag, slot;
  };
  static constexpr size_t npos = ~size_t{0};
  static uint32_t tag_of(uint64_t h) { return static_cast<uint32_t>(h >> 32); }
  static uint32_t tag(uint64_t k) { return tag_of(hash(k)); }
  // shift_ = 32 - log2(capacity) <= 28: the constructor rehashes to >= 16 buckets.
  size_t home(uint32_t t) const { return t >> shift_; }
  template <class KeyOf>
  size_t position(uint64_t key, const KeyOf& key_of) const {
    const uint32_t t = tag(key);
    for (size_t i = home(t);; i = (i + 1) & mask_) {
      const Entry e = table_[i];
      if (e.slot == kEmpty) return npos;
      if (e.tag == t && key_of(e.slot) == key) return i;
    }
  }
  void rehash(size_t want) {
    size_t cap = 16;
    int bits = 4;
    while (cap < 2 * want) cap <<= 1, ++bits;
    std::vector<Entry, HugePageAllocator<Entry>> old(cap, Entry{0, kEmpty});
    old.swap(table_);
    mask_ = cap - 1;
    shift_ = 32 - bits;
    for (const Entry& e : old) {
      if (e.slot == kEmpty) continue;
      size_t i = home(e.tag);
      while (table_[i].slot != kEmpty) i = (i + 1) & mask_;
      table_[i] = e;
    }
  }

  std::vector<Entry, HugePageAllocator<Entry>> table_;
  size_t mask_ = 0, size_ = 0;
  int shift_ = 28;
};

}  // namespace helm
