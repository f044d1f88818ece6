#include "controller/mrc_sampler.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"

namespace helm {

namespace {
uint64_t mix(uint64_t k) {  // splitmix64 finalizer
  k = (k ^ (k >> 30)) * 0xBF58476D1CE4E5B9ull;
  k = (k ^ (k >> 27)) * 0x94D049BB133111EBull;
  return k ^ (k >> 31);
}
constexpr uint64_t kNone = ~uint64_t{0};
}  // namespace

ReuseSampler::ReuseSampler(double rate, size_t max_keys, double max_bytes, int bins)
    : rate_(rate),
      threshold_(static_cast<uint64_t>(rate * double(1 << 24))),
      max_keys_(max_keys),
      cap_(2 * max_keys),
      max_bytes_(max_bytes),
      hist_(static_cast<size_t>(bins), 0.0),
      fen_(2 * max_keys + 1, 0.0),
      slot_key_(2 * max_keys, kNone) {
  HELM_CHECK(rate > 0 && rate <= 1 && max_keys >= 2 && max_bytes > 0 && bins >= 1,
             "reuse sampler rate {} keys {} bytes {} bins {}", rate, max_keys, max_bytes, bins);
}

void ReuseSampler::fen_add(size_t i, double v) {
  for (++i; i < fen_.size(); i += i & (~i + 1)) fen_[i] += v;
}

double ReuseSampler::fen_prefix(size_t i) const {
  double s = 0;
  for (; i > 0; i -= i & (~i + 1)) s += fen_[i];
  return s;
}

void ReuseSampler::access(uint64_t key, double bytes, double value, double per_prev_unit, double units) {
  if (units < 0) units = bytes;
  seen_w_ += 1;
  if ((mix(key) >> 40) >= threshold_) return;  // not a sampled key
  ++sampled_;
  sampled_w_ += 1;
  if (next_ == cap_) compact();
  auto it = last_.find(key);
  if (it != last_.end()) {
    // Bytes of the keys used since, plus this key's own: the LRU capacity this hit needs.
    const double since = fen_prefix(next_) - fen_prefix(it->second.slot + 1);
    const double d = (since + bytes) / rate_;
    if (d <= max_bytes_) {
      // Bin b holds distances in (b, b+1] x width: a hit at exactly a capacity counts there.
      const double x = std::ceil(d / max_bytes_ * static_cast<double>(hist_.size()));
      const size_t b = std::min(hist_.size() - 1, static_cast<size_t>(std::max(x, 1.0)) - 1);
      hist_[b] += value + per_prev_unit * it->second.units;
    }
    fen_add(it->second.slot, -it->second.bytes);
    slot_key_[it->second.slot] = kNone;
    it->second = {next_, bytes, units};
  } else {
    last_.emplace(key, Last{next_, bytes, units});
  }
  fen_add(next_, bytes);
  slot_key_[next_] = key;
  ++next_;
}

void ReuseSampler::compact() {
  // Renumber live keys in recency order; forget the oldest beyond max_keys.
  std::vector<uint64_t> live;
  live.reserve(last_.size());
  for (size_t s = 0; s < next_; ++s)
    if (slot_key_[s] != kNone) live.push_back(slot_key_[s]);
  const size_t drop = live.size() > max_keys_ ? live.size() - max_keys_ : 0;
  for (size_t i = 0; i < drop; ++i) last_.erase(live[i]);
  std::fill(fen_.begin(), fen_.end(), 0.0);
  std::fill(slot_key_.begin(), slot_key_.end(), kNone);
  next_ = 0;
  for (size_t i = drop; i < live.size(); ++i) {
    Last& l = last_.at(live[i]);
    l.slot = next_;
    slot_key_[next_] = live[i];
    fen_add(next_, l.bytes);
    ++next_;
  }
}

void ReuseSampler::curve(double* out, int points) const {
  // A hit in bin b (distance < (b+1) x width) counts at capacity c once (b+1) x width <= c.
  const double nb = static_cast<double>(hist_.size());
  // Scaled by accesses / sampled accesses rather than 1 / rate (SHARDS_adj's point): under
  // skew, whether the few hottest keys happen to be sampled moves the sampled share a lot.
  const double scale = sampled_w_ > 0 ? seen_w_ / sampled_w_ : 0.0;
  double acc = 0;
  size_t b = 0;
  for (int i = 0; i < points; ++i) {
    const double cap_bins = points > 1 ? nb * i / (points - 1) : nb;
    while (b < hist_.size() && static_cast<double>(b + 1) <= cap_bins + 1e-9) acc += hist_[b++];
    out[i] = acc * scale;
  }
}

void ReuseSampler::decay(double factor) {
  for (double& h : hist_) h *= factor;
  seen_w_ *= factor;
  sampled_w_ *= factor;
}

MrcTracker::MrcTracker(double pool_bytes, double emb_rate, double kv_rate, size_t max_keys)
    : emb_(emb_rate, max_keys, pool_bytes), kv_(kv_rate, max_keys, pool_bytes) {}

void MrcTracker::fill(NodeWindowStats& w) {
  emb_.curve(w.emb_saved_ns, kCurvePoints);
  kv_.curve(w.kv_saved_ns, kCurvePoints);
  w.has_curves = 1;
  emb_.decay(0.5);
  kv_.decay(0.5);
}

}  // namespace helm
