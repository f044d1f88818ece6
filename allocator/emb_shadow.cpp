#include "allocator/emb_shadow.h"

#include <cmath>

#include "allocator/slot_index.h"
#include "common/error.h"

namespace helm {

namespace {
size_t pow2_at_least(size_t n) {
  size_t w = 64;
  while (w < n) w <<= 1;
  return w;
}
}  // namespace

EmbShadow::EmbShadow(double rate, size_t real_sketch_words)
    : rate_(rate),
      threshold_(static_cast<uint64_t>(rate * double(uint64_t{1} << 32))),
      // The real sketch: pow2(words) words, halved every 40 x words records (FreqSketch's default).
      sketch_(static_cast<size_t>(std::ceil(rate * double(pow2_at_least(real_sketch_words)))),
              static_cast<uint64_t>(std::max(1.0, rate * 40.0 * double(pow2_at_least(real_sketch_words))))) {
  HELM_CHECK(rate > 0 && rate <= 1, "EMB shadow rate {}", rate);
}

void EmbShadow::set_capacity(size_t real_rows) {
  capacity_ = static_cast<size_t>(std::llround(rate_ * double(real_rows)));
  while (index_.size() > capacity_) evict_one();
}

size_t EmbShadow::victim() {
  for (;;) {
    if (hand_ >= slots_.size()) hand_ = 0;
    Slot& s = slots_[hand_];
    if (!s.ref) return hand_;
    s.ref = false;
    ++hand_;
  }
}

void EmbShadow::evict_one() {
  const size_t v = victim();
  index_.erase(slots_[v].item);
  slots_[v] = slots_.back();  // keep slots_ dense: the moved row keeps its bit
  if (v != slots_.size() - 1) index_[slots_[v].item] = v;
  slots_.pop_back();
}

void EmbShadow::lookup(ItemId item) {
  const uint64_t h = SlotIndex::hash(static_cast<uint64_t>(item));
  if ((h >> 32) >= threshold_) return;  // not a sampled row
  ++lookups_;
  sketch_.record_hashed(h);
  if (auto it = index_.find(item); it != index_.end()) {
    ++hits_;
    slots_[it->second].ref = true;
    return;
  }
  if (capacity_ == 0) return;
  if (slots_.size() < capacity_) {
    index_[item] = slots_.size();
    slots_.push_back({item, false});  // no second chance until hit again, as in EmbCache
    return;
  }
  const size_t v = victim();
  const uint64_t hv = SlotIndex::hash(static_cast<uint64_t>(slots_[v].item));
  if (sketch_.estimate_hashed(h) <= sketch_.estimate_hashed(hv)) return;  // refused
  index_.erase(slots_[v].item);
  slots_[v] = {item, false};
  index_[item] = v;
  hand_ = v + 1;
}

double EmbShadow::take_window_ratio() {
  const double r = lookups_ > 0 ? double(hits_) / double(lookups_) : -1.0;
  lookups_ = hits_ = 0;
  return r;
}

}  // namespace helm
