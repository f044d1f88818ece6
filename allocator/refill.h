// Background refill of the EMB cache after a repartition gives it pages (`--repartition budgeted`).
//
// What to load: the predicted-hottest rows that are not resident. Prediction = a count-min
// sketch over a sliding window of the last `windows * window_records` sampled accesses
// (every `sample`-th access of the stream, counted across batches: a deterministic stride, so
// a row's sampled count is its access count / sample on average; WindowedSketch:
// one sub-sketch per sub-window, the oldest cleared as the window slides), so a row hot in the
// old regime but not in the new one fades within one window. Candidates = the row ids in a ring
// of the most recent accesses (a sketch cannot enumerate its keys).
//
// When to load it: only between batches (tick()), never inside a request: a chunk of rows is a
// background transfer on the H2DLink (try_background: only when no demand transfer is queued, so
// a demand miss waits at most for the one chunk in flight), and the rows enter the cache when the
// chunk has landed. Budget: a token bucket of `share` x the link's bandwidth, holding at most
// one chunk, so over ANY interval of length T refill issues at most
//     chunk_bytes + share * bytes_per_second * T        bytes  (the tested invariant).
// Single-threaded: owned by the node that owns the cache and the link.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "allocator/emb_cache.h"
#include "allocator/h2d_link.h"

namespace helm {

// Count-min (depth 4) over a sliding window of accesses, in `windows` sub-windows of
// `window_records` records each. estimate() sums the sub-windows' minima: never below the true
// count of the key in the window (count-min's one-sided error), exact for a key alone in its
// cells. Counters saturate at 65535 per sub-window.
class WindowedSketch {
 public:
  WindowedSketch(size_t width, int windows, uint64_t window_records);
  void record(uint64_t key);
  // The same as record() of each key in order (the same cells, the same slides), with the cells
  // of keys a few places ahead prefetched: the cells are random in a table of MiBs, and a batch
  // of independent keys lets their misses overlap instead of queueing one key at a time.
  void record_all(std::span<const ItemId> keys);
  uint32_t estimate(uint64_t key) const;
  // out[i] = estimate(keys[i]), with the cells of keys a few places ahead prefetched.
  void estimate_all(std::span<const ItemId> keys, std::vector<uint32_t>& out) const;
  uint64_t records() const { return records_; }
  int windows() const { return windows_; }
  uint64_t window_records() const { return window_records_; }

 private:
  void slide();  // the oldest sub-window becomes the current one, cleared
  void record_run(const ItemId* keys, size_t n);  // n keys, all within the current sub-window
  static uint64_t mix(uint64_t k, int j);
  size_t width_, mask_;
  int windows_;
  uint64_t window_records_;
  std::vector<uint16_t> cells_;  // [window][depth][width]
  int current_ = 0;
  uint64_t in_current_ = 0, records_ = 0;
};

struct RefillOptions {
  double share = 0.2;                  // --refill-share: of the link's bandwidth, in (0, 1]
  size_t chunk_bytes = size_t{64} << 10;  // one background transfer (bounds a demand's wait)
  size_t sketch_width = size_t{1} << 14;  // per depth and sub-window
  int windows = 4;
  // Every sample-th access is recorded (sketch and ring); the rest cost nothing. Fed every
  // lookup, the sketch and the plans over the ring were half the simulator's time; at 1 in 4
  // the window and the ring below span the same 256K and 16K accesses as unsampled 64K/16K did.
  uint32_t sample = 4;
  uint64_t window_records = 1 << 14;   // sampled accesses per sub-window
  size_t recent = 1 << 12;             // ring of recent sampled accesses: the refill candidates
  uint32_t min_estimate = 2;           // rows sampled fewer times in the window are not refilled
  bool probe_every_plan = false;       // never skip a plan's probes (the reference for tests)
};

struct RefillStats {
  int64_t chunks = 0;
  int64_t bytes_issued = 0;     // on the link as kRefill
  int64_t rows_landed = 0;      // placed in the cache
  int64_t rows_wasted = 0;      // landed but already resident (a demand miss was faster) or no room
  int64_t plans = 0;
  int64_t plans_skipped = 0;    // of `plans`: empty without probes (no row departed, see plan())
};

class RefillPlanner {
 public:
  RefillPlanner(EmbCache& cache, H2DLink& link, RefillOptions opt);
  // Every EMB access of a batch (the hot path: a few ns per id).
  void record(std::span<const ItemId> items);
  // Between batches only. Lands a chunk whose transfer has finished by `now`, then, if the
  // cache has room, the link is idle and the budget holds a chunk, issues the next one.
  // Returns the bytes issued now (0 if none).
  size_t tick(Nanos now);
  // The share of the refill budget to use from now on, in (0, 1] (1 = all of --refill-share):
  // a burst-aware policy lowers it while a burst lasts, so refill stays off a loaded link.
  void set_throttle(double scale);
  double throttle() const { return throttle_; }
  // The cache was just given room (a repartition): plan afresh on the next tick.
  void replan() { plan_.clear(); plan_pos_ = 0; stale_ = true; }
  // Nothing in flight and nothing planned (until new accesses or room call for a new plan).
  bool idle() const { return inflight_.empty() && !stale_ && plan_pos_ >= plan_.size(); }
  const RefillStats& stats() const { return stats_; }
  const RefillOptions& options() const { return opt_; }
  const WindowedSketch& sketch() const { return sketch_; }

 private:
  void plan();
  void land();
  // Rows that left the cache or were refused since it was built (evictions, releases,
  // rejections): between two departures every looked-up row stays resident.
  int64_t departures() const { return cache_.stats().evictions + cache_.stats().rejected; }
  void note_departures();
  static const std::vector<ItemId>& distinct(const std::vector<ItemId>& ring);
  EmbCache& cache_;
  H2DLink& link_;
  RefillOptions opt_;
  WindowedSketch sketch_;
  std::vector<ItemId> recent_;   // ring
  size_t recent_pos_ = 0;
  uint64_t skip_ = 0;            // accesses to pass over before the next sampled one
  std::vector<ItemId> sampled_;  // this call's sampled accesses
  std::vector<ItemId> plan_;     // hottest missing first
  size_t plan_pos_ = 0;
  bool stale_ = true;            // a plan is worth computing (new accesses or new room)
  uint64_t planned_at_ = 0;      // sketch_.records() at the last plan
  // departures() when last looked at, and sketch_.records() before the first record() call that
  // saw it: every ring entry recorded from there on was looked up after the last departure.
  int64_t seen_departures_ = 0;
  uint64_t departed_at_ = 0;
  std::vector<ItemId> inflight_;
  Nanos inflight_done_ = 0;
  double tokens_ = 0;            // bytes the budget allows now (<= chunk_bytes)
  double throttle_ = 1;          // of opt_.share (set_throttle)
  Nanos last_tick_ = -1;
  RefillStats stats_;
};

}  // namespace helm
