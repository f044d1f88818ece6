// A fixed small `helm-bench sim` run's /requests rows, hashed field by field, against a digest
// stored in this file. Refactors and optimisations must leave every decision (routing, cache
// hits, batching, splits) and so every row exactly as it was. Regenerate the digests only when a
// rule is changed on purpose, and say which rule in the commit message:
//   HELM_PRINT_DIGEST=1 build/tests/test_sim --gtest_filter='SimDigest.*'
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>

#include "results/reader.h"

using namespace helm;

namespace {

// FNV-1a over each field's value (not the struct's bytes: padding is not part of the rows).
struct Fnv {
  uint64_t h = 1469598103934665603ull;
  template <typename T>
  void add(T v) {
    const auto* p = reinterpret_cast<const unsigned char*>(&v);
    for (size_t i = 0; i < sizeof v; ++i) h = (h ^ p[i]) * 1099511628211ull;
  }
};

uint64_t digest(const std::vector<RequestRow>& rows) {
  Fnv f;
  for (const auto& r : rows) {
    f.add(r.id), f.add(r.user), f.add(r.node), f.add(r.phase), f.add(r.arrival), f.add(r.dispatch_lag);
    f.add(r.start), f.add(r.finish), f.add(r.latency), f.add(r.slo_met), f.add(r.status);
    f.add(r.batch_size), f.add(r.history_len), f.add(r.computed_tokens), f.add(r.kv_hit_tokens_pool);
    f.add(r.kv_hit_tokens_host), f.add(r.emb_lookups), f.add(r.emb_hits), f.add(r.h2d_bytes);
  }
  return f.h;
}

uint64_t run_digest(const std::string& name, const std::string& args) {
  const std::string out = (std::filesystem::temp_directory_path() / ("helm_digest_" + name + ".h5")).string();
  std::filesystem::remove(out);
  const std::string cmd = std::string(HELM_BENCH_EXE) + " sim " + args + " --out " + out + " > /dev/null";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  const uint64_t d = digest(ResultsReader(out).requests());
  if (std::getenv("HELM_PRINT_DIGEST")) fmt::print("digest {}: 0x{:016x}\n", name, d);
  return d;
}

// Two runs that together cover routing on the view (helm, kv-affinity), the memory control loop
// (hill-climbing with budgeted refill, a static split per node), the host KV tier, a burst regime.
const std::string kCommon =
    " --cost-model a100-80gb --model tiny --duration 3 --warmup-s 0.2 --page-kib 4"
    " --seed 7";

}  // namespace

TEST(SimDigest, AdaptiveRunIsUnchanged) {
  EXPECT_EQ(run_digest("adaptive", kCommon + " --nodes 4 --users 600 --items 5000 --history-median 40"
                                             " --qps 800 --memory-policy naive-adaptive --repartition budgeted"
                                             " --router helm --pool-mib 1 --host-kv-mib 1"),
            0xa2f5344b3ac1d2b1ull);
}

TEST(SimDigest, StaticBurstRunIsUnchanged) {
  EXPECT_EQ(run_digest("static", kCommon + " --nodes 3 --users 400 --items 3000 --history-median 20"
                                           " --workload burst --qps 400 --memory-policy static:0.3,0.7"
                                           " --router kv-affinity --pool-mib 2"),
            0xfc23039b51b36eddull);
}

// Budgeted refill while the split moves and the EMB cache is full: which rows the refill planner
// loads (its sampled sketch and ring) shows up in later hits. The two runs above never exercise
// it (their refill plans come out empty), so a change of the refill rule would pass them unseen.
TEST(SimDigest, RefillRunIsUnchanged) {
  EXPECT_EQ(run_digest("refill", " --cost-model a100-80gb --nodes 4 --model ml-20m --dataset ml-20m --scale 0.2"
                                 " --qps 1500 --duration 3 --memory-policy naive-adaptive --repartition budgeted"
                                 " --control-interval-ms 100 --seed 7 --pool-mib 24"),
            0x2c9c0593de1ec5efull);
}

// The EMB miniature on a full-size long-history profile (kuairand-27k: 32M items, histories up
// to 8000): which positions of a user's history are drawn, kept and looked up goes through the
// sampled-history path (harness/node/sampled_history.h) and the item source's Zipf draws at
// full catalogue size, which none of the runs above reach (their catalogues are small and their
// EMB streams exact). A faster draw must give the very same ids.
TEST(SimDigest, SampledLongHistoryRunIsUnchanged) {
  EXPECT_EQ(run_digest("sampled", " --cost-model a100-80gb --nodes 4 --dataset kuairand-27k --qps 240"
                                  " --duration 2 --warmup-s 0.2 --emb-sample 0.05 --pool-mib 2048 --seed 7"),
            0x799cf26612c19eb7ull);
}
