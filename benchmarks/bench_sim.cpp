// The simulator's speed (its goals, stated in both units):
//  - cache lookups per wall-clock second through the real bookkeeping: EmbCache::lookup_batch
//    on a NullDevice 40 GiB pool, batches of 28 ids (20 candidates + 8 new items, ml-20m's
//    shape) drawn Zipf(1.13) over ml-20m's 26.7K items; reference: std::unordered_map::find on
//    the same ids in the same binary. Goal 30M lookups/s on one core.
//  - simulated requests per wall-clock second: `sim` on the ml-20m profile at 32 nodes (40 GiB
//    NullDevice pools) on the a100-80gb cost model. Goal 1M requests/s. And 1024 nodes must run
//    (pools of 1 GiB there: see the memory note printed with it).
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <cmath>
#include <unordered_map>

#include "allocator/emb_cache.h"
#include "common/rng.h"
#include "harness/sim/sim_driver.h"

namespace helm {
namespace {

constexpr int64_t kItems = 26744;  // ml-20m's catalogue
constexpr int kBatch = 28;

std::vector<ItemId> zipf_ids(size_t n) {
  std::vector<double> cdf(kItems);
  double s = 0;
  for (int64_t i = 0; i < kItems; ++i) cdf[i] = s += std::pow(double(i + 1), -1.13);
  Rng rng(stream_seed(1, "bench_sim"));
  std::vector<ItemId> ids(n);
  for (auto& id : ids)
    id = std::lower_bound(cdf.begin(), cdf.end(), rng.uniform() * s) - cdf.begin();
  return ids;
}

void BM_EmbLookupsNullDevice40GiB(benchmark::State& state) {
  const size_t page = size_t{64} << 10, pool_bytes = size_t{40} << 30;
  GeneratedHostTable table(kItems, 256, 1, 0.1f);
  NullDevice dev(pool_bytes, page);
  PagePool pool(dev.num_pages(), 0.5);
  EmbCache cache(pool, dev, table);
  const auto ids = zipf_ids(1 << 20);
  std::vector<const float*> rows;
  EmbBatchStats st;
  for (size_t i = 0; i + kBatch <= ids.size(); i += kBatch) {  // warm
    cache.lookup_batch(std::span(ids.data() + i, kBatch), rows, st);
    cache.end_batch();
  }
  size_t i = 0;
  int64_t n = 0;
  for (auto _ : state) {
    cache.lookup_batch(std::span(ids.data() + i, kBatch), rows, st);
    cache.end_batch();
    n += kBatch;
    i = i + 2 * kBatch <= ids.size() ? i + kBatch : 0;
  }
  state.counters["lookups/s"] = benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EmbLookupsNullDevice40GiB);

void BM_ReferenceUnorderedMapFind(benchmark::State& state) {
  std::unordered_map<ItemId, uint32_t> m;
  for (int64_t i = 0; i < kItems; ++i) m[i] = static_cast<uint32_t>(i);
  const auto ids = zipf_ids(1 << 20);
  size_t i = 0;
  int64_t n = 0;
  uint64_t sink = 0;
  for (auto _ : state) {
    for (int k = 0; k < kBatch; ++k) sink += m.find(ids[i + k])->second;
    n += kBatch;
    i = i + 2 * kBatch <= ids.size() ? i + kBatch : 0;
  }
  benchmark::DoNotOptimize(sink);
  state.counters["lookups/s"] = benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ReferenceUnorderedMapFind);

// Args: nodes, pool MiB per node, cluster qps, seconds of arrivals.
void BM_SimMl20m(benchmark::State& state) {
  RunOptions o;
  o.dataset = "ml-20m";
  o.model = "ml-20m";
  o.pool_mib = static_cast<double>(state.range(1));
  o.qps = static_cast<double>(state.range(2));
  o.duration_s = static_cast<double>(state.range(3));
  o.warmup_s = 1;
  const RunContext ctx = build_run_context(o, "");
  const CostModel cost = load_cost_model(resolve_cost_model("a100-80gb"));
  SimOptions so;
  so.nodes = static_cast<int>(state.range(0));
  so.link_bytes_per_s = cost.link_bytes_per_s;
  so.link_latency = static_cast<Nanos>(cost.link_latency_ns);
  double reqs = 0, wall = 0;
  SimResult r;
  for (auto _ : state) {
    r = simulate(ctx, cost, so);
    reqs += static_cast<double>(r.rows.size());
    wall += r.wall_s;
  }
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  state.counters["requests"] = static_cast<double>(r.rows.size());
  state.counters["sim_requests/s"] = reqs / wall;
  state.counters["emb_hit"] = r.end.summary.emb_hit_rate;
  state.counters["kv_hit"] = r.end.summary.kv_hit_rate;
  state.counters["p99_ms"] = static_cast<double>(r.end.summary.p99.value) / 1e6;
  state.counters["maxrss_MiB"] = static_cast<double>(ru.ru_maxrss) / 1024;
}
BENCHMARK(BM_SimMl20m)->Args({32, 40 << 10, 32 * 500, 30})->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SimMl20m)->Args({1024, 1 << 10, 1024 * 20, 10})->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace helm

BENCHMARK_MAIN();
