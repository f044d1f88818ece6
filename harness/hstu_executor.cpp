#include "harness/hstu_executor.h"

#include <algorithm>
#include <thread>

#include "gr_model/window.h"

namespace helm {

struct HstuExecutor::Seq {
  Outcome* out = nullptr;
  KvLease lease;
  int64_t start = 0, window = 0, reuse = 0;
  std::vector<const float*> rows;  // new history tokens, then candidates
  std::vector<float> scores;
  uint64_t window_hash = 0;
};

HstuExecutor::HstuExecutor(const Trace& trace, const ModelConfig& cfg, uint64_t weight_seed,
                           const HstuExecutorOptions& opt, const Clock& clock)
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
}

int64_t HstuExecutor::estimate_tokens(int64_t id) {
  const auto& r = trace_.requests[static_cast<size_t>(id)];
  const int N = model_.config().N;
  const int64_t s = window_start(r.history_len, N), w = r.history_len - s;
  const KvProbe p = kv_->probe(r.user);
  const int64_t cached = (p.present && p.start == s && p.tokens <= w) ? p.tokens : 0;
  return (w - cached) + opt_.candidates;
}

void HstuExecutor::execute(std::span<const Queued> batch, Nanos start, std::vector<Outcome>& out) {
  const int N = model_.config().N;
  const size_t first = out.size();
  out.resize(first + batch.size());
  std::vector<Seq> seqs(batch.size());
  int64_t h2d = 0;
  for (size_t i = 0; i < batch.size(); ++i) {
    const Request& r = trace_.requests[static_cast<size_t>(batch[i].id)];
    Seq& s = seqs[i];
    Outcome& o = out[first + i];
    s.out = &o;
    o.id = r.id;
    o.start = start;
    o.batch_size = static_cast<int32_t>(batch.size());
    trace_.items->history(r.user, r.history_len, hist_);
    s.start = window_start(r.history_len, N);
    s.window = r.history_len - s.start;
    const ItemId* win = hist_.data() + s.start;
    // A cached entry is reused only if its item ids are exactly a prefix of this window.
    const KvProbe p = kv_->probe(r.user);
    int64_t reuse = 0;
    if (p.present && p.start == s.start && p.tokens <= s.window && p.tokens > 0 &&
        prefix_hash(win, p.tokens) == p.hash)
      reuse = p.tokens;
    // The same user twice in one batch: the later request runs uncached (its entry is leased).
    const bool repeat = std::any_of(seqs.begin(), seqs.begin() + static_cast<long>(i),
                                    [&](const Seq& o) { return o.lease.user == r.user; });
    if (!repeat) s.lease = kv_->acquire(r.user, s.start, reuse, s.window);
    s.reuse = s.lease.cached ? s.lease.reuse_tokens : 0;
    s.window_hash = prefix_hash(win, s.window);
    trace_.items->candidates(r, opt_.candidates, cands_);
    // Embedding rows only for the tokens that are computed.
    std::vector<ItemId> ids(win + s.reuse, win + s.window);
    ids.insert(ids.end(), cands_.begin(), cands_.end());
    EmbBatchStats st;
    emb_->lookup_batch(ids, s.rows, st);
    h2d += st.h2d_bytes;
    o.history_len = s.window;
    o.computed_tokens = s.window - s.reuse;
    o.kv_hit_tokens_pool = s.reuse;
    o.emb_lookups = st.lookups;
    o.emb_hits = st.hits;
    o.h2d_bytes = st.h2d_bytes;
    s.scores.resize(cands_.size());
  }
  // The batch cannot start before its missed rows are in the pool: that wait is the miss cost.
  const Nanos ready = link_.demand(start, static_cast<size_t>(h2d));
  while (clock_.now() < ready)
    std::this_thread::sleep_for(std::chrono::nanoseconds(std::min<Nanos>(ready - clock_.now(), 200'000)));

  std::vector<SeqInput> in(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    Seq& s = seqs[i];
    in[i].cached_len = static_cast<int>(s.reuse);
    in[i].new_tokens = static_cast<int>(s.window - s.reuse);
    in[i].num_candidates = static_cast<int>(s.scores.size());
    in[i].rows = s.rows.data();
    in[i].kv = s.lease.cached ? &s.lease.view : nullptr;
    in[i].scores = s.scores.data();
  }
  model_.forward(in, ws_);
  emb_->end_batch();
  const Nanos finish = clock_.now();
  for (size_t i = 0; i < batch.size(); ++i) {
    Seq& s = seqs[i];
    if (s.lease.open) {
      if (s.lease.cached) kv_->commit(s.lease, s.window_hash);
      else kv_->abort(s.lease);
    }
    s.out->finish = finish;
    s.out->link_wait = ready - start;
  }
}

}  // namespace helm
