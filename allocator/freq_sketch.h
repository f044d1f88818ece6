// TinyLFU's frequency sketch (Einziger, Friedman & Manes 2017; the layout of Caffeine's
// FrequencySketch): a count-min sketch of depth 4 with 4-bit saturating counters and periodic
// halving, so estimates follow recent popularity and one-off rows fade.
//
// Each key maps to ONE 64-bit word (one cache access per record/estimate); its 4 counters sit in
// the word's 4 quarters (depth j uses nibbles 4j..4j+3), so the 4 never collide with each other.
// record() is conservative (only the counters equal to the minimum grow), which tightens
// estimates. After `sample` records every counter is halved (the "reset" of TinyLFU).
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

#include "common/huge_pages.h"

namespace helm {

class FreqSketch {
 public:
  // `words`: rounded up to a power of two (>= 64); `sample`: records between halvings
  // (0 = 10 * 4 * words, i.e. ~10 per counter of one depth, as Caffeine uses 10x capacity).
  explicit FreqSketch(size_t words, uint64_t sample = 0) {
    size_t w = 64;
    while (w < words) w <<= 1;
    table_.assign(w, 0);
    mask_ = w - 1;
    sample_ = sample ? sample : 40 * static_cast<uint64_t>(w);
  }

  int estimate(uint64_t key) const { return estimate_hashed(mix(key)); }
  void record(uint64_t key) { record_hashed(mix(key)); }
  // The same, for callers that already hold a well-mixed 64-bit hash of the key (use one kind of
  // call per sketch: a key's hashed and unhashed counters differ).
  void prefetch_hashed(uint64_t h) const { __builtin_prefetch(&table_[h & mask_]); }
  int estimate_hashed(uint64_t h) const {
    const uint64_t word = table_[h & mask_];
    int m = 15;
    for (int j = 0; j < 4; ++j) m = std::min(m, static_cast<int>((word >> shift(h, j)) & 15));
    return m;
  }

  void record_hashed(uint64_t h) {
    uint64_t& word = table_[h & mask_];
    int s[4], c[4], m = 15;
    for (int j = 0; j < 4; ++j) {
      s[j] = shift(h, j);
      c[j] = static_cast<int>((word >> s[j]) & 15);
      m = std::min(m, c[j]);
    }
    // Branch-free: random counters make these comparisons unpredictable.
    uint64_t inc = 0;
    for (int j = 0; j < 4; ++j) inc |= static_cast<uint64_t>(c[j] == m) << s[j];
    word += m < 15 ? inc : 0;
    if (++records_ >= sample_) halve();
  }

  void halve() {
    for (auto& w : table_) w = (w >> 1) & 0x7777777777777777ull;
    records_ /= 2;
    ++halvings_;
  }
  uint64_t halvings() const { return halvings_; }
  size_t words() const { return table_.size(); }

 private:
  static uint64_t mix(uint64_t k) {  // splitmix64 finalizer
    k = (k ^ (k >> 30)) * 0xBF58476D1CE4E5B9ull;
    k = (k ^ (k >> 27)) * 0x94D049BB133111EBull;
    return k ^ (k >> 31);
  }
  // Depth j's counter: nibble 4j + (2 hash bits above the word index bits), as a bit shift.
  static int shift(uint64_t h, int j) {
    return static_cast<int>((4 * j + ((h >> (56 + 2 * j)) & 3)) * 4);
  }
  std::vector<uint64_t, HugePageAllocator<uint64_t>> table_;
  size_t mask_;
  uint64_t sample_, records_ = 0, halvings_ = 0;
};

}  // namespace helm
