// Per-request cache resolution, shared by the real executor (hstu_executor.cpp, `run`) and the
// cost-model executor (sim_executor.cpp, `sim`), so both make the same decisions on the same
// request sequence: the history window (rebasing), the KV entry's prefix check, the lease, and
// the EMB lookups of exactly the tokens that will be computed plus the candidates.
//
// Per batch: resolve() each request in batch order, then finish() once after the compute.
// Ownership: the resolver holds references to the caches and the trace; one per node.
#pragma once
#include <span>
#include <vector>

#include "harness/node/emb_sample.h"
#include "harness/node/sampled_history.h"
#include "harness/node/node_runtime.h"
#include "allocator/emb_cache.h"
#include "allocator/host_kv_tier.h"
#include "allocator/kv_cache.h"
#include "gr_model/model.h"
#include "workloads/request.h"

namespace helm {

struct Resolution {
  KvLease lease;
  int64_t start = 0, window = 0;  // history window [start, start + window) of the request
  int64_t reuse = 0;              // cached K/V tokens used (the rest of the window is computed)
  int64_t host_tokens = 0;        // of `reuse`, onboarded from the host KV tier (0 or reuse)
  int64_t onboard_bytes = 0;      // their bytes: the caller reserves them on the link (kKvOnboard)
  int64_t candidates = 0;
  uint64_t window_hash = 0;       // committed with the lease (0 when prefixes are not hashed)
  EmbBatchStats emb;
};

// The part of a request's Outcome that its resolution decides (both executors report alike).
inline void record_resolution(Outcome& o, const Resolution& s, int64_t id, Nanos start,
                              int32_t batch_size) {
  o.id = id;
  o.start = start;
  o.batch_size = batch_size;
  o.history_len = s.window;
  o.computed_tokens = s.window - s.reuse;
  o.kv_hit_tokens_pool = s.reuse - s.host_tokens;
  o.kv_hit_tokens_host = s.host_tokens;
  o.emb_lookups = s.emb.lookups;
  o.emb_hits = s.emb.hits;
  o.h2d_bytes = s.emb.h2d_bytes + s.onboard_bytes;
}

// The forward's input for a resolved request (both executors): `rows` holds its embedding rows
// (history window, then candidates), `scores` its candidates' outputs.
inline SeqInput seq_input(Resolution& s, const std::vector<const float*>& rows, std::vector<float>& scores) {
  SeqInput in;
  in.cached_len = static_cast<int>(s.reuse);
  in.new_tokens = static_cast<int>(s.window - s.reuse);
  in.num_candidates = static_cast<int>(scores.size());
  in.rows = rows.data();
  in.kv = s.lease.cached ? &s.lease.view : nullptr;
  in.scores = scores.data();
  return in;
}

class CacheResolver {
 public:
  // hash_prefixes: true (run) fetches the whole history and verifies the cached prefix by hash;
  // false (sim) trusts the ItemSource's prefix-stability contract (request.h), fetches only the
  // items it computes, and decides identically for every source that keeps that contract
  // (tests/harness/test_sim_equivalence.cpp checks it against the hashing path).
  CacheResolver(const Trace& trace, int N, int candidates, EmbCache& emb, KvCache& kv, bool hash_prefixes);

  // Tokens the request would compute if run now (new history tokens + candidates).
  int64_t estimate_tokens(int64_t request_id) const;
  // Resolves `r` as the next request of the current batch; `earlier` are the resolutions of the
  // batch's requests before it. `rows` receives its embedding rows (computed tokens, then
  // candidates; nullptr entries on a device without bytes).
  void resolve(const Request& r, std::span<const Resolution> earlier, Resolution& out,
               std::vector<const float*>& rows);
  // After the batch ran: commit (or abort) the leases and unpin the EMB pages.
  void finish(std::span<Resolution> batch);

  // The host KV tier (`--host-kv-mib`), or null. On a pool miss (reuse 0) for a user the tier
  // holds with the same window start and a verified prefix (hash mode; sim trusts the contract,
  // as for the pool), the lease's first tokens are onboarded from it instead of recomputed.
  void set_host_tier(HostKvTier* host) { host_ = host; }
  // sim's EMB miniature (emb_sample.h): only sampled ids reach the cache (which must be the
  // sampled-size one), and each resolution's EMB counts are full-stream estimates. Exact by default.
  // `shared`, when given, serves the sampled ids of history windows (sampled_history.h).
  void set_emb_sample(const EmbSample& s, SampledHistories* shared = nullptr) {
    sample_ = s;
    histories_ = shared;
  }

  EmbCache& emb() { return emb_; }
  KvCache& kv() { return kv_; }

 private:
  const Trace& trace_;
  int N_, candidates_;
  EmbCache& emb_;
  KvCache& kv_;
  bool hash_;
  HostKvTier* host_ = nullptr;
  EmbSample sample_;
  SampledHistories* histories_ = nullptr;
  std::vector<ItemId> hist_, cands_, ids_;
};

}  // namespace helm
