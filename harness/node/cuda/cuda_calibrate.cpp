#include "harness/node/cuda/cuda_calibrate.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>
#include <ostream>
#include <sstream>

#include "common/error.h"
#include "harness/node/cuda/gpu_probe.h"
#include "harness/sim/sim_calibrate.h"
#ifdef HELM_HAVE_CUDA
#include <cuda_runtime_api.h>

#include "common/rng.h"
#include "gr_model/cuda/cuda_check.h"
#include "gr_model/cuda/cuda_model.h"
#endif

namespace helm {

std::string measured_name(const std::string& device_name) {
  std::istringstream in(device_name);
  std::string w, last = "gpu";
  while (in >> w) last = w;
  std::transform(last.begin(), last.end(), last.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return last + "-measured";
}

#ifdef HELM_HAVE_CUDA
namespace {
double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

void calibrate_hstu_cuda(const CalibrateOptions& opt, CudaPrecision prec, CostModel& m, std::ostream& log) {
  const ModelConfig& cfg = model_config(opt.model);
  const Weights w = random_weights(cfg, 4096, opt.seed);
  const CudaHstuModel model(w, prec, 0);
  CudaWorkspace ws(0);
  const size_t eb = model.kv_bytes_per_element();
  const int tpp = KvLayout::for_page(cfg.layers, cfg.heads, cfg.d_qk, cfg.d_v, opt.page_bytes, eb).tokens_per_page;
  // The row table on the device, registered so rows are gathered in place (EMB hits in `run`).
  std::vector<float> table(4096 * static_cast<size_t>(cfg.D));
  Rng rng(stream_seed(opt.seed, "calibrate"));
  for (auto& v : table) v = static_cast<float>(rng.uniform() * 0.2 - 0.1);
  float* dtable = nullptr;
  HELM_CUDA(cudaMalloc(reinterpret_cast<void**>(&dtable), table.size() * sizeof(float)));
  HELM_CUDA(cudaMemcpy(dtable, table.data(), table.size() * sizeof(float), cudaMemcpyHostToDevice));
  ws.add_device_range(dtable, table.size() * sizeof(float));
  m.samples = calibration_samples(cfg);
  struct Prepared {
    std::vector<std::unique_ptr<CudaOwnedKv>> kv;
    std::vector<std::vector<const float*>> rows;
    std::vector<std::vector<float>> scores;
    std::vector<SeqInput> in;
    std::vector<double> t;
  };
  std::vector<Prepared> prep(m.samples.size());
  for (size_t si = 0; si < m.samples.size(); ++si) {
    const CostSample& s = m.samples[si];
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
  for (int r = 0; r < opt.reps; ++r)  // round-robin over samples, median per sample
    for (auto& p : prep) {
      const auto t0 = std::chrono::steady_clock::now();
      model.forward(p.in, ws);  // synchronous: returns with the scores on the host
      p.t.push_back(std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count());
    }
  for (size_t si = 0; si < m.samples.size(); ++si) m.samples[si].ns = median_of(prep[si].t);
  cudaFree(dtable);
  fit_hstu(cfg, m);
  log << fmt::format("hstu (cuda, {}): {} samples, fit mean |rel err| {:.1f}%, max {:.1f}%; batch {:.1f} us, "
                     "seq {:.1f} us, attention {:.3g} ns/GFLOP\n",
                     precision_name(prec), m.samples.size(), 100 * m.fit_mean_rel_err, 100 * m.fit_max_rel_err,
                     m.batch_ns / 1e3, m.seq_ns / 1e3, m.attn_ns_per_gflop);
}
}  // namespace
#endif

CostModel calibrate_cuda(const CalibrateOptions& opt, const std::string& name, const std::string& precision,
                         double h2d_latency_us, std::ostream& log) {
#ifdef HELM_HAVE_CUDA
  const CudaPrecision prec = parse_precision(precision);
  cudaDeviceProp p{};
  HELM_CUDA(cudaGetDeviceProperties(&p, 0));
  CostModel m;
  m.device = describe_gpu(0);
  m.name = name.empty() ? measured_name(p.name) : name;
  m.backend = "cuda";
  m.source = "measured";
  m.model = opt.model;
  m.bytes_per_element = prec == CudaPrecision::bf16 ? 2 : 4;
  char when[64];
  const auto now = std::time(nullptr);
  std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  m.date = when;
  m.link_bytes_per_s = measure_h2d_bytes_per_s(0);
  m.link_latency_ns = h2d_latency_us * 1e3;
  m.link_source = fmt::format("calibrate: pinned cudaMemcpyAsync host-to-device on {}", p.name);
  log << fmt::format("link: {:.2f} GB/s measured (pinned, 32 MiB copies)\n", m.link_bytes_per_s / 1e9);
  calibrate_hstu_cuda(opt, prec, m, log);
  calibrate_emb_cpu(opt, m, log);  // the bookkeeping, host code in both backends
  calibrate_request_path_cpu(opt, m, log);
  const HarnessTiming ht = measure_harness_timing();
  set_harness_timing(m, ht);
  m.notes = fmt::format(
      "CUDA backend on {}, precision {}, model '{}'. HSTU terms fitted to the samples below, each the median "
      "of {} synchronous CUDA forwards (rows and K/V pages in device memory); EMB and request-path terms "
      "from the host bookkeeping (the same code `run --backend cuda` runs); the link as measured. Times in ns.",
      m.device, precision_name(prec), opt.model, opt.reps);
  return m;
#else
  (void)opt, (void)name, (void)precision, (void)h2d_latency_us, (void)log;
  bad_input("--backend cuda: this helm-bench was built without CUDA");
#endif
}

}  // namespace helm
