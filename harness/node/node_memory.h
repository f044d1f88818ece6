// One node's memory control, shared by both drivers (`run`'s HstuExecutor, `sim`'s executor):
// repartitioning (naive or budgeted, with background refill), the host KV tier, and the
// miss-ratio curves `mrc` reads. It attaches to the node's caches through their observer and
// spill hooks, so the request path needs no change beyond what NodeMemory documents.
//
// The control loop, per node (run: worker + rank 0; sim: the driver on virtual time):
//   every interval:  w = the window's NodeWindowStats;  memory.fill(w)   (curves, if wanted)
//                    d = controller.decide(w)           (controller/node_controller.h)
//                    memory.apply_share(step_toward(memory.share(), d.target, max_step))
//   between batches: memory.tick(now)   (pending page releases, refill chunks on the link)
//   after a batch:   memory.observe_compute(recompute_ns, computed_tokens)  (KV hit worth)
// Single-threaded: the node's own loop calls everything, never inside a batch.
#pragma once
#include <memory>

#include "allocator/emb_shadow.h"
#include "allocator/h2d_link.h"
#include "allocator/host_kv_tier.h"
#include "allocator/repartition.h"
#include "controller/mrc_sampler.h"
#include "controller/window.h"

namespace helm {

struct NodeMemoryOptions {
  RepartitionOptions repartition;
  size_t host_kv_bytes = 0;  // --host-kv-mib; 0 = no host tier
  bool curves = false;       // collect miss-ratio curves (the policy needs them)
  bool bytes = true;         // the device holds bytes (the host tier copies K/V); false in sim
  // A refill chunk occupies the link this long at most (its bytes follow from the link's rate):
  // the longest a demand miss waits behind background refill.
  Nanos refill_chunk_ns = 200'000;
  // The rate the EMB cache's id stream is already sampled at (sim's miniature, emb_sample.h):
  // the refill planner's windows and the curves' own sampling are scaled by it, so they see the
  // same share of the exact stream over the same span of it.
  double emb_sample = 1;
};

class NodeMemory {
 public:
  // `copier`: how the host tier's pages cross (outlives this), or nullptr for memcpy (the pool
  // in host memory). Unused without a host tier or without bytes.
  NodeMemory(PagePool& pool, EmbCache& emb, KvCache& kv, H2DLink& link, size_t page_bytes,
             const NodeMemoryOptions& opt, PageCopier* copier = nullptr);
  // The split from the control loop (already limited by --max-step).
  void apply_share(double r) { rep_.set_share(r); }
  double share() const { return rep_.share(); }
  // The refill throttle from the control loop (ControlDecision::refill_scale).
  void apply_refill_scale(double s) { rep_.set_refill_throttle(s); }
  void tick(Nanos now) { rep_.tick(now); }
  // A batch computed `tokens` K/V tokens, and computing them cost `ns` (sim: the marginal cost,
  // CostModel::recompute_ns; run: the whole forward, an upper bound): what recomputing a token
  // costs (EWMA), which is what a KV hit saves.
  void observe_compute(Nanos ns, int64_t tokens);
  // Miss-ratio curves into w, and the window's predicted EMB hit rate (when collected).
  void fill(NodeWindowStats& w);
  HostKvTier* host() { return host_.get(); }
  const Repartitioner& repartitioner() const { return rep_; }
  double recompute_ns_per_token() const { return ns_per_token_; }

 private:
  KvCache& kv_;
  H2DLink& link_;
  Repartitioner rep_;
  std::unique_ptr<MemcpyPageCopier> memcpy_;  // before host_: the tier frees its pages through it
  std::unique_ptr<HostKvTier> host_;
  std::unique_ptr<MrcTracker> mrc_;
  std::unique_ptr<EmbShadow> shadow_;  // with the curves: predicts emb_hit_predicted
  double row_bytes_, kv_bytes_per_token_;
  double ns_per_token_ = 0;  // 0 until a batch has been seen
};

}  // namespace helm
