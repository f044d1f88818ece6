#include "allocator/kv_cache.h"

#include "common/error.h"

namespace helm {

KvCache::KvCache(PagePool& pool, Device& device, KvLayout layout)
    : pool_(pool), device_(device), layout_(layout) {
  HELM_CHECK(pool.num_pages() == device.num_pages(), "pool of {} pages on a device of {}",
             pool.num_pages(), device.num_pages());
  if (layout.tokens_per_page < 1)
    bad_input("--page-kib: one token of K/V ({} bytes) does not fit a page of {} bytes",
              layout.bytes_per_token(), device.page_bytes());
  HELM_CHECK(layout.page_floats() * layout.bytes_per_element <= device.page_bytes(),
             "KV layout of {} floats overflows a page of {} bytes", layout.page_floats(),
             device.page_bytes());
}

KvCache::~KvCache() {
  for (auto& en : entries_) {
    if (en.user < 0) continue;
    if (en.leased) unpin(en);
    for (PageId p : en.pages) pool_.release(p);
  }
}

KvProbe KvCache::probe(UserId u) const {
  const uint32_t e = find(u);
  if (e == SlotIndex::kEmpty) return {};
  const Entry& en = entries_[e];
  return {true, en.start, en.tokens, en.hash};
}

KvLease KvCache::acquire(UserId u, int64_t start, int64_t reuse_tokens, int64_t total_tokens) {
  HELM_CHECK(0 <= reuse_tokens && reuse_tokens <= total_tokens, "reuse {} of {} tokens",
             reuse_tokens, total_tokens);
  if (on_access_) on_access_(u, start, total_tokens);
  ++stats_.acquires;
  stats_.token_lookups += total_tokens;
  KvLease lease;
  lease.user = u;
  lease.start = start;
  lease.total_tokens = total_tokens;
  lease.open = true;
  uint32_t e = find(u);
  if (e != SlotIndex::kEmpty) {
    const Entry& en = entries_[e];
    HELM_CHECK(!en.leased, "user {} acquired while already leased", u);
    HELM_CHECK(reuse_tokens == 0 || (reuse_tokens <= en.tokens && start == en.start),
               "user {}: reuse {} tokens from start {}, cache holds {} from {}", u, reuse_tokens,
               start, en.tokens, en.start);
  } else {
    HELM_CHECK(reuse_tokens == 0, "user {}: reuse {} tokens but nothing cached", u, reuse_tokens);
  }
  // Feasible iff, after evicting every unleased user (this one's pages are kept), the quota and
  // the pool's free pages both leave room: need <= quota - L and need <= held - L + free.
  const size_t need = static_cast<size_t>(layout_.pages_for(total_tokens));
  const size_t quota = pool_.quota(Owner::Kv);
  const bool fits = need + leased_pages_ <= quota &&
                    need + leased_pages_ <= pages_held_ + pool_.free_pages();
  if (!fits) {
    if (e != SlotIndex::kEmpty) drop(e, false);
    ++stats_.uncached;
    lease.cached = false;
    return lease;
  }
  if (e == SlotIndex::kEmpty) e = new_entry(u);
  entries_[e].leased = true;  // from here on never an eviction victim
  {
    Entry& en = entries_[e];
    en.start = start;
    en.tokens = reuse_tokens;  // only these are valid until commit
    if (reuse_tokens == 0) en.hash = 0;
    while (en.pages.size() > need) {  // a miss with a shorter window: give back the tail
      pool_.release(en.pages.back());
      en.pages.pop_back();
      --pages_held_;
    }
  }
  while (entries_[e].pages.size() < need) {
    const PageId p = pool_.acquire(Owner::Kv);
    if (p != kNoPage) {
      entries_[e].pages.push_back(p);
      ++pages_held_;
      continue;
    }
    HELM_CHECK(evict_lru(e), "user {}: no page and no victim despite the feasibility check", u);
  }
  Entry& en = entries_[e];
  unlink(e);
  push_mru(e);
  leased_pages_ += en.pages.size();
  lease.cached = true;
  lease.reuse_tokens = reuse_tokens;
  lease.view.layout = layout_;
  lease.view.pages.reserve(en.pages.size());
  for (PageId p : en.pages) {
    pool_.pin(p);
    lease.view.pages.push_back(reinterpret_cast<float*>(device_.page(p)));
  }
  stats_.token_hits += reuse_tokens;
  return lease;
}

void KvCache::commit(KvLease& lease, uint64_t new_hash) {
  HELM_CHECK(lease.open, "user {}: lease committed twice", lease.user);
  lease.open = false;
  if (!lease.cached) return;
  const uint32_t e = find(lease.user);
  HELM_CHECK(e != SlotIndex::kEmpty && entries_[e].leased, "user {}: no open lease", lease.user);
  Entry& en = entries_[e];
  unpin(en);
  en.start = lease.start;
  en.tokens = lease.total_tokens;
  en.hash = new_hash;
  en.committed = true;
}

void KvCache::abort(KvLease& lease) {
  HELM_CHECK(lease.open, "user {}: lease closed twice", lease.user);
  lease.open = false;
  if (!lease.cached) return;
  const uint32_t e = find(lease.user);
  HELM_CHECK(e != SlotIndex::kEmpty && entries_[e].leased, "user {}: no open lease", lease.user);
  unpin(entries_[e]);
  drop(e, false);
}

size_t KvCache::release_pages(size_t k) {
  const size_t before = pages_held_;
  while (before - pages_held_ < k && evict_lru(kNil)) {
  }
  return before - pages_held_;
}

std::vector<UserId> KvCache::lru_order() const {
  std::vector<UserId> out;
  for (uint32_t e = head_; e != kNil; e = entries_[e].next) out.push_back(entries_[e].user);
  return out;
}

void KvCache::unpin(Entry& en) {
  for (PageId p : en.pages) pool_.unpin(p);
  leased_pages_ -= en.pages.size();
  en.leased = false;
}

uint32_t KvCache::new_entry(UserId u) {
  uint32_t e;
  if (!free_entries_.empty()) {
    e = free_entries_.back();
    free_entries_.pop_back();
  } else {
    e = static_cast<uint32_t>(entries_.size());
    entries_.emplace_back();
  }
  entries_[e].user = u;
  index_.insert(static_cast<uint64_t>(u), e);
  push_mru(e);
  return e;
}

void KvCache::drop(uint32_t e, bool evicted) {
  Entry& en = entries_[e];
  HELM_CHECK(!en.leased, "user {} dropped while leased", en.user);
  if (evicted && en.committed && on_spill_) {
    spill_pages_.clear();
    for (PageId p : en.pages) spill_pages_.push_back(reinterpret_cast<float*>(device_.page(p)));
    on_spill_(en.user, KvProbe{true, en.start, en.tokens, en.hash}, spill_pages_);
  }
  for (PageId p : en.pages) pool_.release(p);
  pages_held_ -= en.pages.size();
  unlink(e);
  index_.erase(static_cast<uint64_t>(en.user),
               [this](uint32_t x) { return static_cast<uint64_t>(entries_[x].user); });
  const UserId u = en.user;
  const bool committed = en.committed;
  std::vector<PageId> keep = std::move(en.pages);
  keep.clear();
  en = Entry{};
  en.pages = std::move(keep);  // keep the capacity for the next user
  free_entries_.push_back(e);
  if (evicted) ++stats_.evictions;
  if (committed && on_evict_) on_evict_(u);
}

bool KvCache::evict_lru(uint32_t except) {
  for (uint32_t e = head_; e != kNil; e = entries_[e].next) {
    if (e == except || entries_[e].leased) continue;
    drop(e, true);
    return true;
  }
  return false;
}

void KvCache::unlink(uint32_t e) {
  Entry& en = entries_[e];
  (en.prev == kNil ? head_ : entries_[en.prev].next) = en.next;
  (en.next == kNil ? tail_ : entries_[en.next].prev) = en.prev;
  en.prev = en.next = kNil;
}

void KvCache::push_mru(uint32_t e) {
  Entry& en = entries_[e];
  en.prev = tail_;
  en.next = kNil;
  (tail_ == kNil ? head_ : entries_[tail_].next) = e;
  tail_ = e;
}

void KvCache::check() const {
  size_t pages = 0, leased = 0, users = 0, listed = 0;
  for (size_t e = 0; e < entries_.size(); ++e) {
    const Entry& en = entries_[e];
    if (en.user < 0) continue;
    ++users;
    HELM_CHECK(find(en.user) == e, "user {} not indexed", en.user);
    HELM_CHECK(en.pages.size() >= static_cast<size_t>(layout_.pages_for(en.tokens)),
               "user {}: {} pages for {} tokens", en.user, en.pages.size(), en.tokens);
    pages += en.pages.size();
    if (en.leased) leased += en.pages.size();
    for (PageId p : en.pages) {
      HELM_CHECK(pool_.owner(p) == Owner::Kv, "page {} of user {} not KV", p, en.user);
      HELM_CHECK(!en.leased || pool_.pinned(p), "leased page {} unpinned", p);
    }
  }
  for (uint32_t e = head_; e != kNil; e = entries_[e].next) ++listed;
  HELM_CHECK(users == index_.size() && users == listed, "users {} indexed {} listed {}", users,
             index_.size(), listed);
  HELM_CHECK(pages == pages_held_ && pages == pool_.count(Owner::Kv), "KV pages {} held {} pool {}",
             pages, pages_held_, pool_.count(Owner::Kv));
  HELM_CHECK(leased == leased_pages_, "leased pages {} != {}", leased, leased_pages_);
}

}  // namespace helm
