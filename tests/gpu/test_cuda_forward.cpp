// The CUDA forward (gr_model/cuda) against the CPU forward and the float64 reference, over
// configs x precisions (fp32/tf32: 1e-3 relative to the largest score, bf16: 2e-2), and
// KV-cached against full on the GPU. Skips without a device.
#include <gtest/gtest.h>

#include <tuple>

#include "../gr_model/test_util.h"
#include "common/blas.h"
#include "common/error.h"
#include "gpu_util.h"

using namespace helm;
using helm::test::rel_err;

namespace {

class CudaForward : public ::testing::TestWithParam<std::tuple<const char*, CudaPrecision>> {
 protected:
  void SetUp() override { HELM_REQUIRE_GPU(); }
};

TEST_P(CudaForward, MatchesCpuAndReferenceCachedOrNot) {
  const auto [cfg_name, prec] = GetParam();
  init_blas();
  const Weights w = random_weights(model_config(cfg_name), 5000, 21);
  const HstuModel cpu(w);
  const CudaHstuModel gpu(w, prec);
  CudaWorkspace ws;
  const double tol = test::tolerance(prec);
  Rng rng(3);
  const bool big = w.cfg.D >= 512;  // kuairand: one length keeps the float64 reference quick
  for (int L : big ? std::vector<int>{300} : std::vector<int>{1, 7, 63, 200}) {
    if (L > w.cfg.history_cap()) continue;
    for (int M : {1, 20}) {
      const auto hist = test::random_ids(rng, L, w.items);
      const auto cand = test::random_ids(rng, M, w.items);
      const auto ref = reference_scores(w, hist, cand);
      const auto on_cpu = score_sequence(cpu, w, hist, cand, 0);
      const auto scratch = test::gpu_scores(gpu, ws, w, hist, cand, -1);
      const auto paged = test::gpu_scores(gpu, ws, w, hist, cand, 0);
      EXPECT_LE(rel_err(scratch, ref), tol) << cfg_name << " L=" << L << " M=" << M;
      EXPECT_LE(rel_err(scratch, on_cpu), tol) << cfg_name << " L=" << L << " M=" << M;
      EXPECT_LE(rel_err(paged, scratch), tol) << "paged vs scratch L=" << L;
      for (int n : {1, 5, 40}) {
        if (n >= L) continue;
        const auto cached = test::gpu_scores(gpu, ws, w, hist, cand, L - n);
        EXPECT_LE(rel_err(cached, scratch), tol) << "cached vs full L=" << L << " n=" << n;
        EXPECT_LE(rel_err(cached, ref), tol) << "cached vs reference L=" << L << " n=" << n;
      }
    }
  }
}

// A batch of mixed sequences (paged and cached, uncached, candidates only) equals each alone.
TEST_P(CudaForward, BatchEqualsSingles) {
  const auto [cfg_name, prec] = GetParam();
  const Weights w = random_weights(model_config(cfg_name), 5000, 5);
  const CudaHstuModel gpu(w, prec);
  CudaWorkspace ws;
  Rng rng(8);
  const int cap = w.cfg.history_cap();
  struct Case { int L, L0, M; bool paged; };
  const Case cases[] = {{std::min(cap, 90), 60, 7, true}, {std::min(cap, 33), 0, 3, false},
                        {std::min(cap, 50), std::min(cap, 50), 5, true}, {1, 0, 0, true}};
  std::vector<std::vector<ItemId>> ids;
  std::vector<std::vector<float>> bufs(4), alone(4), together(4);
  std::vector<std::vector<const float*>> rows(4);
  std::vector<std::unique_ptr<CudaOwnedKv>> kvs;
  std::vector<SeqInput> batch;
  for (int i = 0; i < 4; ++i) {
    const Case& c = cases[i];
    const auto hist = test::random_ids(rng, c.L, w.items);
    const auto cand = test::random_ids(rng, c.M, w.items);
    alone[i] = test::gpu_scores(gpu, ws, w, hist, cand, c.paged ? c.L0 : -1);
    auto all = hist;
    all.insert(all.end(), cand.begin(), cand.end());
    rows[i] = test::host_rows(w, all, bufs[i]);
    together[i].resize(c.M);
    KvView* kv = nullptr;
    if (c.paged) {
      kvs.push_back(std::make_unique<CudaOwnedKv>(gpu.kv_layout(16), c.L));
      kv = kvs.back()->view();
      if (c.L0 > 0) {  // the earlier visit, alone
        SeqInput first{0, c.L0, 0, rows[i].data(), kv, nullptr};
        gpu.forward(std::span(&first, 1), ws);
      }
    }
    batch.push_back({c.L0, c.L - c.L0, c.M, rows[i].data() + c.L0, kv, together[i].data()});
  }
  gpu.forward(batch, ws);
  // Batched products may take other cuBLAS algorithms (another summation order): a tenth of the
  // precision tolerance.
  for (int i = 0; i < 4; ++i)
    EXPECT_LE(rel_err(together[i], alone[i]), test::tolerance(prec) / 10) << "sequence " << i;
}

std::string name(const ::testing::TestParamInfo<std::tuple<const char*, CudaPrecision>>& p) {
  std::string s = std::string(std::get<0>(p.param)) + "_" + std::string(precision_name(std::get<1>(p.param)));
  for (char& c : s)
    if (c == '-') c = '_';
  return s;
}

INSTANTIATE_TEST_SUITE_P(Configs, CudaForward,
                         ::testing::Combine(::testing::Values("tiny", "small", "amazon-books", "ml-20m", "kuairand"),
                                            ::testing::Values(CudaPrecision::fp32, CudaPrecision::tf32,
                                                              CudaPrecision::bf16)),
                         name);

TEST(CudaPrecisionNames, ParseAndPrint) {
  EXPECT_EQ(parse_precision("bf16"), CudaPrecision::bf16);
  EXPECT_EQ(precision_name(CudaPrecision::tf32), "tf32");
  EXPECT_THROW(parse_precision("fp8"), BadInput);
}

TEST(CudaDeviceCount, NeverThrows) { EXPECT_GE(cuda_device_count(), 0); }

}  // namespace
