#include "scheduler/kv_residency.h"

#include <algorithm>

#include "common/rng.h"

namespace helm {

KvResidency::KvResidency() { clear(); }

void KvResidency::clear() {
  slots_.assign(64, Entry{});
  mask_ = slots_.size() - 1;
  size_ = 0;
}

size_t KvResidency::slot_of(int64_t user) const {
  size_t i = hash64(static_cast<uint64_t>(user)) & mask_;
  while (slots_[i].user != kEmpty && slots_[i].user != user) i = (i + 1) & mask_;
  return i;
}

const KvResidency::Entry* KvResidency::find(int64_t user) const {
  const Entry& e = slots_[slot_of(user)];
  return e.user == user ? &e : nullptr;
}

void KvResidency::set(int64_t user, int node, int64_t start, int64_t tokens) {
  if (tokens <= 0) return erase(user, node);
  if (2 * (size_ + 1) > slots_.size()) grow();
  Entry& e = slots_[slot_of(user)];
  if (e.user != user) {
    e = Entry{};
    e.user = user;
    ++size_;
  }
  const KvHolder h{node, static_cast<int32_t>(std::min<int64_t>(tokens, INT32_MAX)), start};
  for (int k = 0; k < e.count; ++k)
    if (e.holders[k].node == node) {
      e.holders[k] = h;
      return;
    }
  if (e.count == kMaxHolders) {  // forget the oldest holder: a hint, see the header
    std::copy(e.holders + 1, e.holders + kMaxHolders, e.holders);
    --e.count;
  }
  e.holders[e.count++] = h;
}

void KvResidency::to_host(int64_t user, int node) {
  Entry& e = slots_[slot_of(user)];
  if (e.user != user) return;
  for (int k = 0; k < e.count; ++k)
    if (e.holders[k].node == node) e.holders[k].host = true;
}

void KvResidency::erase(int64_t user, int node) {
  const size_t i = slot_of(user);
  Entry& e = slots_[i];
  if (e.user != user) return;
  for (int k = 0; k < e.count; ++k)
    if (e.holders[k].node == node) {
      std::copy(e.holders + k + 1, e.holders + e.count, e.holders + k);
      --e.count;
      break;
    }
  if (e.count == 0) erase_slot(i);
}

void KvResidency::erase_node(int node) {
  std::vector<int64_t> users;  // collected first: erasing shifts entries between slots
  for (const Entry& e : slots_)
    if (e.user != kEmpty)
      for (int k = 0; k < e.count; ++k)
        if (e.holders[k].node == node) users.push_back(e.user);
  for (const int64_t u : users) erase(u, node);
}

// Backward-shift deletion keeps every probe run unbroken without tombstones, so the table never
// degrades under the steady insert/erase churn of completions and evictions.
void KvResidency::erase_slot(size_t i) {
  --size_;
  for (size_t j = (i + 1) & mask_;; j = (j + 1) & mask_) {
    if (slots_[j].user == kEmpty) break;
    const size_t home = hash64(static_cast<uint64_t>(slots_[j].user)) & mask_;
    // Move j into the hole at i unless its home lies cyclically in (i, j].
    const bool stays = (i <= j) ? (i < home && home <= j) : (i < home || home <= j);
    if (!stays) {
      slots_[i] = slots_[j];
      i = j;
    }
  }
  slots_[i] = Entry{};
}

void KvResidency::grow() {
  std::vector<Entry> old(slots_.size() * 2);
  old.swap(slots_);
  mask_ = slots_.size() - 1;
  for (const Entry& e : old)
    if (e.user != kEmpty) slots_[slot_of(e.user)] = e;
}

}  // namespace helm
