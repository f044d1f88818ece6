#include "allocator/page_pool.h"

#include <cmath>

#include "common/error.h"

namespace helm {

PagePool::PagePool(size_t num_pages, double emb_share)
    : num_pages_(num_pages) {
  HELM_CHECK(num_pages > 0 && num_pages < kNoPage, "pool of {} pages", num_pages);
  count_[0] = num_pages;
  set_emb_share(emb_share);
}

void PagePool::set_emb_share(double r) {
  if (!(r >= 0.0 && r <= 1.0)) bad_input("--memory-policy: EMB share {} is outside [0, 1]", r);
  emb_share_ = r;
  emb_quota_ = static_cast<size_t>(std::llround(r * static_cast<double>(num_pages())));
}

PageId PagePool::acquire(Owner o) {
  HELM_CHECK(o != Owner::Free, "acquire for Free");
  if (count(o) >= quota(o) || count_[0] == 0) return kNoPage;
  PageId p;
  if (!free_.empty()) {
    p = free_.back();
    free_.pop_back();
  } else {  // the lowest page never handed out
    p = static_cast<PageId>(owner_.size());
    owner_.push_back(Owner::Free);
    pins_.push_back(0);
  }
  owner_[p] = o;
  --count_[0];
  ++count_[static_cast<int>(o)];
  return p;
}

void PagePool::release(PageId p) {
  HELM_CHECK(owner(p) != Owner::Free, "page {} released twice", p);
  HELM_CHECK(pins_[p] == 0, "page {} released while pinned ({} pins)", p, pins_[p]);
  --count_[static_cast<int>(owner_[p])];
  ++count_[0];
  owner_[p] = Owner::Free;
  free_.push_back(p);
}

void PagePool::unpin(PageId p) {
  HELM_CHECK(pins(p) > 0, "page {} unpinned more often than pinned", p);
  --pins_[p];
}

void PagePool::check() const {
  HELM_CHECK(owner_.size() == pins_.size() && owner_.size() <= num_pages_, "touched {} of {}",
             owner_.size(), num_pages_);
  size_t c[3] = {num_pages_ - owner_.size(), 0, 0};  // untouched pages are free
  for (size_t p = 0; p < owner_.size(); ++p) {
    ++c[static_cast<int>(owner_[p])];
    HELM_CHECK(owner_[p] != Owner::Free || pins_[p] == 0, "free page {} is pinned", p);
  }
  for (int i = 0; i < 3; ++i) HELM_CHECK(c[i] == count_[i], "owner {} count {} != {}", i, count_[i], c[i]);
  HELM_CHECK(c[0] + c[1] + c[2] == num_pages_, "EMB + KV + Free != pool");
  HELM_CHECK(free_.size() == c[0] - (num_pages_ - owner_.size()), "free list {} != released pages {}",
             free_.size(), c[0] - (num_pages_ - owner_.size()));
  for (PageId p : free_) HELM_CHECK(owner_[p] == Owner::Free, "page {} on free list is owned", p);
}

}  // namespace helm
