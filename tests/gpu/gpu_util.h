// Shared helpers of the GPU tests.
#pragma once
#include <gtest/gtest.h>

#include <vector>

#include "gr_model/cuda/cuda_model.h"
#include "gr_model/reference.h"

namespace helm::test {

// Skips the calling test (from SetUp or a test body) when there is no CUDA device.
#define HELM_REQUIRE_GPU()                                                                   \
  do {                                                                                       \
    if (::helm::cuda_device_count() == 0)                                                    \
      GTEST_SKIP() << "no CUDA device (cudaGetDeviceCount found none): GPU test skipped";    \
  } while (0)

inline double tolerance(CudaPrecision p) { return p == CudaPrecision::bf16 ? 2e-2 : 1e-3; }

// Host copies of the embedding rows of ids.
inline std::vector<const float*> host_rows(const Weights& w, const std::vector<ItemId>& ids,
                                           std::vector<float>& buf) {
  buf.resize(ids.size() * w.cfg.D);
  std::vector<const float*> rows;
  for (size_t i = 0; i < ids.size(); ++i) {
    w.E->read(ids[i], buf.data() + i * w.cfg.D);
    rows.push_back(buf.data() + i * w.cfg.D);
  }
  return rows;
}

// Scores on the GPU in two visits, as score_sequence does on the CPU: the first cached_prefix
// tokens as an earlier visit (no candidates), then the rest and the candidates on the cached
// K/V. cached_prefix < 0: one pass with no pages at all (scratch K/V).
inline std::vector<float> gpu_scores(const CudaHstuModel& m, CudaWorkspace& ws, const Weights& w,
                                     const std::vector<ItemId>& hist, const std::vector<ItemId>& cand,
                                     int cached_prefix, int tokens_per_page = 16) {
  std::vector<ItemId> ids = hist;
  ids.insert(ids.end(), cand.begin(), cand.end());
  std::vector<float> buf;
  const auto rows = host_rows(w, ids, buf);
  const int L = static_cast<int>(hist.size()), M = static_cast<int>(cand.size());
  std::vector<float> scores(M);
  if (cached_prefix < 0) {
    SeqInput s{0, L, M, rows.data(), nullptr, scores.data()};
    m.forward(std::span(&s, 1), ws);
    return scores;
  }
  CudaOwnedKv kv(m.kv_layout(tokens_per_page), L);
  if (cached_prefix > 0) {
    SeqInput first{0, cached_prefix, 0, rows.data(), kv.view(), nullptr};
    m.forward(std::span(&first, 1), ws);
  }
  SeqInput second{cached_prefix, L - cached_prefix, M, rows.data() + cached_prefix, kv.view(), scores.data()};
  m.forward(std::span(&second, 1), ws);
  return scores;
}

}  // namespace helm::test
