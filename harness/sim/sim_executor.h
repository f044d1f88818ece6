// The simulator's executor of one node: the same cache decisions as the real executor (through
// CacheResolver, on the real EmbCache/KvCache bookkeeping over a NullDevice: no bytes, so a
// node can have a 40 GiB pool), the same H2DLink timeline for miss waits, and service times
// from the cost model instead of the HSTU forward pass. Never reads a clock: `start` is the
// virtual time the batch starts, and every Outcome's finish is computed.
//
// The timing of a batch follows the real executor's order (hstu_executor.cpp):
//   prep  = host_ns(requests, history items, EMB hits, misses)        from `start`
//   ready = link.demand(start, missed bytes), then the host-tier K/V    (overlaps prep)
//   compute starts at max(start + prep, ready + wake if the link was the later), wake drawn
//   from the cost model's wake quantiles (this node's stream, `delay_seed`) or its wake_ns
//   finish = compute start + hstu_ns(batch work)
#pragma once
#include <functional>
#include <limits>
#include <memory>

#include "allocator/device.h"
#include "allocator/emb_cache.h"
#include "allocator/h2d_link.h"
#include "allocator/kv_cache.h"
#include "allocator/page_pool.h"
#include "common/rng.h"
#include "gr_model/cost_model.h"
#include "gr_model/delay_quantiles.h"
#include "harness/node/node_executor.h"
#include "harness/node/node_memory.h"
#include "harness/node/cache_resolver.h"

namespace helm {

class CostModelExecutor final : public NodeExecutor {
 public:
  // `table` only sizes the EMB rows (never read: no bytes). All references must outlive this.
  // opt.emb_sample not exact: the EMB cache is its miniature (harness/node/emb_sample.h).
  CostModelExecutor(const Trace& trace, const ModelConfig& cfg, const CostModel& cost,
                    const HostTable& table, const NodeOptions& opt, uint64_t delay_seed);
  int64_t estimate_tokens(int64_t request_id) override { return resolver_.estimate_tokens(request_id); }
  void execute(std::span<const Queued> batch, Nanos start, std::vector<Outcome>& out) override;
  LinkStats link_stats() const override { return link_.stats(); }
  double emb_share() const override { return pool_.emb_share(); }
  // The control loop (harness/node/node_memory.h), on virtual time: the driver calls these between
  // batches and at control ticks, exactly where the MPI worker does.
  void set_share(double r) override { memory_->apply_share(r); }
  void set_refill_scale(double s) override { memory_->apply_refill_scale(s); }
  void background(Nanos now) override { memory_->tick(now); }
  void fill_window(NodeWindowStats& w) override { memory_->fill(w); }
  NodeMemory& memory() { return *memory_; }
  const EmbCache& emb() const { return emb_; }
  const KvCache& kv() const { return kv_; }
  PagePool& pool() { return pool_; }
  KvProbe probe_kv(UserId u) const override { return kv_.probe(u); }
  void set_eviction_callback(std::function<void(UserId)> cb) override { kv_.set_eviction_callback(std::move(cb)); }

 private:
  const Trace& trace_;
  const ModelConfig& cfg_;
  const CostModel& cost_;
  NullDevice device_;
  PagePool pool_;
  // With --emb-sample: the sampled cache's rows (1/rate as large, emb_sample.h), else null.
  std::unique_ptr<GeneratedHostTable> sampled_table_;
  EmbCache emb_;  // after pool_: destroyed first, so pages go back to a live pool
  KvCache kv_;
  H2DLink link_;
  CacheResolver resolver_;
  DelaySource wake_;
  Rng spread_;  // this node's draws from the cost model's forward spread (one per batch)
  Nanos last_finish_ = std::numeric_limits<Nanos>::min() / 2;  // before the first batch: idle "forever"
  std::unique_ptr<NodeMemory> memory_;  // after the caches and the link it attaches to
  std::vector<Resolution> res_;
  std::vector<const float*> rows_;
  std::vector<std::array<int64_t, 3>> seqs_;  // {cached, new, candidates} of the batch
};

}  // namespace helm
