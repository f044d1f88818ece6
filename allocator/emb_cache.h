// The embedding hot cache: rows of the host item-embedding table kept in EMB pages of the pool.
//
// Layout: EMB page k of this cache (local index k, in acquisition order) holds rows_per_page =
// page_bytes / row_bytes row slots; slot s lives in local page s / rows_per_page. Rows never
// straddle pages. The cache grows one page at a time, only within the pool's EMB quota.
//
// Policy: CLOCK (second chance) over slots for eviction, with TinyLFU admission: every distinct
// row a batch touches is recorded in a frequency sketch; when a missed row needs a slot and none
// is free, the CLOCK victim is found and the row is ADMITTED ONLY IF its estimated frequency is
// STRICTLY GREATER than the victim's (ties keep the incumbent). Otherwise the row is copied to a
// per-batch staging buffer and the cache is left as it was. So one long recompute (thousands of
// rows seen once) cannot flush rows that are hit again and again.
//
// Pins: every page holding a row a batch uses is pinned in the pool from lookup_batch() until
// end_batch(), so release_pages() (and a repartitioner) never takes it. Eviction never touches a
// row the batch uses, nor any row of a page pinned by anyone else; it may evict an UNUSED row of
// a page that only this batch pins (otherwise each admission would pin a whole page and a batch
// could admit only one row per page). So every pointer handed out stays valid, its bytes
// unchanged, until end_batch().
//
// Bookkeeping-only (NullDevice): the same decisions, no bytes; rows[] are nullptr.
// Not thread-safe: one cache per node, driven by that node's batch loop.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "allocator/device.h"
#include "allocator/freq_sketch.h"
#include "allocator/host_table.h"
#include "allocator/page_pool.h"
#include "allocator/slot_index.h"

namespace helm {

struct EmbCacheOptions {
  bool admission = true;      // TinyLFU admission; false = admit every miss (plain CLOCK)
  size_t sketch_words = 0;    // 0 = one word per row the whole pool could hold, in [2^12, 2^21]
  uint64_t sketch_sample = 0; // records between halvings; 0 = FreqSketch's default
};

// The sketch width (words, before FreqSketch's rounding) of a cache over a pool of pool_rows
// rows and a catalogue of table_rows rows: opt.sketch_words, or the default rule.
size_t emb_sketch_words(const EmbCacheOptions& opt, size_t pool_rows, size_t table_rows);

// Counted once per distinct row per batch.
struct EmbBatchStats {
  int64_t lookups = 0, hits = 0, misses = 0;
  int64_t admitted = 0, rejected = 0;  // misses put in the cache / served from staging
  int64_t h2d_bytes = 0;               // row_bytes per missed distinct row
  EmbBatchStats& operator+=(const EmbBatchStats& o);
};

struct EmbStats : EmbBatchStats {
  int64_t evictions = 0;       // rows evicted to admit others
  int64_t pages_released = 0;  // via release_pages()
  int64_t batches = 0;
  int64_t refilled = 0;        // rows placed by insert_refill()
};

class EmbCache {
 public:
  EmbCache(PagePool& pool, Device& device, const HostTable& table, EmbCacheOptions opt = {});
  ~EmbCache();
  EmbCache(const EmbCache&) = delete;
  EmbCache& operator=(const EmbCache&) = delete;

  // rows is resized to items.size(); rows[i] = item i's row until end_batch(). May be called
  // more than once per batch (distinct-row counting spans the whole batch).
  void lookup_batch(std::span<const ItemId> items, std::vector<const float*>& rows,
                    EmbBatchStats& st);
  // Unpins the batch's pages and recycles the staging buffer.
  void end_batch();

  bool contains(ItemId item) const { return find(item) != SlotIndex::kEmpty; }
  // out[i] = contains(items[i]), with index buckets prefetched a few items ahead (the refill
  // planner asks about thousands of ids at once).
  void contains_all(std::span<const ItemId> items, std::vector<char>& out) const;
  size_t resident_rows() const { return index_.size(); }
  size_t capacity_rows() const { return pages_.size() * rows_per_page_; }
  size_t pages() const { return pages_.size(); }
  size_t rows_per_page() const { return rows_per_page_; }
  size_t row_bytes() const { return row_bytes_; }
  const EmbStats& stats() const { return stats_; }
  int frequency(ItemId item) const { return freq(item); }  // TinyLFU estimate, 0..15
  size_t sketch_width() const { return sketch_.words(); }

  // Gives up to k unpinned EMB pages back to the pool, evicting their rows: the pages whose rows
  // have the lowest summed sketch frequency go first. Returns the number of pages released.
  // scan_pages > 0 bounds the work (a repartition in slices between batches): only that many
  // pages, from a cursor that moves on each call, are scored and the coldest k of them go
  // (sampled, like Redis's approximate LRU). 0 scores every page.
  size_t release_pages(size_t k, size_t scan_pages = 0);

  // Background refill (repartition.h): outside a batch only (between end_batch() and the next
  // lookup_batch()), puts `item` in a free slot or a new page within the EMB quota, copying its
  // row from the host table. Never evicts: refill only fills room a repartition gave this cache.
  // Returns false when the row is already resident or there is no room. Not counted as a lookup.
  bool insert_refill(ItemId item);
  // Rows insert_refill() could still place now: free slots plus whole pages the quota and the
  // pool's free list allow.
  size_t room_rows() const;
  // Called with the ids of every lookup_batch() call before the lookup (the refill planner's
  // sketch and the miss-ratio curves listen, in `run` and `sim` alike). Must not call back in.
  void set_access_observer(std::function<void(std::span<const ItemId>)> f) { on_access_ = std::move(f); }
  // True only inside that call: the ids it is given are looked up right after it (the refill
  // planner relies on this to know its ring's rows were looked up, not merely reported).
  bool in_access_observer() const { return in_access_; }
  // Called after each lookup_batch() call with the rows it counted as lookups, in order: each
  // distinct row once per batch (a repeat inside the batch, or one served from this batch's
  // staging, is not a lookup). This is the stream the cache's policy sees, so a model of the
  // cache (the EMB miss-ratio curve) must be fed this one, not the raw ids. Must not call back in.
  void set_lookup_observer(std::function<void(std::span<const ItemId>)> f) { on_lookup_ = std::move(f); }
  bool in_batch() const { return !pinned_.empty() || batch_rows_ != 0 || !staged_items_.empty(); }

  // Recounts every structure; throws std::logic_error on a broken invariant. Tests only.
  void check() const;

 private:
  struct Slot {          // 16 bytes: one cache access per hit
    ItemId item;         // -1 = empty (then the slot is on free_slots_)
    uint32_t epoch;      // batch that last used it (distinct-row counting)
    uint32_t page : 31;  // local page (== slot / rows_per_page, kept to avoid a division)
    uint32_t ref : 1;    // CLOCK reference bit
  };
  // Grown a page of slots at a time, to millions of slots: on 2 MiB pages its reallocations
  // fault 512x less often (the 4 KiB faults of their copies were most of the simulator's
  // kernel time on long-history profiles).
  using Slots = std::vector<Slot, HugePageAllocator<Slot>>;
  struct SlotKey {  // the index's key_of: a slot's item
    const Slots* slots;
    uint64_t operator()(uint32_t s) const { return static_cast<uint64_t>((*slots)[s].item); }
  };
  SlotKey key_of_slot() const { return {&slots_}; }
  static uint64_t hash(ItemId item) { return SlotIndex::hash(static_cast<uint64_t>(item)); }
  uint32_t find(ItemId item) const {
    return index_.find_hashed(static_cast<uint64_t>(item), hash(item), key_of_slot());
  }
  int freq(ItemId item) const { return sketch_.estimate_hashed(hash(item)); }
  const float* use_slot(uint32_t s);  // pin its page for this batch, return its row
  uint32_t take_slot(ItemId item, uint64_t h);  // a slot for a missed row, or kEmpty (rejected)
  uint32_t clock_victim();            // unpinned slot without second chance, or kEmpty
  bool grow();                        // one more page from the pool within quota
  void evict(uint32_t s);
  const float* stage(ItemId item);

  PagePool& pool_;
  const HostTable& table_;
  int64_t table_rows_;
  EmbCacheOptions opt_;
  size_t row_bytes_, rows_per_page_;
  bool bytes_;
  Device& device_;

  std::vector<PageId> pages_;            // local page -> pool page
  std::vector<std::byte*> page_base_;    // local page -> bytes (nullptr without bytes)
  std::vector<uint32_t> page_epoch_;     // local page -> batch that pinned it
  Slots slots_;
  std::vector<uint32_t> free_slots_;
  SlotIndex index_;                      // item -> slot
  FreqSketch sketch_;
  size_t hand_ = 0;                      // CLOCK hand
  size_t release_cursor_ = 0;            // next local page a bounded release_pages() scores

  uint32_t epoch_ = 1;
  std::vector<PageId> pinned_;           // pool pages pinned by this batch
  size_t batch_rows_ = 0;                // resident rows used by this batch
  SlotIndex staged_index_;               // item -> staging row (rejected misses of this batch)
  std::vector<ItemId> staged_items_;
  std::vector<std::unique_ptr<float[]>> staging_;  // chunks of kStageRows rows, reused
  static constexpr size_t kStageRows = 256;
  EmbStats stats_;
  std::function<void(std::span<const ItemId>)> on_access_;
  bool in_access_ = false;
  std::function<void(std::span<const ItemId>)> on_lookup_;
  std::vector<ItemId> looked_up_;  // this call's distinct rows, for on_lookup_
};

}  // namespace helm
