// One device pool of fixed-size pages shared by the two caches (EMB rows, per-user KV).
// Pure bookkeeping: no bytes (those live in a Device), so the simulator runs it unchanged.
//
// Invariants (check() verifies them):
//  - every page has exactly one owner: Free, Emb or Kv; count(Emb) + count(Kv) + count(Free)
//    == num_pages() after every operation;
//  - a cache grows only through acquire(), which refuses past the owner's quota;
//  - a pinned page (pins > 0) is in use by an in-flight batch: it is never released, evicted
//    or moved. Pins nest; whoever pins unpins.
// Quotas: set_emb_share(r) makes quota(Emb) = round(r * pages) and quota(Kv) the rest. Lowering a
// quota never takes pages away by itself: the cache over quota stops growing, and a
// repartitioner calls its release_pages() to give pages back.
//
// Memory follows the pages ever handed out, not the pool's size: pages are handed out lowest id
// first, so the ones never acquired are exactly [touched, num_pages) and need no entry (an 80 GiB
// simulated pool that a run fills to 2 GiB costs the bookkeeping of 2 GiB). The free list holds
// only released pages, on top of that untouched range: acquire() pops the last released page,
// else the lowest untouched one, the same order as one stack of every free page would give.
//
// Page size: 64 KiB by default (PoolOptions). A 40 GiB pool is then 655,360 pages, so per-page
// bookkeeping (owner, pins, the caches' per-page arrays: ~20 bytes) costs at most ~13 MiB per
// node, cheap enough for 32+ simulated nodes in one process; 4 KiB pages would cost 16x that. Larger pages
// waste more where a page is partly used: each resident user's last KV page is half empty on
// average (32 KiB at 64 KiB pages vs 1 MiB at 2 MiB pages: 1 GiB for 1000 users), and since an
// embedding row never straddles two pages, each EMB page wastes page_bytes % row_bytes (< one row).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "allocator/device.h"

namespace helm {

enum class Owner : uint8_t { Free = 0, Emb = 1, Kv = 2 };

class PagePool {
 public:
  explicit PagePool(size_t num_pages, double emb_share = 0.5);

  size_t num_pages() const { return num_pages_; }
  // r in [0, 1] (else BadInput). Quotas only; see the header comment.
  void set_emb_share(double r);
  double emb_share() const { return emb_share_; }
  size_t quota(Owner o) const { return o == Owner::Emb ? emb_quota_ : num_pages() - emb_quota_; }
  size_t count(Owner o) const { return count_[static_cast<int>(o)]; }
  size_t free_pages() const { return count(Owner::Free); }

  // A free page for `o` (Emb or Kv), or kNoPage when o is at its quota or no page is free.
  PageId acquire(Owner o);
  // Gives an unpinned page back to Free.
  void release(PageId p);

  Owner owner(PageId p) const { return p < owner_.size() ? owner_[p] : Owner::Free; }
  void pin(PageId p) { ++pins_[p]; }  // p must be owned (acquired and not released)
  void unpin(PageId p);
  uint32_t pins(PageId p) const { return p < pins_.size() ? pins_[p] : 0; }
  bool pinned(PageId p) const { return pins(p) != 0; }
  size_t touched_pages() const { return owner_.size(); }  // ever acquired: [0, touched)

  // Recounts everything; throws std::logic_error on a broken invariant. O(pages): tests only.
  void check() const;

 private:
  size_t num_pages_;
  std::vector<Owner> owner_;     // pages [0, touched): the rest are Free and unpinned
  std::vector<uint32_t> pins_;
  std::vector<PageId> free_;     // released pages (a stack) above the untouched range
  size_t count_[3] = {0, 0, 0};
  double emb_share_ = 0;
  size_t emb_quota_ = 0;
};

}  // namespace helm
