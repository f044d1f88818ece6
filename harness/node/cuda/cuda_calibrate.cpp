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
#include "harness/node/cuda/cuda_batch_timer.h"
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

void calibrate_hstu_cuda(const CalibrateOptions& opt, CudaPrecision prec, CostModel& m, std::ostream& log) {
  const ModelConfig& cfg = model_config(opt.model);
  m.samples = calibration_samples(cfg);
  time_cuda_batches(cfg, m.samples, opt.reps, prec, 0, opt.page_bytes, opt.seed);
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
