// Miniature simulation of the EMB cache (`--emb-sample R`, sim only): Waldspurger et al.,
// "Cache Modeling and Optimization using Miniature Simulations", USENIX ATC'17 (spatial sampling
// as in SHARDS, FAST'15). A full-size KuaiRand request hands ~3,700 ids to the EMB cache, and
// exact per-id bookkeeping caps the simulator at a few thousand requests per second; on the
// sampled sub-stream the same rules run at R x the cost, and the counts are estimates.
//
// The rule (one owner: this file):
//   - an item id is in the sample iff hash64(id, salt) >> 32 < threshold, salt derived from the
//     run seed: every node sees the same sampled ids, every access of a sampled id is seen, and
//     runs with other seeds sample other ids (a sweep over seeds averages the sampling error too);
//   - the sampled cache holds R x the rows in the same EMB bytes (the pool split still decides
//     those): its rows are 1/R as large, so a page holds R x the rows. R is rounded so a page
//     holds a whole number of rows; `rate` is the rate in effect (rows per page of the sampled
//     cache / rows per page of the exact one), and it is what the ids are sampled at;
//   - every EMB count of a request (lookups, hits, misses, miss bytes) is the sampled count / rate:
//     an estimate of the full stream. The KV side is exact.
// rate == 1: no filter, no scaling, the exact code path.
#pragma once
#include <cstdint>
#include <vector>

#include "allocator/emb_cache.h"
#include "common/rng.h"

namespace helm {

struct EmbSample {
  double rate = 1;                         // in effect; 1 = exact
  uint64_t salt = 0;
  uint64_t threshold = uint64_t{1} << 32;  // on the hash's top 32 bits
  size_t row_bytes = 0;                    // an exact row (what one full-stream miss moves)
  int sampled_dim = 0;                     // floats in a sampled cache's row (0 when exact)

  bool exact() const { return rate >= 1; }
  bool keep(ItemId id) const { return (hash64(static_cast<uint64_t>(id), salt) >> 32) < threshold; }
  // Drops the ids outside the sample, keeping the order of the rest.
  void filter(std::vector<ItemId>& ids) const;
  // Sampled counts of one request -> estimates of its full-stream counts.
  void scale(EmbBatchStats& st) const;
  // Options of the sampled cache: its TinyLFU sketch R x as wide as the exact cache's and halved
  // after R x as many records, so a sampled row's counts age on the exact cache's clock.
  // exact_pool_rows: rows the pool could hold at exact row size; table_rows: the catalogue.
  EmbCacheOptions cache_options(size_t exact_pool_rows, size_t table_rows) const;
};

// The rule for a requested rate (0 < requested <= 1), EMB rows of `dim` floats on pages of
// `page_bytes`, and the run's seed.
EmbSample emb_sample(double requested, size_t page_bytes, int dim, uint64_t seed);

}  // namespace helm
