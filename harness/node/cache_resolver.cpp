#include "harness/node/cache_resolver.h"

#include <algorithm>

#include "gr_model/window.h"

namespace helm {

CacheResolver::CacheResolver(const Trace& trace, int N, int candidates, EmbCache& emb, KvCache& kv,
                             bool hash_prefixes)
    : trace_(trace), N_(N), candidates_(candidates), emb_(emb), kv_(kv), hash_(hash_prefixes) {}

int64_t CacheResolver::estimate_tokens(int64_t id) const {
  const auto& r = trace_.requests[static_cast<size_t>(id)];
  const int64_t s = window_start(r.history_len, N_), w = r.history_len - s;
  const KvProbe p = kv_.probe(r.user);
  const int64_t cached = (p.present && p.start == s && p.tokens <= w) ? p.tokens : 0;
  return (w - cached) + candidates_;
}

void CacheResolver::resolve(const Request& r, std::span<const Resolution> earlier, Resolution& s,
                            std::vector<const float*>& rows) {
  s.start = window_start(r.history_len, N_);
  s.window = r.history_len - s.start;
  const ItemId* win = nullptr;
  if (hash_) {  // the window only: a whole history can be thousands of positions longer
    trace_.items->history_range(r.user, s.start, r.history_len, hist_);
    win = hist_.data();
  }
  // A cached entry is reused only if its item ids are exactly a prefix of this window.
  const KvProbe p = kv_.probe(r.user);
  int64_t reuse = 0;
  if (p.present && p.start == s.start && p.tokens <= s.window && p.tokens > 0 &&
      (!hash_ || prefix_hash(win, p.tokens) == p.hash))
    reuse = p.tokens;
  // The same user twice in one batch: the later request runs uncached (its entry is leased).
  const bool repeat = std::any_of(earlier.begin(), earlier.end(),
                                  [&](const Resolution& o) { return o.lease.user == r.user; });
  if (!repeat) s.lease = kv_.acquire(r.user, s.start, reuse, s.window);
  s.reuse = s.lease.cached ? s.lease.reuse_tokens : 0;
  // A pool miss may still hit the host tier. Looked up after acquire(): acquire's evictions
  // spill other users into the tier (and may push this user's entry out of it), so the tier is
  // read in the state the lease left it in, the same way in both modes.
  if (host_ && s.lease.cached && s.reuse == 0) {
    const HostKvTier::Entry* h = host_->find(r.user);
    if (h && h->start == s.start && h->tokens > 0 && h->tokens <= s.window &&
        (!hash_ || prefix_hash(win, h->tokens) == h->hash)) {
      const int64_t t = h->tokens;
      s.onboard_bytes = static_cast<int64_t>(host_->take(r.user, t, s.lease.view));
      s.lease.reuse_tokens = t;  // the pages now hold them: commit keeps the whole window
      s.reuse = s.host_tokens = t;
    }
  }
  trace_.items->candidates(r, candidates_, cands_);
  s.candidates = static_cast<int64_t>(cands_.size());
  // Embedding rows only for the tokens that are computed.
  if (hash_) {
    s.window_hash = prefix_hash(win, s.window);
    ids_.assign(win + s.reuse, win + s.window);
  } else if (histories_ && !sample_.exact()) {  // the miniature's ids, without drawing the window
    ids_.clear();
    histories_->range(r.user, s.start + s.reuse, r.history_len, s.start, ids_);
  } else {
    trace_.items->history_range(r.user, s.start + s.reuse, r.history_len, ids_);
  }
  if (sample_.exact()) {
    ids_.insert(ids_.end(), cands_.begin(), cands_.end());
    emb_.lookup_batch(ids_, rows, s.emb);
    return;
  }
  if (!histories_ || hash_) sample_.filter(ids_);
  for (ItemId c : cands_)
    if (sample_.keep(c)) ids_.push_back(c);
  emb_.lookup_batch(ids_, rows, s.emb);
  sample_.scale(s.emb);
}

void CacheResolver::finish(std::span<Resolution> batch) {
  emb_.end_batch();
  for (auto& s : batch)
    if (s.lease.open) {
      if (s.lease.cached) kv_.commit(s.lease, s.window_hash);
      else kv_.abort(s.lease);
    }
}

}  // namespace helm
