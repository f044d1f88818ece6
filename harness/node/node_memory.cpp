#include "harness/node/node_memory.h"

#include <algorithm>
#include <cmath>

namespace helm {

namespace {
RepartitionOptions sized(RepartitionOptions r, const NodeMemoryOptions& o, const H2DLink& link,
                         size_t row_bytes) {
  const double b = link.bytes_per_second() * static_cast<double>(o.refill_chunk_ns) / 1e9;
  r.refill.chunk_bytes = std::max(row_bytes, static_cast<size_t>(b) / row_bytes * row_bytes);
  if (o.emb_sample < 1) {
    // On a sampled stream every access of a sampled row is still seen, so windows R x as long
    // (in recorded accesses) span the same stretch of the exact stream and count each row alike.
    auto scaled = [&](auto n, auto least) {
      return std::max<decltype(n)>(least, static_cast<decltype(n)>(std::llround(o.emb_sample * double(n))));
    };
    r.refill.window_records = scaled(r.refill.window_records, uint64_t{1});
    r.refill.recent = scaled(r.refill.recent, size_t{1});
    r.refill.sketch_width = scaled(r.refill.sketch_width, size_t{64});
  }
  return r;
}
// The curves sample the EMB lookups at 10% of the exact stream (mrc_sampler.h): of an already
// sampled stream, that share of it (all of it below 10%); their hashes are independent of the
// miniature's.
constexpr double kEmbCurveRate = 0.1;
double curve_rate(const NodeMemoryOptions& o) { return std::min(1.0, kEmbCurveRate / o.emb_sample); }
}  // namespace

NodeMemory::NodeMemory(PagePool& pool, EmbCache& emb, KvCache& kv, H2DLink& link,
                       size_t page_bytes, const NodeMemoryOptions& opt, PageCopier* copier)
    : kv_(kv),
      link_(link),
      rep_(pool, emb, kv, &link, sized(opt.repartition, opt, link, emb.row_bytes())),
      row_bytes_(static_cast<double>(emb.row_bytes())),
      kv_bytes_per_token_(static_cast<double>(kv.layout().bytes_per_token())) {
  if (opt.host_kv_bytes > 0) {
    if (opt.bytes && !copier) copier = (memcpy_ = std::make_unique<MemcpyPageCopier>()).get();
    host_ = std::make_unique<HostKvTier>(opt.host_kv_bytes, kv.layout(), opt.bytes ? copier : nullptr);
    kv.set_spill_hook([this](UserId u, const KvProbe& p, std::span<float* const> pages) {
      host_->put(u, p.start, p.tokens, p.hash, pages);
    });
  }
  const double pool_bytes = static_cast<double>(pool.num_pages() * page_bytes);
  if (opt.curves) {
    mrc_ = std::make_unique<MrcTracker>(pool_bytes, curve_rate(opt));
    shadow_ = std::make_unique<EmbShadow>(curve_rate(opt), emb.sketch_width());
  }
  // The refill sketch listens to the raw ids, the curves to the cache's lookups.
  const bool refill = opt.repartition.mode == RepartitionMode::kBudgeted;
  // The curves' capacity axis is pool bytes, so each entry counts what it occupies in the pool:
  // a row its share of an EMB page (page_bytes / rows_per_page), a user's K/V whole KV pages of
  // tokens_per_page tokens each (a page's unused tail and a user's partly filled last page are
  // spent too; kuairand: 10 tokens of 6 KiB in a 64 KiB page, so bytes x tokens alone undercount
  // the space by 6.7% and put the KV knee below the split that really holds it).
  const double row_footprint = static_cast<double>(page_bytes) / static_cast<double>(std::max<size_t>(1, emb.rows_per_page()));
  const int64_t tokens_per_page = kv.layout().tokens_per_page;
  if (refill) emb.set_access_observer([this](std::span<const ItemId> ids) { rep_.record(ids); });
  // The curve sees what the cache counts: each distinct row once per batch.
  if (mrc_)
    emb.set_lookup_observer([this, &emb, row_footprint](std::span<const ItemId> ids) {
      // An EMB hit saves the row's copy over the link.
      const double saved = row_bytes_ / (link_.bytes_per_second() / 1e9);
      for (ItemId it : ids) mrc_->emb_access(it, row_footprint, saved);
      shadow_->set_capacity(emb.capacity_rows());
      for (ItemId it : ids) shadow_->lookup(it);
    });
  if (mrc_)
    kv.set_access_observer([this, page_bytes, tokens_per_page](UserId u, int64_t, int64_t tokens) {
      // A KV hit saves recomputing the cached tokens, or only copying them from the host tier.
      double per_token = ns_per_token_;
      if (host_) per_token = std::max(0.0, per_token - kv_bytes_per_token_ / (link_.bytes_per_second() / 1e9));
      const int64_t pages = (tokens + tokens_per_page - 1) / tokens_per_page;
      mrc_->kv_access(u, static_cast<double>(tokens), static_cast<double>(pages) * static_cast<double>(page_bytes),
                      per_token);
    });
}

void NodeMemory::observe_compute(Nanos ns, int64_t tokens) {
  if (tokens <= 0 || ns <= 0) return;
  const double x = static_cast<double>(ns) / static_cast<double>(tokens);
  ns_per_token_ = ns_per_token_ == 0 ? x : 0.9 * ns_per_token_ + 0.1 * x;
}

void NodeMemory::fill(NodeWindowStats& w) {
  if (mrc_) mrc_->fill(w);
  if (shadow_) w.emb_hit_predicted = shadow_->take_window_ratio();
}

}  // namespace helm
