// EMB cache hit path: lookups per second of EmbCache::lookup_batch (+ end_batch) over batches of
// 64 distinct resident rows, against the textbook reference (std::unordered_map to std::list
// iterators, move-to-front on every hit) doing the same lookups, in the same binary.
// Arg: resident rows. Goal: EmbCache >= 3x the reference; bookkeeping-only (NullDevice) is the
// simulator's rate (its target later: 30M lookups/s per core).
#include <benchmark/benchmark.h>

#include <list>
#include <memory>
#include <unordered_map>
#include <vector>

#include "allocator/emb_cache.h"
#include "common/rng.h"

namespace helm {
namespace {

constexpr int kDim = 64;  // 256-byte rows: 256 rows per 64 KiB page
constexpr size_t kPage = size_t{64} << 10;
constexpr int kBatch = 64;

// 1024 batches of kBatch distinct ids in [0, resident).
std::vector<std::vector<ItemId>> make_batches(int64_t resident) {
  Rng rng(stream_seed(1, "bench_emb_cache"));
  std::vector<std::vector<ItemId>> out(1024);
  for (auto& b : out) {
    while (b.size() < kBatch) {
      const auto it = static_cast<ItemId>(rng.below(static_cast<uint64_t>(resident)));
      bool dup = false;
      for (ItemId x : b) dup |= x == it;
      if (!dup) b.push_back(it);
    }
  }
  return out;
}

void run_emb_cache(benchmark::State& state, bool bytes) {
  const int64_t resident = state.range(0);
  GeneratedHostTable table(4 * resident, kDim, 3, 1.0f);
  const size_t pages = static_cast<size_t>(resident * kDim * 4) / kPage + 2;
  std::unique_ptr<Device> dev;
  if (bytes) dev = std::make_unique<CpuDevice>(pages * kPage, kPage);
  else dev = std::make_unique<NullDevice>(pages * kPage, kPage);
  PagePool pool(pages, 1.0);
  EmbCache cache(pool, *dev, table);
  std::vector<const float*> rows;
  EmbBatchStats st;
  for (ItemId i = 0; i < resident; i += kBatch) {  // warm: every row resident
    std::vector<ItemId> b;
    for (ItemId j = i; j < std::min<ItemId>(i + kBatch, resident); ++j) b.push_back(j);
    cache.lookup_batch(b, rows, st);
    cache.end_batch();
  }
  if (static_cast<int64_t>(cache.resident_rows()) != resident) state.SkipWithError("not warm");
  const auto batches = make_batches(resident);
  st = {};
  size_t k = 0;
  for (auto _ : state) {
    cache.lookup_batch(batches[k], rows, st);
    benchmark::DoNotOptimize(rows.data());
    cache.end_batch();
    k = (k + 1) & 1023;
  }
  if (st.hits != st.lookups) state.SkipWithError("a lookup missed");
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * kBatch);
}

void BM_EmbCache(benchmark::State& state) { run_emb_cache(state, true); }
void BM_EmbCacheBookkeepingOnly(benchmark::State& state) { run_emb_cache(state, false); }

// The reference: an LRU of rows in a contiguous buffer, map + list, move-to-front per hit.
void BM_ReferenceMapListLru(benchmark::State& state) {
  const int64_t resident = state.range(0);
  struct Entry {
    ItemId item;
    const float* row;
  };
  std::vector<float> buffer(static_cast<size_t>(resident) * kDim);
  std::list<Entry> lru;
  std::unordered_map<ItemId, std::list<Entry>::iterator> index;
  index.reserve(static_cast<size_t>(resident));
  for (ItemId i = 0; i < resident; ++i) {
    lru.push_front({i, buffer.data() + i * kDim});
    index.emplace(i, lru.begin());
  }
  const auto batches = make_batches(resident);
  std::vector<const float*> rows(kBatch);
  int64_t hits = 0;
  size_t k = 0;
  for (auto _ : state) {
    const auto& b = batches[k];
    for (size_t i = 0; i < b.size(); ++i) {
      auto it = index.find(b[i]);
      if (it == index.end()) continue;
      lru.splice(lru.begin(), lru, it->second);
      rows[i] = it->second->row;
      ++hits;
    }
    benchmark::DoNotOptimize(rows.data());
    k = (k + 1) & 1023;
  }
  if (hits != static_cast<int64_t>(state.iterations()) * kBatch) state.SkipWithError("miss");
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * kBatch);
}

BENCHMARK(BM_EmbCache)->Arg(4096)->Arg(1 << 18)->Arg(1 << 20);
BENCHMARK(BM_EmbCacheBookkeepingOnly)->Arg(4096)->Arg(1 << 18)->Arg(1 << 20);
BENCHMARK(BM_ReferenceMapListLru)->Arg(4096)->Arg(1 << 18)->Arg(1 << 20);

}  // namespace
}  // namespace helm

BENCHMARK_MAIN();
