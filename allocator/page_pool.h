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
// Page size: 64 KiB by default (PoolOptions). A 40 GiB pool is then 655,360 pages, so per-page
// bookkeeping (owner, pins, the caches' per-page arrays: ~20 bytes) costs ~13 MiB per node, cheap
// enough for 32+ simulated nodes in one process; 4 KiB pages would cost 16x that. Larger pages
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

  size_t num_pages() const { return owner_.size(); }
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

  Owner owner(PageId p) const { return owner_[p]; }
  void pin(PageId p) { ++pins_[p]; }
  void unpin(PageId p);
  uint32_t pins(PageId p) const { return pins_[p]; }
  bool pinned(PageId p) const { return pins_[p] != 0; }

  // Recounts everything; throws std::logic_error on a broken invariant. O(pages): tests only.
  void check() const;

 private:
  std::vector<Owner> owner_;
  std::vector<uint32_t> pins_;
  std::vector<PageId> free_;  // stack; pops the lowest ids first at the start
  size_t count_[3] = {0, 0, 0};
  double emb_share_ = 0;
  size_t emb_quota_ = 0;
};

}  // namespace helm
