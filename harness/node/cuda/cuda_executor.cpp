#include "harness/node/cuda/cuda_executor.h"

#include <fmt/format.h>
#include <nvtx3/nvToolsExt.h>

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "common/error.h"
#include "gr_model/cuda/cuda_check.h"
#include "harness/node/cuda/gpu_probe.h"

namespace helm {
namespace {

// EmbCache reads missed rows through one HostTable: this one sends them to the demand source
// while a batch resolves and to the refill source while NodeMemory refills between batches, so
// each has its own staging and its own stream.
class RoutedRows final : public HostTable {
 public:
  RoutedRows(const HostTable& table, CudaRowSource& demand, CudaRowSource& refill)
      : table_(table), demand_(demand), refill_(refill) {}
  int64_t rows() const override { return table_.rows(); }
  int dim() const override { return table_.dim(); }
  const float* row_ptr(ItemId item) const override { return table_.row_ptr(item); }
  void read(ItemId item, float* dst) const override { (refill_mode ? refill_ : demand_).read(item, dst); }
  bool refill_mode = false;

 private:
  const HostTable& table_;
  CudaRowSource& demand_;
  CudaRowSource& refill_;
};

// An NVTX range for the scope (a profiler's timeline; free without one).
struct NvtxRange {
  explicit NvtxRange(const char* name) { nvtxRangePushA(name); }
  ~NvtxRange() { nvtxRangePop(); }
  NvtxRange(const NvtxRange&) = delete;
  NvtxRange& operator=(const NvtxRange&) = delete;
};

double ms_between(cudaEvent_t a, cudaEvent_t b) {
  float ms = 0;
  HELM_CUDA(cudaEventElapsedTime(&ms, a, b));
  return static_cast<double>(ms);
}

}  // namespace

struct CudaExecutor::Streams {
  cudaStream_t refill = nullptr;
  cudaEvent_t begin = nullptr, copies = nullptr, start = nullptr, end = nullptr, refilled = nullptr,
              spilled = nullptr;
  ~Streams() {
    for (cudaEvent_t e : {begin, copies, start, end, refilled, spilled})
      if (e) cudaEventDestroy(e);
    if (refill) {
      cudaStreamSynchronize(refill);
      cudaStreamDestroy(refill);
    }
  }
};

CudaExecutor::CudaExecutor(const Trace& trace, const ModelConfig& cfg, uint64_t weight_seed,
                           const NodeOptions& opt, const Clock& clock, int device,
                           CudaPrecision precision, int64_t max_batch_tokens)
    : trace_(trace), clock_(clock), opt_(opt), device_id_(device),
      weights_(random_weights(cfg, trace.items->num_items(), weight_seed)) {
  HELM_CHECK(device >= 0, "CudaExecutor: no GPU chosen for this rank");
  HELM_CUDA(cudaSetDevice(device));
  link_bytes_per_s_ = measure_h2d_bytes_per_s(device);
  HELM_CHECK(link_bytes_per_s_ > 0, "could not measure the host-to-device link of GPU {}", device);
  model_ = std::make_unique<CudaHstuModel>(weights_, precision, device);
  size_t pool_bytes = opt.pool_bytes;
  if (pool_bytes == 0) {
    size_t free_b = 0, total_b = 0;
    HELM_CUDA(cudaMemGetInfo(&free_b, &total_b));
    // Activations: the workspace's per-token buffers of the largest batch (x, LN, [U V Q K], O,
    // scratch K/V pages), bounded generously at 16 fp32 rows of the widest layer per token.
    const size_t widest = static_cast<size_t>(std::max(cfg.D, cfg.uvqk_width()));
    const size_t act = static_cast<size_t>(max_batch_tokens) * widest * sizeof(float) * 16;
    pool_bytes = default_pool_bytes(free_b, act, opt.page_bytes);
  }
  device_ = std::make_unique<CudaDevice>(pool_bytes, opt.page_bytes, device);
  pool_ = std::make_unique<PagePool>(device_->num_pages(), opt.emb_share);
  demand_rows_ = std::make_unique<CudaRowSource>(*weights_.E, *device_);
  refill_rows_ = std::make_unique<CudaRowSource>(*weights_.E, *device_);
  rows_ = std::make_unique<RoutedRows>(*weights_.E, *demand_rows_, *refill_rows_);
  emb_ = std::make_unique<EmbCache>(*pool_, *device_, *rows_);
  kv_ = std::make_unique<KvCache>(*pool_, *device_, model_->kv_layout(
      KvLayout::for_page(cfg.layers, cfg.heads, cfg.d_qk, cfg.d_v, opt.page_bytes, model_->kv_bytes_per_element())
          .tokens_per_page));
  link_ = std::make_unique<H2DLink>(link_bytes_per_s_, opt.link_latency);
  resolver_ = std::make_unique<CacheResolver>(trace_, cfg.N, opt.candidates, *emb_, *kv_, /*hash_prefixes=*/true);
  kv_copies_ = std::make_unique<PageCopyQueue>(
      [](size_t bytes) {
        void* p = nullptr;  // pinned: the copies are DMA and asynchronous
        HELM_CUDA(cudaHostAlloc(&p, bytes, cudaHostAllocPortable));
        return static_cast<std::byte*>(p);
      },
      [](std::byte* p) { cudaFreeHost(p); });
  memory_ = std::make_unique<NodeMemory>(*pool_, *emb_, *kv_, *link_, opt.page_bytes, opt.memory, kv_copies_.get());
  resolver_->set_host_tier(memory_->host());
  ws_ = std::make_unique<CudaWorkspace>(device);
  ws_->add_device_range(device_->base(), device_->bytes());  // hits are gathered in place
  st_ = std::make_unique<Streams>();
  int least = 0, greatest = 0;  // CUDA: a larger number is a lower priority
  HELM_CUDA(cudaDeviceGetStreamPriorityRange(&least, &greatest));
  HELM_CUDA(cudaStreamCreateWithPriority(&st_->refill, cudaStreamNonBlocking, least));
  for (cudaEvent_t* e : {&st_->begin, &st_->copies, &st_->start, &st_->end}) HELM_CUDA(cudaEventCreate(e));
  HELM_CUDA(cudaEventCreateWithFlags(&st_->refilled, cudaEventDisableTiming));
  HELM_CUDA(cudaEventCreateWithFlags(&st_->spilled, cudaEventDisableTiming));
  char bus[32] = {};
  if (cudaDeviceGetPCIBusId(bus, sizeof bus, device) == cudaSuccess) telemetry_ = GpuTelemetry::open(bus);
}

void CudaExecutor::fill_window(NodeWindowStats& w) {
  memory_->fill(w);
  const GpuSample g = telemetry_.sample();  // all -1 when NVML is not there
  w.gpu_power_w = g.power_w;
  w.gpu_sm_clock_mhz = g.sm_clock_mhz;
  w.gpu_mem_used_mib = g.mem_used_mib;
}

CudaExecutor::~CudaExecutor() {
  cudaSetDevice(device_id_);
  if (device_) device_->synchronize();
  st_.reset();
}

std::string CudaExecutor::describe() const {
  return fmt::format("cuda device {}: pool {} MiB ({} pages), precision {}, attention {}, h2d {:.1f} GB/s measured, "
                     "telemetry {}",
                     device_id_, device_->bytes() >> 20, device_->num_pages(), precision_name(model_->precision()),
                     model_->tensor_core_attention() ? "tensor cores" : "SIMT", link_bytes_per_s_ / 1e9,
                     telemetry_.available() ? "NVML" : telemetry_.why_unavailable());
}

int64_t CudaExecutor::estimate_tokens(int64_t id) { return resolver_->estimate_tokens(id); }

void CudaExecutor::set_share(double r) { memory_->apply_share(r); }  // naive: its rows are demand

void CudaExecutor::enqueue_kv_copies() {
  const cudaStream_t copy = device_->copy_stream();
  for (const PageCopy& c : kv_copies_->take())
    HELM_CUDA(cudaMemcpyAsync(c.dst, c.src, c.bytes, c.spill ? cudaMemcpyDeviceToHost : cudaMemcpyHostToDevice, copy));
}

void CudaExecutor::background(Nanos now) {
  HELM_CUDA(cudaSetDevice(device_id_));
  const NvtxRange range("refill");
  auto& routed = static_cast<RoutedRows&>(*rows_);
  routed.refill_mode = true;  // NodeMemory paces refill by --refill-share of the measured link
  memory_->tick(now);
  routed.refill_mode = false;
  // Spills of a KV shrink (here or in set_share): on the copy stream now, so the pages they read
  // are copied out before a refill (or the next batch's EMB rows) fills them.
  const bool spills = kv_copies_->pending() > 0;
  if (spills) {
    for (const PlanStep& s : plan_spills(static_cast<int64_t>(kv_copies_->pending()), static_cast<int64_t>(opt_.page_bytes))) {
      if (s.op == PlanOp::kv_pages) enqueue_kv_copies();
      if (s.op == PlanOp::record) HELM_CUDA(cudaEventRecord(st_->spilled, device_->copy_stream()));
    }
  }
  if (refill_rows_->pending() == 0) return;
  int64_t taken = 0;
  const auto rb = static_cast<int64_t>(weights_.E->row_bytes());
  const auto pending = static_cast<int64_t>(refill_rows_->pending());
  for (const PlanStep& s : plan_refill(pending, rb, pending * rb, &taken, spills)) {
    if (s.op == PlanOp::wait) HELM_CUDA(cudaStreamWaitEvent(st_->refill, st_->spilled, 0));
    if (s.op == PlanOp::refill_rows) refill_rows_->flush(st_->refill);
    if (s.op == PlanOp::record) HELM_CUDA(cudaEventRecord(st_->refilled, st_->refill));
  }
  refill_outstanding_ = true;
}

void CudaExecutor::execute(std::span<const Queued> batch, Nanos start, std::vector<Outcome>& out) {
  HELM_CUDA(cudaSetDevice(device_id_));
  const NvtxRange range("batch");
  const size_t first = out.size();
  out.resize(first + batch.size());
  res_.assign(batch.size(), Resolution{});
  std::vector<std::vector<const float*>> rows(batch.size());
  std::vector<std::vector<float>> scores(batch.size());
  int64_t h2d = 0, onboard = 0;
  for (size_t i = 0; i < batch.size(); ++i) {
    const Request& r = trace_.requests[static_cast<size_t>(batch[i].id)];
    Resolution& s = res_[i];
    resolver_->resolve(r, std::span<const Resolution>(res_.data(), i), s, rows[i]);
    record_resolution(out[first + i], s, r.id, start, static_cast<int32_t>(batch.size()));
    h2d += s.emb.h2d_bytes;
    onboard += s.onboard_bytes;
    scores[i].resize(static_cast<size_t>(s.candidates));
  }
  // The window's H2D accounting (the copies are real): EMB rows, and host-tier K/V onboarded.
  link_->demand(start, static_cast<size_t>(h2d));
  if (onboard > 0) link_->demand(start, static_cast<size_t>(onboard), LinkPurpose::kKvOnboard);

  std::vector<SeqInput> in(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) in[i] = seq_input(res_[i], rows[i], scores[i]);
  const cudaStream_t copy = device_->copy_stream(), compute = ws_->stream();
  BatchCopies b;
  b.emb_rows = static_cast<int64_t>(demand_rows_->pending());
  b.row_bytes = static_cast<int64_t>(weights_.E->row_bytes());
  b.kv_pages = static_cast<int64_t>(kv_copies_->pending());
  b.page_bytes = static_cast<int64_t>(opt_.page_bytes);
  b.refill_outstanding = refill_outstanding_;
  const Nanos gathered = clock_.now();  // the misses are in pinned staging (CPU work so far)
  HELM_CUDA(cudaEventRecord(st_->begin, copy));
  for (const PlanStep& p : plan_batch(b)) {
    switch (p.op) {
      case PlanOp::kv_pages: {
        const NvtxRange r("demand copies: host-tier K/V pages");
        enqueue_kv_copies();
        break;
      }
      case PlanOp::emb_rows: {
        const NvtxRange r("demand copies: EMB rows");
        demand_rows_->flush(copy);
        break;
      }
      case PlanOp::record:
        if (p.event == kDemandDone) HELM_CUDA(cudaEventRecord(st_->copies, copy));
        if (p.event == kComputeStart) HELM_CUDA(cudaEventRecord(st_->start, compute));
        if (p.event == kComputeEnd) HELM_CUDA(cudaEventRecord(st_->end, compute));
        break;
      case PlanOp::wait:
        HELM_CUDA(cudaStreamWaitEvent(compute, p.event == kDemandDone ? st_->copies : st_->refilled, 0));
        break;
      case PlanOp::forward: model_->forward(in, *ws_); break;  // returns with the scores on the host
      case PlanOp::refill_rows: throw std::logic_error("CudaExecutor: unexpected step in a batch plan");
    }
  }
  refill_outstanding_ = false;
  HELM_CUDA(cudaEventSynchronize(st_->end));  // already complete: forward drained its stream
  const Nanos finish = clock_.now();           // the end event's instant on the worker's clock
  const double copies_ms = ms_between(st_->begin, st_->copies);
  const double compute_ms = ms_between(st_->start, st_->end) - std::max(0.0, copies_ms - ms_between(st_->begin, st_->start));
  const auto forward = static_cast<Nanos>(std::max(0.0, compute_ms) * 1e6);
  int64_t computed = 0;
  seqs_.clear();
  for (const Resolution& s : res_) {
    computed += s.window - s.reuse;
    seqs_.push_back({s.reuse, s.window - s.reuse, s.candidates});
  }
  // What a KV hit saves (the mrc policy's input): the marginal recompute cost from --cost-model
  // or the start-up measurement, as on the CPU backend (harness/node/kv_hit_worth.h).
  memory_->observe_compute(opt_.kv_worth.recompute_ns(model_->config(), seqs_, computed, forward), computed);
  if (computed > 0) {
    const double x = static_cast<double>(forward) / static_cast<double>(computed);
    forward_per_token_ = forward_per_token_ == 0 ? x : 0.9 * forward_per_token_ + 0.1 * x;
  }
  resolver_->finish(res_);
  for (size_t i = 0; i < batch.size(); ++i) {
    out[first + i].finish = finish;
    out[first + i].link_wait = gathered - start + static_cast<Nanos>(copies_ms * 1e6);
  }
}

}  // namespace helm
