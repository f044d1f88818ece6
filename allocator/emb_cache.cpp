#include "allocator/emb_cache.h"

#include <algorithm>

#include "common/error.h"

namespace helm {

EmbBatchStats& EmbBatchStats::operator+=(const EmbBatchStats& o) {
  lookups += o.lookups;
  hits += o.hits;
  misses += o.misses;
  admitted += o.admitted;
  rejected += o.rejected;
  h2d_bytes += o.h2d_bytes;
  return *this;
}

size_t emb_sketch_words(const EmbCacheOptions& opt, size_t pool_rows, size_t table_rows) {
  if (opt.sketch_words) return opt.sketch_words;
  return std::clamp<size_t>(std::min(pool_rows, table_rows), size_t{1} << 12, size_t{1} << 21);
}

namespace {
size_t checked_row_bytes(const HostTable& t, const Device& d) {
  if (t.row_bytes() == 0 || t.row_bytes() > d.page_bytes())
    bad_input("--page-kib: an embedding row of {} bytes does not fit a page of {} bytes",
              t.row_bytes(), d.page_bytes());
  return t.row_bytes();
}
}  // namespace

EmbCache::EmbCache(PagePool& pool, Device& device, const HostTable& table, EmbCacheOptions opt)
    : pool_(pool),
      table_(table),
      table_rows_(table.rows()),
      opt_(opt),
      row_bytes_(checked_row_bytes(table, device)),
      rows_per_page_(device.page_bytes() / row_bytes_),
      bytes_(device.has_bytes()),
      device_(device),
      // A sketch word per row the cache could ever see: the pool's capacity, or the catalogue if
      // smaller (a 40 GiB simulated pool over a 27K-item catalogue needs no 16 MiB sketch).
      sketch_(emb_sketch_words(opt, pool.num_pages() * rows_per_page_, static_cast<size_t>(table.rows())),
              opt.sketch_sample) {
  HELM_CHECK(pool.num_pages() == device.num_pages(), "pool of {} pages on a device of {}",
             pool.num_pages(), device.num_pages());
}

EmbCache::~EmbCache() {
  // Pages go back to the pool, so a cache can be rebuilt over the same pool (tests, sim resets).
  for (PageId p : pinned_) pool_.unpin(p);
  for (PageId p : pages_) pool_.release(p);
}

inline const float* EmbCache::use_slot(uint32_t s) {
  const size_t lp = slots_[s].page;
  if (page_epoch_[lp] != epoch_) {
    page_epoch_[lp] = epoch_;
    pool_.pin(pages_[lp]);
    pinned_.push_back(pages_[lp]);
  }
  if (!bytes_) return nullptr;
  return reinterpret_cast<const float*>(page_base_[lp] + (s - lp * rows_per_page_) * row_bytes_);
}

void EmbCache::lookup_batch(std::span<const ItemId> items, std::vector<const float*>& rows,
                            EmbBatchStats& st) {
  for (ItemId item : items)  // checked up front: keeps the pipelined loop below lean
    HELM_CHECK(item >= 0 && item < table_rows_, "item {} outside the table", item);
  if (on_access_) {  // after the checks: every id it is given is then looked up
    in_access_ = true;
    on_access_(items);
    in_access_ = false;
  }
  EmbBatchStats b;
  rows.resize(items.size());
  const auto staged_key = [this](uint32_t k) { return static_cast<uint64_t>(staged_items_[k]); };
  const size_t n = items.size();
  // Software pipeline over the batch (the batch API exists for this): item i+16's index bucket
  // and sketch word are prefetched, item i+8's slot is guessed from the index and prefetched,
  // so the cache misses of independent lookups overlap. Guesses are confirmed at item i.
  constexpr size_t kFar = 16, kNear = 8, kRing = 32;
  const uint32_t rpp = static_cast<uint32_t>(rows_per_page_);
  uint64_t hs[kRing];
  uint32_t guess[kRing];
  const auto far = [&](size_t j) {
    const uint64_t h = hash(items[j]);
    hs[j % kRing] = h;
    index_.prefetch(h);
    sketch_.prefetch_hashed(h);
  };
  const auto near = [&](size_t j) {
    const uint32_t g = index_.candidate(hs[j % kRing]);
    guess[j % kRing] = g;
    const uint32_t gs = g != SlotIndex::kEmpty ? g : 0;  // no branch
    __builtin_prefetch(slots_.data() + gs);
    // The guessed slot's page entries too (slot s lives in local page s / rows_per_page): on
    // many nodes' large caches they are DRAM misses of their own, read right after the slot.
    if (!pages_.empty()) {
      const size_t lp = std::min<size_t>(gs / rpp, pages_.size() - 1);
      __builtin_prefetch(pages_.data() + lp);
      __builtin_prefetch(page_epoch_.data() + lp);
    }
  };
  for (size_t j = 0; j < std::min(n, kFar); ++j) far(j);
  for (size_t j = 0; j < std::min(n, kNear); ++j) near(j);
  // Pins of pages first used by hits are collected branch-free (whether a page is new to the
  // batch is unpredictable) and applied in bulk: before any miss is handled (eviction reads the
  // pool's pin counts) and before returning.
  constexpr size_t kPend = 64;
  PageId pend[kPend];
  size_t np = 0;
  const auto flush_pins = [&] {
    for (size_t k = 0; k < np; ++k) pool_.pin(pend[k]);
    pinned_.insert(pinned_.end(), pend, pend + np);
    np = 0;
  };
  const uint32_t epoch = epoch_;
  const bool track = static_cast<bool>(on_lookup_);
  looked_up_.clear();
  for (size_t i = 0; i < n; ++i) {
    if (i + kFar < n) far(i + kFar);
    if (i + kNear < n) near(i + kNear);
    const ItemId item = items[i];
    const uint64_t h = hs[i % kRing];
    uint32_t s = guess[i % kRing];
    // The guess is stale or wrong when the slot now holds another item or the item was
    // admitted since (a duplicate): then look it up properly.
    if (s == SlotIndex::kEmpty || slots_[s].item != item) [[unlikely]]
      s = index_.find_hashed(static_cast<uint64_t>(item), h, key_of_slot());
    if (s != SlotIndex::kEmpty) [[likely]] {  // hit (or a row this batch already used)
      Slot& sl = slots_[s];
      // Read before the stores below: `ref` shares page's word, and a load wider than the
      // byte store just before it would wait for the store instead of being forwarded.
      const uint32_t lp = sl.page;
      if (sl.epoch != epoch) {
        sl.epoch = epoch;
        sl.ref = 1;
        ++batch_rows_;
        ++b.lookups;
        ++b.hits;
        sketch_.record_hashed(h);
        if (track) looked_up_.push_back(item);
      }
      uint32_t& pe = page_epoch_[lp];
      pend[np] = pages_[lp];
      np += pe != epoch;
      pe = epoch;
      if (np == kPend) [[unlikely]] flush_pins();
      rows[i] = bytes_ ? reinterpret_cast<const float*>(page_base_[lp] +
                                                        (s - lp * rows_per_page_) * row_bytes_)
                       : nullptr;
      continue;
    }
    flush_pins();
    if (!staged_items_.empty()) {  // rejected earlier in this batch: same staged copy
      const uint32_t k = staged_index_.find(static_cast<uint64_t>(item), staged_key);
      if (k != SlotIndex::kEmpty) {
        rows[i] = bytes_ ? staging_[k / kStageRows].get() + (k % kStageRows) * table_.dim()
                         : nullptr;
        continue;
      }
    }
    ++b.lookups;
    ++b.misses;
    if (track) looked_up_.push_back(item);
    b.h2d_bytes += static_cast<int64_t>(row_bytes_);
    sketch_.record_hashed(h);
    s = take_slot(item, h);
    if (s == SlotIndex::kEmpty) {
      ++b.rejected;
      rows[i] = stage(item);
      continue;
    }
    ++b.admitted;
    slots_[s].item = item;
    slots_[s].epoch = epoch_;
    slots_[s].ref = 0;  // no second chance until it is hit again
    ++batch_rows_;
    index_.insert(static_cast<uint64_t>(item), s);
    const float* row = use_slot(s);
    if (bytes_) table_.read(item, const_cast<float*>(row));
    rows[i] = row;
  }
  flush_pins();
  st += b;
  stats_ += b;
  if (track) on_lookup_(looked_up_);
}

void EmbCache::contains_all(std::span<const ItemId> items, std::vector<char>& out) const {
  out.resize(items.size());
  constexpr size_t kAhead = 8;
  for (size_t i = 0; i < std::min(items.size(), kAhead); ++i) index_.prefetch(hash(items[i]));
  for (size_t i = 0; i < items.size(); ++i) {
    if (i + kAhead < items.size()) index_.prefetch(hash(items[i + kAhead]));
    out[i] = contains(items[i]);
  }
}

uint32_t EmbCache::take_slot(ItemId item, uint64_t h) {
  if (free_slots_.empty() && !grow()) {
    const uint32_t v = clock_victim();
    if (v == SlotIndex::kEmpty) return v;  // everything pinned by this batch
    if (opt_.admission && sketch_.estimate_hashed(h) <= freq(slots_[v].item))
      return SlotIndex::kEmpty;  // the hand stays on the victim: the next miss meets it again
    evict(v);
    hand_ = v + 1;
  }
  const uint32_t s = free_slots_.back();
  free_slots_.pop_back();
  return s;
}

uint32_t EmbCache::clock_victim() {
  const size_t n = slots_.size();
  if (batch_rows_ >= n) return SlotIndex::kEmpty;  // every row is in use by this batch
  // Two sweeps suffice: the first clears every reference bit it passes.
  for (size_t seen = 0; seen < 2 * n + rows_per_page_;) {
    if (hand_ >= n) hand_ = 0;
    const size_t lp = hand_ / rows_per_page_;
    const uint32_t own_pin = page_epoch_[lp] == epoch_ ? 1 : 0;
    if (pool_.pins(pages_[lp]) > own_pin) {  // pinned by someone else: skip the whole page
      const size_t next = (lp + 1) * rows_per_page_;
      seen += next - hand_;
      hand_ = next;
      continue;
    }
    Slot& sl = slots_[hand_];
    if (sl.item >= 0 && sl.epoch != epoch_) {  // rows this batch uses are never victims
      if (!sl.ref) return static_cast<uint32_t>(hand_);
      sl.ref = 0;
    }
    ++hand_;
    ++seen;
  }
  return SlotIndex::kEmpty;
}

bool EmbCache::grow() {
  const PageId p = pool_.acquire(Owner::Emb);
  if (p == kNoPage) return false;
  const size_t lp = pages_.size();
  pages_.push_back(p);
  page_base_.push_back(device_.page(p));
  page_epoch_.push_back(0);
  slots_.resize(slots_.size() + rows_per_page_, Slot{-1, 0, static_cast<uint32_t>(lp), 0});
  for (size_t r = rows_per_page_; r-- > 0;)
    free_slots_.push_back(static_cast<uint32_t>(lp * rows_per_page_ + r));
  return true;
}

void EmbCache::evict(uint32_t s) {
  index_.erase(static_cast<uint64_t>(slots_[s].item), key_of_slot());
  slots_[s].item = -1;
  slots_[s].ref = 0;
  free_slots_.push_back(s);
  ++stats_.evictions;
}

const float* EmbCache::stage(ItemId item) {
  const size_t k = staged_items_.size();
  staged_items_.push_back(item);
  staged_index_.insert(static_cast<uint64_t>(item), static_cast<uint32_t>(k));
  if (!bytes_) return nullptr;
  if (k / kStageRows >= staging_.size())
    staging_.push_back(std::make_unique<float[]>(kStageRows * table_.dim()));
  float* dst = staging_[k / kStageRows].get() + (k % kStageRows) * table_.dim();
  table_.read(item, dst);
  return dst;
}

void EmbCache::end_batch() {
  for (PageId p : pinned_) pool_.unpin(p);
  pinned_.clear();
  batch_rows_ = 0;
  if (staged_items_.size() * 8 > staged_index_.bucket_count()) {
    staged_index_.clear();
  } else {
    const auto key = [this](uint32_t k) { return static_cast<uint64_t>(staged_items_[k]); };
    for (ItemId it : staged_items_) staged_index_.erase(static_cast<uint64_t>(it), key);
  }
  staged_items_.clear();
  ++stats_.batches;
  if (++epoch_ == 0) {  // wrapped: forget old stamps so none can match a new batch
    for (auto& sl : slots_) sl.epoch = 0;
    std::fill(page_epoch_.begin(), page_epoch_.end(), 0);
    epoch_ = 1;
  }
}

size_t EmbCache::release_pages(size_t k, size_t scan_pages) {
  // Coldest unpinned pages first: lowest summed frequency of their rows (ties: lower page).
  std::vector<std::pair<int64_t, uint32_t>> cand;
  const size_t n = pages_.size();
  const size_t scan = scan_pages == 0 ? n : std::min(scan_pages, n);
  if (release_cursor_ >= n) release_cursor_ = 0;
  for (size_t i = 0; i < scan; ++i) {
    const size_t lp = scan == n ? i : (release_cursor_ + i) % n;
    if (pool_.pinned(pages_[lp])) continue;
    int64_t score = 0;
    // The sketch is large (MiBs) and its words are random: prefetch a few rows ahead so the
    // misses overlap (a bounded scan of 64 pages went from ~2.5 ms to well under 1 ms).
    const size_t first = lp * rows_per_page_, end = first + rows_per_page_;
    constexpr size_t kAhead = 16;
    for (size_t s = first; s < std::min(end, first + kAhead); ++s)
      if (slots_[s].item >= 0) sketch_.prefetch_hashed(hash(slots_[s].item));
    for (size_t s = first; s < end; ++s) {
      if (s + kAhead < end && slots_[s + kAhead].item >= 0)
        sketch_.prefetch_hashed(hash(slots_[s + kAhead].item));
      if (slots_[s].item >= 0)
        score += 1 + slots_[s].ref + freq(slots_[s].item);
    }
    cand.emplace_back(score, static_cast<uint32_t>(lp));
  }
  if (scan < n) release_cursor_ = (release_cursor_ + scan) % n;
  k = std::min(k, cand.size());
  if (k == 0) return 0;
  std::partial_sort(cand.begin(), cand.begin() + static_cast<long>(k), cand.end());
  std::vector<uint32_t> chosen;
  for (size_t i = 0; i < k; ++i) chosen.push_back(cand[i].second);
  std::sort(chosen.rbegin(), chosen.rend());  // highest first: the last page is never chosen later
  const auto key = key_of_slot();
  for (uint32_t lp : chosen) {
    const size_t first = lp * rows_per_page_;
    for (size_t s = first; s < first + rows_per_page_; ++s)
      if (slots_[s].item >= 0) {
        index_.erase(static_cast<uint64_t>(slots_[s].item), key);
        ++stats_.evictions;
      }
    const PageId gone = pages_[lp];
    const size_t last = pages_.size() - 1;
    if (lp != last) {  // the last page takes local index lp: relabel its slots, bytes stay put
      for (size_t r = 0; r < rows_per_page_; ++r) {
        const size_t from = last * rows_per_page_ + r, to = first + r;
        slots_[to] = slots_[from];
        slots_[to].page = lp;
        if (slots_[to].item >= 0)
          index_.reassign(static_cast<uint64_t>(slots_[to].item), static_cast<uint32_t>(to), key);
      }
      pages_[lp] = pages_[last];
      page_base_[lp] = page_base_[last];
      page_epoch_[lp] = page_epoch_[last];
    }
    pages_.pop_back();
    page_base_.pop_back();
    page_epoch_.pop_back();
    slots_.resize(pages_.size() * rows_per_page_);
    pool_.release(gone);
  }
  // Free slots, in O(free slots + k pages) rather than O(all slots): a free slot survives unless
  // its page is gone or was overwritten by a moved page; the overwritten pages are rescanned.
  // Every chosen page was rewritten (with the then-last page's slots) or is now past the end.
  const size_t pages_now = pages_.size();
  std::vector<uint32_t> rescan;
  for (uint32_t lp : chosen)
    if (lp < pages_now) rescan.push_back(lp);
  std::sort(rescan.begin(), rescan.end());
  const auto rewritten = [&](size_t lp) { return std::binary_search(rescan.begin(), rescan.end(), lp); };
  std::erase_if(free_slots_, [&](uint32_t s) {
    const size_t lp = s / rows_per_page_;
    return lp >= pages_now || rewritten(lp);
  });
  for (uint32_t lp : rescan)
    for (size_t s = (lp + 1) * rows_per_page_; s-- > lp * rows_per_page_;)
      if (slots_[s].item < 0) free_slots_.push_back(static_cast<uint32_t>(s));
  if (hand_ >= slots_.size()) hand_ = 0;
  stats_.pages_released += static_cast<int64_t>(k);
  return k;
}

bool EmbCache::insert_refill(ItemId item) {
  HELM_CHECK(!in_batch(), "refill of item {} inside a batch", item);
  HELM_CHECK(item >= 0 && item < table_rows_, "item {} outside the table", item);
  const uint64_t h = hash(item);
  if (index_.find_hashed(static_cast<uint64_t>(item), h, key_of_slot()) != SlotIndex::kEmpty)
    return false;
  if (free_slots_.empty() && !grow()) return false;
  const uint32_t s = free_slots_.back();
  free_slots_.pop_back();
  slots_[s].item = item;
  slots_[s].epoch = 0;  // no batch has used it yet
  slots_[s].ref = 0;
  index_.insert(static_cast<uint64_t>(item), s);
  if (bytes_) {
    const size_t lp = slots_[s].page;
    table_.read(item, reinterpret_cast<float*>(page_base_[lp] + (s - lp * rows_per_page_) * row_bytes_));
  }
  ++stats_.refilled;
  return true;
}

size_t EmbCache::room_rows() const {
  const size_t quota = pool_.quota(Owner::Emb), held = pool_.count(Owner::Emb);
  const size_t pages = quota > held ? std::min(quota - held, pool_.free_pages()) : 0;
  return free_slots_.size() + pages * rows_per_page_;
}

void EmbCache::check() const {
  HELM_CHECK(pool_.count(Owner::Emb) == pages_.size(), "pool EMB {} != cache pages {}",
             pool_.count(Owner::Emb), pages_.size());
  HELM_CHECK(slots_.size() == pages_.size() * rows_per_page_, "slot count");
  size_t resident = 0;
  for (size_t s = 0; s < slots_.size(); ++s) {
    HELM_CHECK(slots_[s].page == s / rows_per_page_, "slot {} on page {}", s, slots_[s].page);
    if (slots_[s].item < 0) continue;
    ++resident;
    HELM_CHECK(find(slots_[s].item) == s, "item {} not indexed at slot {}", slots_[s].item, s);
  }
  HELM_CHECK(resident == index_.size(), "resident {} != indexed {}", resident, index_.size());
  HELM_CHECK(resident + free_slots_.size() == slots_.size(), "free slots {} + resident {} != {}",
             free_slots_.size(), resident, slots_.size());
  for (uint32_t s : free_slots_) HELM_CHECK(slots_[s].item < 0, "free slot {} holds a row", s);
  for (PageId p : pages_) HELM_CHECK(pool_.owner(p) == Owner::Emb, "page {} not EMB", p);
}

}  // namespace helm
