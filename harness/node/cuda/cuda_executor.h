// The real executor of one worker node on a GPU (--backend cuda): the same bookkeeping as the
// CPU executor (CacheResolver, EmbCache, KvCache, NodeMemory over a PagePool), with the pool's
// bytes in HBM (CudaDevice), the HSTU forward of gr_model/cuda, and the copy/compute plan of
// node/copy_plan.h carried out on three streams:
//   copy     EMB miss rows, gathered from the host table into pinned staging (CudaRowSource);
//   refill   background EMB refill (NodeMemory's, within --refill-share of the link), at the
//            lowest stream priority and with its own staging, so demand never queues behind it;
//   compute  the forward (the workspace's stream), which waits on the device for both.
// Timing: CUDA events on the compute stream (start, end) and the copy stream (copies done),
// anchored to the worker's steady clock at the end of each batch (the forward returns once its
// scores are on the host, so that instant is the end event's). No cudaDeviceSynchronize.
// The link's bandwidth is measured here (pinned host-to-device copies) at construction.
// The host KV tier (--host-kv-mib): its pages live in pinned host memory; its spills and onboards
// are queued (node/page_copy_queue.h) and enqueued on the copy stream at the plan's kv_pages step,
// in issue order, before the batch's EMB rows; onboarded bytes are demand traffic on the link
// (kKvOnboard). Spills issued between batches (a KV shrink) are enqueued before any refill, which
// waits for them.
// Profiling: NVTX ranges "batch", "demand copies" and "refill" (nvtx3 is header-only; they cost
// nothing unless a profiler is attached), so nsys shows the host's side of the timeline.
// Threading: one thread (the worker's serving loop) calls everything.
#pragma once
#include <memory>
#include <string>

#include "allocator/cuda_device.h"
#include "allocator/emb_cache.h"
#include "allocator/h2d_link.h"
#include "allocator/kv_cache.h"
#include "allocator/page_pool.h"
#include "gr_model/cuda/cuda_model.h"
#include "harness/node/cache_resolver.h"
#include "harness/node/copy_plan.h"
#include "harness/node/gpu_telemetry.h"
#include "harness/node/node_executor.h"
#include "harness/node/node_memory.h"
#include "harness/node/page_copy_queue.h"

namespace helm {

class CudaExecutor final : public NodeExecutor {
 public:
  // opt.pool_bytes == 0: the pool from cudaMemGetInfo (default_pool_bytes). max_batch_tokens
  // sizes the activation estimate that the default leaves free.
  CudaExecutor(const Trace& trace, const ModelConfig& cfg, uint64_t weight_seed, const NodeOptions& opt,
               const Clock& clock, int device, CudaPrecision precision, int64_t max_batch_tokens);
  ~CudaExecutor() override;
  int64_t estimate_tokens(int64_t request_id) override;
  void execute(std::span<const Queued> batch, Nanos start, std::vector<Outcome>& out) override;
  LinkStats link_stats() const override { return link_->stats(); }
  double emb_share() const override { return pool_->emb_share(); }
  void set_share(double r) override;
  void set_refill_scale(double s) override { memory_->apply_refill_scale(s); }
  void background(Nanos now) override;
  void fill_window(NodeWindowStats& w) override;
  KvProbe probe_kv(UserId u) const override { return kv_->probe(u); }
  double kv_hit_ns_per_token() const override { return memory_->recompute_ns_per_token(); }
  double forward_ns_per_token() const override { return forward_per_token_; }
  void set_eviction_callback(std::function<void(UserId)> cb) override { kv_->set_eviction_callback(std::move(cb)); }

  double measured_link_bytes_per_s() const { return link_bytes_per_s_; }
  size_t pool_bytes() const { return device_->bytes(); }
  std::string describe() const;  // device, pool, precision, link: for the worker's log

 private:
  struct Streams;
  void enqueue_kv_copies();  // the queued host-tier copies, in order, on the copy stream
  const Trace& trace_;
  const Clock& clock_;
  NodeOptions opt_;
  int device_id_;
  double link_bytes_per_s_ = 0;
  Weights weights_;
  std::unique_ptr<CudaHstuModel> model_;
  std::unique_ptr<CudaDevice> device_;
  std::unique_ptr<PagePool> pool_;
  std::unique_ptr<CudaRowSource> demand_rows_, refill_rows_;
  std::unique_ptr<HostTable> rows_;  // routes EmbCache's reads to demand_rows_ or refill_rows_
  std::unique_ptr<EmbCache> emb_;
  std::unique_ptr<KvCache> kv_;
  std::unique_ptr<H2DLink> link_;
  std::unique_ptr<CacheResolver> resolver_;
  std::unique_ptr<PageCopyQueue> kv_copies_;  // the host tier's page copies (before memory_)
  std::unique_ptr<NodeMemory> memory_;
  std::unique_ptr<CudaWorkspace> ws_;
  std::unique_ptr<Streams> st_;
  std::vector<Resolution> res_;
  GpuTelemetry telemetry_;  // NVML power, SM clock, memory per window (-1 without a driver's NVML)
  bool refill_outstanding_ = false;
  std::vector<std::array<int64_t, 3>> seqs_;  // {cached, new, candidates} of the batch
  double forward_per_token_ = 0;              // EWMA as NodeMemory's, for comparison only
};

}  // namespace helm
