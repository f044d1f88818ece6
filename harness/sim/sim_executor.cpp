#include "harness/sim/sim_executor.h"

#include <algorithm>
#include <cmath>

namespace helm {

namespace {
std::unique_ptr<GeneratedHostTable> sampled_table(const HostTable& table, const EmbSample& s) {
  if (s.exact()) return nullptr;
  return std::make_unique<GeneratedHostTable>(table.rows(), s.sampled_dim, 0, 0.1f);
}
}  // namespace

CostModelExecutor::CostModelExecutor(const Trace& trace, const ModelConfig& cfg, const CostModel& cost,
                                     const HostTable& table, const NodeOptions& opt, uint64_t delay_seed)
    : trace_(trace),
      cfg_(cfg),
      cost_(cost),
      device_(opt.pool_bytes, opt.page_bytes),
      pool_(device_.num_pages(), opt.emb_share),
      sampled_table_(sampled_table(table, opt.emb_sample)),
      emb_(pool_, device_, sampled_table_ ? *sampled_table_ : table,
           opt.emb_sample.cache_options(device_.num_pages() * (opt.page_bytes / table.row_bytes()),
                                        static_cast<size_t>(table.rows()))),
      // K/V at the cost model's element size: fp32 on the CPU backend, bf16 on GPUs.
      kv_(pool_, device_,
          KvLayout::for_page(cfg.layers, cfg.heads, cfg.d_qk, cfg.d_v, opt.page_bytes,
                             static_cast<size_t>(cost.bytes_per_element))),
      link_(opt.link_bytes_per_s, opt.link_latency),
      resolver_(trace, cfg.N, opt.candidates, emb_, kv_, /*hash_prefixes=*/false),
      wake_(&cost.wake_quantiles, cost.wake_ns, delay_seed),
      spread_(stream_seed(delay_seed, "forward-spread")) {
  NodeMemoryOptions mo = opt.memory;
  mo.bytes = false;  // bookkeeping only: the host tier keeps no K/V bytes either
  memory_ = std::make_unique<NodeMemory>(pool_, emb_, kv_, link_, opt.page_bytes, mo);
  resolver_.set_host_tier(memory_->host());
  resolver_.set_emb_sample(opt.emb_sample, opt.emb_histories);
}

void CostModelExecutor::execute(std::span<const Queued> batch, Nanos start, std::vector<Outcome>& out) {
  const size_t first = out.size();
  out.resize(first + batch.size());
  res_.assign(batch.size(), Resolution{});
  HstuWork work;
  seqs_.clear();
  int64_t h2d = 0, onboard = 0, computed = 0, hist_items = 0, hits = 0, misses = 0;
  for (size_t i = 0; i < batch.size(); ++i) {
    const Request& r = trace_.requests[static_cast<size_t>(batch[i].id)];
    Resolution& s = res_[i];
    resolver_.resolve(r, std::span<const Resolution>(res_.data(), i), s, rows_);
    record_resolution(out[first + i], s, r.id, start, static_cast<int32_t>(batch.size()));
    h2d += s.emb.h2d_bytes;
    onboard += s.onboard_bytes;
    computed += s.window - s.reuse;
    hist_items += r.history_len;
    hits += s.emb.hits;
    misses += s.emb.misses;
    work.add(cfg_, s.reuse, s.window - s.reuse, s.candidates, cost_.bytes_per_element);
    seqs_.push_back({s.reuse, s.window - s.reuse, s.candidates});
  }
  resolver_.finish(res_);
  const Nanos prep_done = start + cost_.host_ns(static_cast<int64_t>(batch.size()), hist_items, hits, misses);
  // The same link order as the real executor: EMB rows, then host-tier K/V (both demand).
  Nanos ready = link_.demand(start, static_cast<size_t>(h2d));
  if (onboard > 0)
    ready = std::max(ready, link_.demand(start, static_cast<size_t>(onboard), LinkPurpose::kKvOnboard));
  const Nanos compute = ready > prep_done ? ready + wake_.next() : prep_done;
  // The forward's measured spread around its shape's time (when the cost model has one), and
  // the idle penalty of a batch after an idle spell (cold core and caches).
  Nanos forward = cost_.hstu_ns(cfg_, work);
  if (!cost_.forward_spread.empty())
    forward = static_cast<Nanos>(std::llround(static_cast<double>(forward) * cost_.forward_spread.quantile(spread_.uniform())));
  forward += cost_.idle_penalty(start - last_finish_);
  const Nanos finish = compute + forward;
  last_finish_ = finish;
  // What a KV hit saves (the mrc policy's input): the marginal cost of the computed history
  // tokens, not forward / computed (cost_model.h, recompute_ns).
  memory_->observe_compute(cost_.recompute_ns(cfg_, seqs_), computed);
  for (size_t i = 0; i < batch.size(); ++i) {
    out[first + i].finish = finish;
    out[first + i].link_wait = ready - start;
  }
}

}  // namespace helm
