#include "harness/node/cuda/cuda_batch_timer.h"

#include <cuda_runtime_api.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <vector>

#include "common/rng.h"
#include "gr_model/cuda/cuda_check.h"

namespace helm {

namespace {
double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}
}  // namespace

void time_cuda_batches(const ModelConfig& cfg, std::span<CostSample> samples, int reps, CudaPrecision prec,
                       int device, size_t page_bytes, uint64_t seed) {
  HELM_CUDA(cudaSetDevice(device));
  const Weights w = random_weights(cfg, 4096, seed);
  const CudaHstuModel model(w, prec, device);
  CudaWorkspace ws(device);
  const size_t eb = model.kv_bytes_per_element();
  const int tpp = KvLayout::for_page(cfg.layers, cfg.heads, cfg.d_qk, cfg.d_v, page_bytes, eb).tokens_per_page;
  // The row table on the device, registered so rows are gathered in place (EMB hits in `run`).
  std::vector<float> table(4096 * static_cast<size_t>(cfg.D));
  Rng rng(stream_seed(seed, "calibrate"));
  for (auto& v : table) v = static_cast<float>(rng.uniform() * 0.2 - 0.1);
  float* dtable = nullptr;
  HELM_CUDA(cudaMalloc(reinterpret_cast<void**>(&dtable), table.size() * sizeof(float)));
  HELM_CUDA(cudaMemcpy(dtable, table.data(), table.size() * sizeof(float), cudaMemcpyHostToDevice));
  ws.add_device_range(dtable, table.size() * sizeof(float));
  struct Prepared {
    std::vector<std::unique_ptr<CudaOwnedKv>> kv;
    std::vector<std::vector<const float*>> rows;
    std::vector<std::vector<float>> scores;
    std::vector<SeqInput> in;
    std::vector<double> t;
  };
  std::vector<Prepared> prep(samples.size());
  for (size_t si = 0; si < samples.size(); ++si) {
    const CostSample& s = samples[si];
    Prepared& p = prep[si];
    const size_t ns = s.seqs.size();
    p.rows.resize(ns), p.scores.resize(ns), p.in.resize(ns);
    for (size_t i = 0; i < ns; ++i) {
      const auto [c0, n, mc] = s.seqs[i];
      p.kv.push_back(std::make_unique<CudaOwnedKv>(model.kv_layout(tpp), static_cast<int>(std::max<int64_t>(1, c0 + n))));
      for (int64_t k = 0; k < n + mc; ++k)
        p.rows[i].push_back(dtable + static_cast<size_t>((i * 131 + k) % 4096) * cfg.D);
      p.scores[i].resize(static_cast<size_t>(mc));
      p.in[i] = {static_cast<int>(c0), static_cast<int>(n), static_cast<int>(mc), p.rows[i].data(),
                 p.kv.back()->view(), p.scores[i].data()};
    }
    model.forward(p.in, ws);  // warm: workspace grown, kernels loaded
  }
  for (int r = 0; r < reps; ++r)  // round-robin over samples, median per sample
    for (auto& p : prep) {
      const auto t0 = std::chrono::steady_clock::now();
      model.forward(p.in, ws);  // synchronous: returns with the scores on the host
      p.t.push_back(std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count());
    }
  for (size_t si = 0; si < samples.size(); ++si) samples[si].ns = median(prep[si].t);
  cudaFree(dtable);
}

BatchTimer cuda_batch_timer(const RunOptions& o, const ModelConfig& cfg, CudaPrecision precision, int device) {
  return [&cfg, precision, device, page = static_cast<size_t>(o.page_kib) * 1024, seed = o.seed](
             std::span<CostSample> s, int reps) { time_cuda_batches(cfg, s, reps, precision, device, page, seed); };
}

}  // namespace helm
