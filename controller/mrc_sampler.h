// Online miss-ratio curves by sampled reuse distances (SHARDS, Waldspurger et al., FAST'15), for
// caches whose entries have sizes (EMB rows; per-user K/V of very different lengths).
//
// A key is sampled iff hash(key) falls below rate x 2^24 (spatial sampling: all accesses of a
// sampled key are seen, so its reuse distances are exact among sampled keys). The reuse distance
// of an access = bytes of the distinct sampled keys touched since the key's previous access plus
// its own, divided by the rate: under LRU, the access hits iff the cache holds at least that many
// bytes. Each hit's `value` (latency it saves, ns) goes into a histogram over distance; curve()
// sums it per capacity, scaled by all accesses / sampled accesses. Distances come from a Fenwick tree over access slots holding each key's
// bytes at its last access (O(log n) per sampled access).
// Bounded memory: at most max_keys sampled keys; when the slots fill up they are renumbered, and
// beyond max_keys the least recently used keys are forgotten (their next access counts as cold;
// it would have needed more than max_keys keys' bytes of cache anyway, bounded by max_bytes).
// Single-threaded; one per cache per node.
#pragma once
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "controller/window.h"

namespace helm {

class ReuseSampler {
 public:
  // Distances are histogrammed over [0, max_bytes] (the pool) in `bins` bins.
  ReuseSampler(double rate, size_t max_keys, double max_bytes, int bins = 4 * (kCurvePoints - 1));
  // A hit is worth value + per_prev_unit x (the key's units at its previous access): for K/V,
  // a hit reuses what was cached, so its worth scales with the previous token count. `bytes` is
  // what the key occupies in the cache (the capacity axis); units < 0 means units = bytes.
  void access(uint64_t key, double bytes, double value, double per_prev_unit = 0, double units = -1);
  // out[i] = value (scaled to all keys) of the hits a cache of i/(points-1) x max_bytes would
  // have had, i = 0..points-1; non-decreasing in i.
  void curve(double* out, int points) const;
  void decay(double factor);  // histogram *= factor (older windows weigh less)
  double rate() const { return rate_; }
  int64_t sampled() const { return sampled_; }

 private:
  void fen_add(size_t i, double v);
  double fen_prefix(size_t i) const;  // sum of slots [0, i)
  void compact();
  struct Last {
    size_t slot;
    double bytes, units;
  };
  double rate_;
  uint64_t threshold_;
  size_t max_keys_, cap_;
  double max_bytes_;
  std::vector<double> hist_;
  std::vector<double> fen_;         // Fenwick over slots
  std::vector<uint64_t> slot_key_;  // slot -> key whose last access it is (or ~0)
  std::unordered_map<uint64_t, Last> last_;
  size_t next_ = 0;
  int64_t sampled_ = 0;
  double seen_w_ = 0, sampled_w_ = 0;  // accesses / sampled accesses, decayed with hist_
};

// Both caches of one node: what a driver feeds per request and reads per window.
class MrcTracker {
 public:
  // pool_bytes: the capacity axis of both curves. EMB accesses are many (every token of every
  // request): sampled at emb_rate (10% tracks the exact curve within ~3 points of hit ratio on a
  // 400k-access Zipf trace, see the tests). KV accesses are one per request: all of them.
  explicit MrcTracker(double pool_bytes, double emb_rate = 0.1, double kv_rate = 1.0,
                      size_t max_keys = 1 << 15);
  // One EMB row lookup as the cache counts it (once per distinct row per batch: the cache's
  // lookup observer, not the raw ids); `saved_ns` = what a hit saves (the row over the link).
  void emb_access(int64_t item, double row_bytes, double saved_ns) {
    emb_.access(static_cast<uint64_t>(item), row_bytes, saved_ns);
  }
  // One request of a user: its K/V now spans `tokens`, which occupy `footprint_bytes` of the
  // pool (whole pages: the capacity the cache spends on them); a hit would reuse the tokens
  // cached at its previous request, saving ns_per_token for each (recomputing, or onboarding).
  void kv_access(int64_t user, double tokens, double footprint_bytes, double ns_per_token) {
    kv_.access(static_cast<uint64_t>(user), footprint_bytes, 0, ns_per_token, tokens);
  }
  // Writes both curves into w (has_curves = 1), then halves the history.
  //
  // The EMB curve is an LRU curve of a CLOCK + TinyLFU cache. CLOCK approximates LRU; TinyLFU's
  // refusals do not, by up to 30 points of hit rate on kuairand-27k (measured against the
  // cache). So the curve is `mrc`'s relative view of the EMB side; the hit rate the cache will
  // have at the split in effect comes from a miniature of its real policy
  // (allocator/emb_shadow.h, /nodes emb_hit_predicted).
  void fill(NodeWindowStats& w);

 private:
  ReuseSampler emb_, kv_;
};

}  // namespace helm
