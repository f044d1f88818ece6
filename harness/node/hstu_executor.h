// The real executor of one worker node (CPU backend): per batch it resolves each request's KV
// cache entry (prefix-verified), fetches the embedding rows of every token it must compute
// through the EMB cache, waits for the missed rows on the emulated host-to-device link, runs
// the HSTU forward pass, and commits the new K/V.
#pragma once
#include <memory>

#include "allocator/device.h"
#include "allocator/emb_cache.h"
#include "allocator/h2d_link.h"
#include "allocator/kv_cache.h"
#include "allocator/page_pool.h"
#include "gr_model/model.h"
#include "harness/node/node_executor.h"
#include "harness/node/node_memory.h"
#include "harness/node/cache_resolver.h"

namespace helm {

class HstuExecutor final : public NodeExecutor {
 public:
  HstuExecutor(const Trace& trace, const ModelConfig& cfg, uint64_t weight_seed,
               const NodeOptions& opt, const Clock& clock);
  int64_t estimate_tokens(int64_t request_id) override;
  void execute(std::span<const Queued> batch, Nanos start, std::vector<Outcome>& out) override;
  LinkStats link_stats() const override { return link_.stats(); }
  double emb_share() const override { return pool_.emb_share(); }
  void set_share(double r) override { memory_->apply_share(r); }
  void set_refill_scale(double s) override { memory_->apply_refill_scale(s); }
  void background(Nanos now) override { memory_->tick(now); }
  void fill_window(NodeWindowStats& w) override { memory_->fill(w); }
  double kv_hit_ns_per_token() const override { return memory_->recompute_ns_per_token(); }
  double forward_ns_per_token() const override { return forward_per_token_; }
  const NodeMemory& memory() const { return *memory_; }
  const EmbCache& emb() const { return *emb_; }
  const KvCache& kv() const { return *kv_; }
  KvProbe probe_kv(UserId u) const override { return kv_->probe(u); }
  void set_eviction_callback(std::function<void(UserId)> cb) override { kv_->set_eviction_callback(std::move(cb)); }

 private:
  const Trace& trace_;
  const Clock& clock_;
  NodeOptions opt_;
  Weights weights_;
  HstuModel model_;
  CpuDevice device_;
  PagePool pool_;
  std::unique_ptr<EmbCache> emb_;
  std::unique_ptr<KvCache> kv_;
  H2DLink link_;
  std::unique_ptr<CacheResolver> resolver_;  // the cache decisions, shared with `sim`
  std::unique_ptr<NodeMemory> memory_;       // split changes, refill, host tier (after the link)
  Workspace ws_;
  std::vector<Resolution> res_;
  std::vector<std::array<int64_t, 3>> seqs_;  // {cached, new, candidates} of the batch
  double forward_per_token_ = 0;              // EWMA as NodeMemory's, for comparison only
};

}  // namespace helm
