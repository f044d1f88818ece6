#include "harness/node/hstu_executor.h"

#include <algorithm>
#include <thread>

namespace helm {

HstuExecutor::HstuExecutor(const Trace& trace, const ModelConfig& cfg, uint64_t weight_seed,
                           const NodeOptions& opt, const Clock& clock)
    : trace_(trace),
      clock_(clock),
      opt_(opt),
      weights_(random_weights(cfg, trace.items->num_items(), weight_seed)),
      model_(weights_),
      device_(opt.pool_bytes, opt.page_bytes),
      pool_(device_.num_pages(), opt.emb_share),
      link_(opt.link_bytes_per_s, opt.link_latency) {
  emb_ = std::make_unique<EmbCache>(pool_, device_, *weights_.E);
  kv_ = std::make_unique<KvCache>(
      pool_, device_, KvLayout::for_page(cfg.layers, cfg.heads, cfg.d_qk, cfg.d_v, opt.page_bytes));
  resolver_ = std::make_unique<CacheResolver>(trace_, cfg.N, opt.candidates, *emb_, *kv_,
                                              /*hash_prefixes=*/true);
  memory_ = std::make_unique<NodeMemory>(pool_, *emb_, *kv_, link_, opt.page_bytes, opt.memory);
  resolver_->set_host_tier(memory_->host());
  // The workspace for the largest batch the batcher forms, allocated before serving: up to
  // max_requests sequences whose computed tokens reach max_tokens (a single longer request runs
  // alone, and no request computes more than its window). Otherwise the worker's memory grows
  // with the load that first fills a batch, and that batch pays the page faults.
  const int seqs = std::max(1, opt.batching.max_requests);
  const int64_t window = cfg.history_cap();
  const int64_t hist = std::min<int64_t>(seqs * window, std::max<int64_t>(opt.batching.max_tokens, window));
  model_.reserve(ws_, seqs, static_cast<int>(hist), seqs * opt.candidates, kv_->layout().tokens_per_page);
}

int64_t HstuExecutor::estimate_tokens(int64_t id) { return resolver_->estimate_tokens(id); }

void HstuExecutor::execute(std::span<const Queued> batch, Nanos start, std::vector<Outcome>& out) {
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
  // The batch cannot start before its missed rows are in the pool: that wait is the miss cost.
  // Host-tier K/V onboarding is demand traffic too, after the EMB rows on the same link.
  Nanos ready = link_.demand(start, static_cast<size_t>(h2d));
  if (onboard > 0) ready = std::max(ready, link_.demand(start, static_cast<size_t>(onboard), LinkPurpose::kKvOnboard));
  while (clock_.now() < ready)
    std::this_thread::sleep_for(std::chrono::nanoseconds(std::min<Nanos>(ready - clock_.now(), 200'000)));

  std::vector<SeqInput> in(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) in[i] = seq_input(res_[i], rows[i], scores[i]);
  const Nanos compute_start = clock_.now();
  model_.forward(in, ws_);
  const Nanos finish = clock_.now();
  int64_t computed = 0;
  seqs_.clear();
  for (const Resolution& s : res_) {
    computed += s.window - s.reuse;
    seqs_.push_back({s.reuse, s.window - s.reuse, s.candidates});
  }
  // What a KV hit saves (the mrc policy's input): the marginal recompute cost, as in sim, not the
  // whole forward / computed tokens (harness/node/kv_hit_worth.h).
  memory_->observe_compute(opt_.kv_worth.recompute_ns(model_.config(), seqs_, computed, finish - compute_start),
                           computed);
  if (computed > 0) {
    const double x = static_cast<double>(finish - compute_start) / static_cast<double>(computed);
    forward_per_token_ = forward_per_token_ == 0 ? x : 0.9 * forward_per_token_ + 0.1 * x;
  }
  resolver_->finish(res_);
  for (size_t i = 0; i < batch.size(); ++i) {
    out[first + i].finish = finish;
    out[first + i].link_wait = ready - start;
  }
}

}  // namespace helm
