#include "allocator/repartition.h"

#include <algorithm>
#include <limits>

#include "common/error.h"

namespace helm {

RepartitionMode parse_repartition(std::string_view name) {
  if (name == "naive") return RepartitionMode::kNaive;
  if (name == "budgeted") return RepartitionMode::kBudgeted;
  bad_input("--repartition: '{}' is not naive or budgeted", name);
}

Repartitioner::Repartitioner(PagePool& pool, EmbCache& emb, KvCache& kv, H2DLink* link,
                             RepartitionOptions opt)
    : pool_(pool), emb_(emb), kv_(kv), opt_(opt) {
  HELM_CHECK(opt.slice_pages >= 1 && opt.scan_factor >= 1, "slice {} pages, scan x{}",
             opt.slice_pages, opt.scan_factor);
  if (opt.mode == RepartitionMode::kBudgeted) {
    HELM_CHECK(link != nullptr, "budgeted repartitioning needs the link");
    refill_ = std::make_unique<RefillPlanner>(emb, *link, opt.refill);
  }
}

size_t Repartitioner::pending() const {
  const size_t e = pool_.count(Owner::Emb), k = pool_.count(Owner::Kv);
  return (e > pool_.quota(Owner::Emb) ? e - pool_.quota(Owner::Emb) : 0) +
         (k > pool_.quota(Owner::Kv) ? k - pool_.quota(Owner::Kv) : 0);
}

size_t Repartitioner::release(size_t max_pages) {
  size_t done = 0;
  const size_t e = pool_.count(Owner::Emb), eq = pool_.quota(Owner::Emb);
  if (e > eq) {
    const size_t want = std::min(e - eq, max_pages);
    // Naive releases all at once from a full scan; budgeted scores a bounded sample per slice.
    const size_t scan = opt_.mode == RepartitionMode::kNaive ? 0 : want * opt_.scan_factor;
    const size_t got = emb_.release_pages(want, scan);
    stats_.pages_to_kv += static_cast<int64_t>(got);
    done += got;
  }
  const size_t k = pool_.count(Owner::Kv), kq = pool_.quota(Owner::Kv);
  if (k > kq) {
    const size_t got = kv_.release_pages(std::min(k - kq, max_pages));
    stats_.pages_to_emb += static_cast<int64_t>(got);
    done += got;
  }
  return done;
}

size_t Repartitioner::set_share(double r) {
  if (r == pool_.emb_share()) return 0;
  const bool emb_grows = r > pool_.emb_share();
  pool_.set_emb_share(r);
  ++stats_.changes;
  if (refill_ && emb_grows) refill_->replan();
  if (opt_.mode == RepartitionMode::kNaive) return release(std::numeric_limits<size_t>::max());
  return 0;  // budgeted: slices in tick()
}

void Repartitioner::tick(Nanos now) {
  if (pending() > 0) {
    const size_t slice = opt_.mode == RepartitionMode::kNaive ? std::numeric_limits<size_t>::max()
                                                               : opt_.slice_pages;
    if (release(slice) == 0) ++stats_.pinned_retries;
  }
  if (refill_) refill_->tick(now);
}

}  // namespace helm
