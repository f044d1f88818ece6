// A miniature of the EMB cache's policy, for predicting its hit rate (the /nodes column
// emb_hit_predicted). Miniature simulation (Waldspurger et al., "Cache Modeling and
// Optimization using Miniature Simulations", ATC'17): a row is sampled iff its hash falls below
// `rate`; the miniature holds rate x the real cache's rows and runs EmbCache's own rules on the
// sampled rows only: CLOCK (second chance) for the victim, TinyLFU admission (a missed row is
// admitted only if its sketch estimate is strictly above the victim's; ties keep the incumbent),
// every lookup recorded in the sketch. The sketch is rate x as wide and halves after rate x as
// many records, so a sampled row's counts age on the real sketch's clock.
//
// Why not LRU stack distances: on the shipped profiles TinyLFU's refusals change the hit rate by
// up to 40 points against plain LRU/CLOCK (kuairand-27k: long histories of rows seen once per
// visit, so many misses tie with the victim and are refused), more than any stack model can
// leave out. Not modelled: pins (a batch's rows are never victims) and page-granular release on
// a shrinking split (the miniature evicts CLOCK victims instead).
// Fed the cache's lookups (EmbCache::set_lookup_observer: distinct rows per batch).
// Single-threaded; one per node.
#pragma once
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "allocator/freq_sketch.h"
#include "allocator/host_table.h"

namespace helm {

class EmbShadow {
 public:
  // real_sketch_words: the real cache's sketch width (EmbCache::sketch_width()).
  EmbShadow(double rate, size_t real_sketch_words);
  // The real cache's current capacity in rows; the miniature keeps rate x that many.
  void set_capacity(size_t real_rows);
  void lookup(ItemId item);
  // Hit ratio of the sampled lookups since the last call (-1: none), and a new window.
  double take_window_ratio();
  size_t resident() const { return index_.size(); }

 private:
  struct Slot {
    ItemId item;
    bool ref;
  };
  void evict_one();
  size_t victim();  // CLOCK: the first slot without a second chance
  double rate_;
  uint64_t threshold_;
  size_t capacity_ = 0;
  std::vector<Slot> slots_;
  std::unordered_map<ItemId, size_t> index_;
  size_t hand_ = 0;
  FreqSketch sketch_;
  int64_t lookups_ = 0, hits_ = 0;
};

}  // namespace helm
