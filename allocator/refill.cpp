#include "allocator/refill.h"

#include <algorithm>

#include "allocator/slot_index.h"
#include "common/error.h"

namespace helm {

WindowedSketch::WindowedSketch(size_t width, int windows, uint64_t window_records)
    : windows_(windows), window_records_(window_records) {
  HELM_CHECK(windows >= 1 && window_records >= 1, "sketch of {} windows of {} records", windows,
             window_records);
  width_ = 64;
  while (width_ < width) width_ <<= 1;
  mask_ = width_ - 1;
  cells_.assign(static_cast<size_t>(windows) * 4 * width_, 0);
}

uint64_t WindowedSketch::mix(uint64_t k, int j) {  // splitmix64 with a per-depth salt
  k += 0x9E3779B97F4A7C15ull * static_cast<uint64_t>(j + 1);
  k = (k ^ (k >> 30)) * 0xBF58476D1CE4E5B9ull;
  k = (k ^ (k >> 27)) * 0x94D049BB133111EBull;
  return k ^ (k >> 31);
}

void WindowedSketch::record(uint64_t key) {
  uint16_t* w = cells_.data() + static_cast<size_t>(current_) * 4 * width_;
  for (int j = 0; j < 4; ++j) {
    uint16_t& c = w[static_cast<size_t>(j) * width_ + (mix(key, j) & mask_)];
    if (c != 0xFFFF) ++c;
  }
  ++records_;
  if (++in_current_ >= window_records_) slide();
}

void WindowedSketch::record_all(std::span<const ItemId> keys) {
  for (size_t i = 0; i < keys.size();) {
    const size_t n = std::min<size_t>(keys.size() - i, window_records_ - in_current_);
    record_run(keys.data() + i, n);
    i += n;
    records_ += n;
    if ((in_current_ += n) >= window_records_) slide();
  }
}

void WindowedSketch::record_run(const ItemId* keys, size_t n) {
  uint16_t* w = cells_.data() + static_cast<size_t>(current_) * 4 * width_;
  constexpr size_t kAhead = 8, kRing = 16;
  uint32_t idx[kRing][4];
  const auto locate = [&](size_t i) {
    for (int j = 0; j < 4; ++j) {
      const size_t c = static_cast<size_t>(j) * width_ + (mix(static_cast<uint64_t>(keys[i]), j) & mask_);
      idx[i % kRing][j] = static_cast<uint32_t>(c);
      __builtin_prefetch(w + c, 1);
    }
  };
  for (size_t i = 0; i < std::min(n, kAhead); ++i) locate(i);
  for (size_t i = 0; i < n; ++i) {
    if (i + kAhead < n) locate(i + kAhead);
    for (int j = 0; j < 4; ++j) {
      uint16_t& c = w[idx[i % kRing][j]];
      c = static_cast<uint16_t>(c + (c != 0xFFFF));
    }
  }
}

void WindowedSketch::slide() {
  current_ = (current_ + 1) % windows_;
  std::fill_n(cells_.begin() + static_cast<long>(static_cast<size_t>(current_) * 4 * width_),
              4 * width_, uint16_t{0});
  in_current_ = 0;
}

uint32_t WindowedSketch::estimate(uint64_t key) const {
  size_t idx[4];
  for (int j = 0; j < 4; ++j) idx[j] = static_cast<size_t>(j) * width_ + (mix(key, j) & mask_);
  uint32_t sum = 0;
  for (int w = 0; w < windows_; ++w) {
    const uint16_t* c = cells_.data() + static_cast<size_t>(w) * 4 * width_;
    uint32_t m = 0xFFFF;
    for (int j = 0; j < 4; ++j) m = std::min<uint32_t>(m, c[idx[j]]);
    sum += m;
  }
  return sum;
}

void WindowedSketch::estimate_all(std::span<const ItemId> keys, std::vector<uint32_t>& out) const {
  out.resize(keys.size());
  constexpr size_t kAhead = 4;
  const auto fetch = [&](size_t i) {
    for (int j = 0; j < 4; ++j) {
      const size_t c = static_cast<size_t>(j) * width_ + (mix(static_cast<uint64_t>(keys[i]), j) & mask_);
      for (int w = 0; w < windows_; ++w) __builtin_prefetch(cells_.data() + static_cast<size_t>(w) * 4 * width_ + c);
    }
  };
  for (size_t i = 0; i < std::min(keys.size(), kAhead); ++i) fetch(i);
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i + kAhead < keys.size()) fetch(i + kAhead);
    out[i] = estimate(static_cast<uint64_t>(keys[i]));
  }
}

RefillPlanner::RefillPlanner(EmbCache& cache, H2DLink& link, RefillOptions opt)
    : cache_(cache),
      link_(link),
      opt_(opt),
      sketch_(opt.sketch_width, opt.windows, opt.window_records) {
  if (!(opt.share > 0 && opt.share <= 1)) bad_input("--refill-share: {} is not in (0, 1]", opt.share);
  HELM_CHECK(opt.sample >= 1, "refill sample stride {}", opt.sample);
  HELM_CHECK(opt.chunk_bytes >= cache.row_bytes(), "refill chunk of {} bytes < one row",
             opt.chunk_bytes);
  recent_.assign(std::max<size_t>(opt.recent, 1), -1);
  seen_departures_ = departures();
}

void RefillPlanner::note_departures() {
  const int64_t d = departures();
  if (d == seen_departures_) return;
  seen_departures_ = d;
  departed_at_ = sketch_.records();
}

void RefillPlanner::record(std::span<const ItemId> all) {
  note_departures();  // before this call's ids go in: their lookup comes after any departure seen
  const bool looked_up = cache_.in_access_observer();
  // Accesses skip_, skip_ + sample, ... of this call (the stride runs on across calls).
  std::span<const ItemId> items = all;
  if (opt_.sample > 1) {
    sampled_.clear();
    size_t i = skip_;
    for (; i < all.size(); i += opt_.sample) sampled_.push_back(all[i]);
    skip_ = i - all.size();
    items = sampled_;
  }
  sketch_.record_all(items);
  // Ids fed from outside a lookup may not be resident: no plan may be skipped over them.
  if (!looked_up) departed_at_ = sketch_.records();
  // The ring keeps the last recent_.size() ids: copy in runs up to its end.
  if (items.size() > recent_.size()) {  // the first ones would be overwritten in this call
    recent_pos_ = (recent_pos_ + (items.size() - recent_.size())) % recent_.size();
    items = items.last(recent_.size());
  }
  while (!items.empty()) {
    const size_t k = std::min(items.size(), recent_.size() - recent_pos_);
    std::copy_n(items.begin(), k, recent_.begin() + static_cast<long>(recent_pos_));
    items = items.subspan(k);
    if ((recent_pos_ += k) == recent_.size()) recent_pos_ = 0;
  }
}

const std::vector<ItemId>& RefillPlanner::distinct(const std::vector<ItemId>& ring) {
  // Through a small open-addressing set of twice the ring's size, one scratch per thread
  // (planners run on their node's thread; oracle grids run several): it stays in L1/L2, where a
  // bit per catalogue id (4 MiB at 32M items) took a cache miss per id, and a plan costs its
  // ring, never the catalogue. The order of the result does not matter: plan() ends in a sort
  // over a total order of distinct ids.
  thread_local std::vector<ItemId> set;
  thread_local std::vector<ItemId> out;
  size_t cap = 16;
  while (cap < 2 * ring.size()) cap <<= 1;
  if (set.size() != cap) set.assign(cap, -1);
  const size_t mask = cap - 1;
  out.clear();
  for (ItemId it : ring) {
    if (it < 0) continue;
    size_t i = SlotIndex::hash(static_cast<uint64_t>(it)) & mask;
    while (set[i] >= 0 && set[i] != it) i = (i + 1) & mask;
    if (set[i] == it) continue;
    set[i] = it;
    out.push_back(it);
  }
  std::fill(set.begin(), set.end(), ItemId{-1});  // 64 KiB for the default ring
  return out;
}

void RefillPlanner::plan() {
  // Candidates: distinct recent rows that are not resident and hot enough in the window,
  // hottest first (ties: lower id, so plans are deterministic). Residency first: most ring ids
  // are hot rows the cache holds, and a sketch estimate (16 cells) costs more than an index probe.
  //
  // Every ring id recorded from the cache's access observer was looked up right after (plan()
  // runs only between batches), and a looked-up row is resident unless it was refused or has
  // left since. So when no row departed since the ring's oldest entry was recorded, every
  // candidate is resident and the plan is empty, exactly what the probes below would find: skip
  // them. The common case of a cache with room (nothing evicted or refused), where the probes
  // were ~10% of `sim` on kuairand-27k.
  note_departures();
  const uint64_t held = std::min<uint64_t>(sketch_.records(), recent_.size());
  if (!opt_.probe_every_plan && sketch_.records() - held >= departed_at_) {
    plan_.clear();
    plan_pos_ = 0;
    planned_at_ = sketch_.records();
    stale_ = false;
    ++stats_.plans;
    ++stats_.plans_skipped;
    return;
  }
  const std::vector<ItemId>& ids = distinct(recent_);
  thread_local std::vector<char> resident;
  thread_local std::vector<ItemId> missing;
  thread_local std::vector<uint32_t> est;
  cache_.contains_all(ids, resident);
  missing.clear();
  for (size_t i = 0; i < ids.size(); ++i)
    if (!resident[i]) missing.push_back(ids[i]);
  sketch_.estimate_all(missing, est);
  std::vector<std::pair<uint32_t, ItemId>> c;
  for (size_t i = 0; i < missing.size(); ++i)
    if (est[i] >= opt_.min_estimate) c.emplace_back(est[i], missing[i]);
  std::sort(c.begin(), c.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  plan_.clear();
  plan_pos_ = 0;
  for (const auto& [e, it] : c) plan_.push_back(it);
  planned_at_ = sketch_.records();
  stale_ = false;
  ++stats_.plans;
}

void RefillPlanner::land() {
  for (ItemId it : inflight_) {
    if (cache_.insert_refill(it)) ++stats_.rows_landed;
    else ++stats_.rows_wasted;
  }
  inflight_.clear();
}

void RefillPlanner::set_throttle(double scale) {
  HELM_CHECK(scale > 0 && scale <= 1, "refill throttle {} is not in (0, 1]", scale);
  throttle_ = scale;
}

size_t RefillPlanner::tick(Nanos now) {
  HELM_CHECK(!cache_.in_batch(), "refill tick inside a batch");
  if (last_tick_ >= 0 && now > last_tick_)
    tokens_ += static_cast<double>(now - last_tick_) * opt_.share * throttle_ * link_.bytes_per_second() / 1e9;
  tokens_ = std::min(tokens_, static_cast<double>(opt_.chunk_bytes));
  if (last_tick_ < 0 || now > last_tick_) last_tick_ = now;
  if (!inflight_.empty()) {
    if (now < inflight_done_) return 0;
    land();
  }
  const size_t room = cache_.room_rows();
  if (room == 0) return 0;
  // Re-plan when the plan is used up and enough new accesses came in since (a plan costs a pass
  // over the ring: not on every tick).
  if (plan_pos_ >= plan_.size() &&
      (stale_ || sketch_.records() - planned_at_ >= recent_.size() / 2))
    plan();
  if (plan_pos_ >= plan_.size()) return 0;
  const size_t max_rows = std::min(room, opt_.chunk_bytes / cache_.row_bytes());
  // Peek at the next rows; the plan advances only if the chunk goes out.
  std::vector<ItemId> chunk;
  size_t j = plan_pos_;
  while (chunk.size() < max_rows && j < plan_.size()) {
    const ItemId it = plan_[j++];
    if (!cache_.contains(it)) chunk.push_back(it);
  }
  if (chunk.empty()) {
    plan_pos_ = j;
    return 0;
  }
  const size_t bytes = chunk.size() * cache_.row_bytes();
  if (tokens_ < static_cast<double>(bytes)) return 0;  // over budget: retry on a later tick
  const Nanos done = link_.try_background(now, bytes, LinkPurpose::kRefill);
  if (done < 0) return 0;  // demand traffic queued: refill waits behind it
  plan_pos_ = j;
  tokens_ -= static_cast<double>(bytes);
  inflight_ = std::move(chunk);
  inflight_done_ = done;
  ++stats_.chunks;
  stats_.bytes_issued += static_cast<int64_t>(bytes);
  return bytes;
}

}  // namespace helm
