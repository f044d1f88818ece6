#include "allocator/host_kv_tier.h"

#include <algorithm>

#include "common/error.h"

namespace helm {

namespace {
constexpr size_t kChunkBytes = size_t{64} << 20;
}

HostKvTier::HostKvTier(size_t capacity_bytes, const KvLayout& layout, PageCopier* copier)
    : capacity_(capacity_bytes),
      page_bytes_(layout.page_floats() * layout.bytes_per_element),
      layout_(layout),
      copier_(copier) {
  HELM_CHECK(layout.tokens_per_page > 0 && page_bytes_ > 0, "host KV tier without a KV layout");
  const size_t most = capacity_ / page_bytes_;
  HELM_CHECK(most < (size_t{1} << 32), "host KV tier of {} pages", most);
  per_chunk_ = static_cast<uint32_t>(std::clamp<size_t>(kChunkBytes / page_bytes_, 1, std::max<size_t>(1, most)));
}

HostKvTier::~HostKvTier() {
  for (std::byte* c : chunks_) copier_->free_host(c);
}

uint32_t HostKvTier::grab_slot() {
  if (free_.empty()) {
    // Only while fewer pages than the capacity exist: the caller has made room in held_ first.
    const uint32_t n = static_cast<uint32_t>(std::min<size_t>(per_chunk_, capacity_ / page_bytes_ - made_));
    HELM_CHECK(n > 0, "host KV tier: no host page left under its capacity");
    chunks_.push_back(copier_->alloc_host(size_t{n} * page_bytes_));
    for (uint32_t i = n; i-- > 0;) free_.push_back(made_ + i);
    made_ += n;
  }
  const uint32_t s = free_.back();
  free_.pop_back();
  return s;
}

void HostKvTier::drop(std::list<Item>::iterator it) {
  free_.insert(free_.end(), it->slots.begin(), it->slots.end());
  held_ -= it->bytes;
  map_.erase(it->user);
  lru_.erase(it);
}

void HostKvTier::put(UserId u, int64_t start, int64_t tokens, uint64_t hash,
                     std::span<float* const> pages) {
  if (auto f = map_.find(u); f != map_.end()) drop(f->second);
  const size_t npages = static_cast<size_t>(layout_.pages_for(tokens));
  const size_t bytes = npages * page_bytes_;
  if (tokens <= 0 || bytes > capacity_) {
    ++stats_.spill_rejected;
    return;
  }
  while (held_ + bytes > capacity_) {
    drop(lru_.begin());
    ++stats_.evictions;
  }
  Item item{u, {start, tokens, hash}, {}, bytes};
  if (copier_) {
    HELM_CHECK(pages.size() >= npages, "user {}: {} pages for {} tokens", u, pages.size(), tokens);
    item.slots.resize(npages);
    for (size_t p = 0; p < npages; ++p) {
      item.slots[p] = grab_slot();
      copier_->spill(slot(item.slots[p]), reinterpret_cast<const std::byte*>(pages[p]), page_bytes_);
    }
  }
  lru_.push_back(std::move(item));
  map_[u] = std::prev(lru_.end());
  held_ += bytes;
  ++stats_.spills;
}

const HostKvTier::Entry* HostKvTier::find(UserId u) const {
  const auto f = map_.find(u);
  return f == map_.end() ? nullptr : &f->second->e;
}

size_t HostKvTier::take(UserId u, int64_t tokens, const KvView& view) {
  const auto f = map_.find(u);
  HELM_CHECK(f != map_.end(), "user {} is not in the host tier", u);
  const Item& it = *f->second;
  HELM_CHECK(tokens >= 0 && tokens <= it.e.tokens, "user {}: onboard {} of {} tokens", u, tokens,
             it.e.tokens);
  if (copier_ && tokens > 0) {
    const size_t npages = static_cast<size_t>(layout_.pages_for(tokens));
    HELM_CHECK(view.pages.size() >= npages, "user {}: view of {} pages for {} tokens", u,
               view.pages.size(), tokens);
    // Whole pages: the tail of the last page holds tokens the model overwrites anyway.
    for (size_t p = 0; p < npages; ++p)
      copier_->onboard(reinterpret_cast<std::byte*>(view.pages[p]), slot(it.slots[p]), page_bytes_);
  }
  const size_t moved = static_cast<size_t>(tokens) * layout_.bytes_per_token();
  ++stats_.hits;
  stats_.onboard_tokens += tokens;
  stats_.onboard_bytes += static_cast<int64_t>(moved);
  drop(f->second);
  return moved;
}

void HostKvTier::erase(UserId u) {
  if (auto f = map_.find(u); f != map_.end()) drop(f->second);
}

}  // namespace helm
