// `helm-bench calibrate --backend cpu --model CONFIG --out FILE`: measures the backend and writes
// a cost-model file (gr_model/cost_model.h) with the fitted model and the raw samples.
#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "common/blas.h"
#include "common/error.h"
#include "harness/cli/cli.h"
#include "harness/cli/commands.h"
#include "harness/cli/provenance.h"
#include "harness/node/link_setup.h"
#include "harness/node/cuda/cuda_calibrate.h"
#include "harness/node/cuda/gpu_probe.h"
#include "harness/sim/sim_calibrate.h"

namespace helm {

namespace {
std::string cpu_name() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "cpu";
}
}  // namespace

int cmd_calibrate(int argc, char** argv) {
  namespace po = cli::po;
  CalibrateOptions opt;
  std::string backend = "cpu", out, name, link_like = "a100-80gb", precision = "tf32";
  double h2d_gbps = 0, h2d_latency_us = 10, flush_mib = 8;
  po::options_description desc("calibrate options");
  desc.add_options()
      ("backend", po::value(&backend)->default_value(backend), "cpu | cuda (GPU 0; default name <gpu>-measured)")
      ("precision", po::value(&precision)->default_value(precision), "cuda: fp32 | tf32 | bf16")
      ("model", po::value(&opt.model)->default_value(opt.model), "model config to measure")
      ("out", po::value(&out), "cost-model file to write (JSON)")
      ("name", po::value(&name), "name stored in the file (default: the file's stem)")
      ("reps", po::value(&opt.reps)->default_value(opt.reps), "timed repetitions per sample (median kept)")
      ("flush-mib", po::value(&flush_mib)->default_value(flush_mib, cli::shown(flush_mib)),
       "MiB of other memory swept before each timed forward (0 = cache-warm timing)")
      ("seed", po::value(&opt.seed)->default_value(opt.seed), "weights and inputs")
      ("h2d-gbps", po::value(&h2d_gbps)->default_value(h2d_gbps),
       "link rate to store (GB/s); 0 = what `run` emulates: the link rule against --link-like")
      ("link-like", po::value(&link_like)->default_value(link_like),
       "the cost model whose link:compute ratio the stored link keeps (as `run --link-like`)")
      ("h2d-latency-us", po::value(&h2d_latency_us)->default_value(h2d_latency_us), "fixed cost per transfer (us)");
  auto p = cli::parse("calibrate", "--backend cpu --model CONFIG --out FILE", desc, argc, argv);
  if (p.help) return 0;
  if (backend != "cpu" && backend != "cuda") bad_input("--backend: '{}' is not cpu or cuda", backend);
  if (backend == "cuda")
    if (const std::string why = cuda_unavailable_reason(); !why.empty()) bad_input("--backend cuda: {}", why);
  if (out.empty()) bad_input("--out: a cost-model file to write is required");
  if (opt.reps < 1) bad_input("--reps: must be at least 1");
  if (flush_mib < 0) bad_input("--flush-mib: must not be negative");
  opt.flush_bytes = static_cast<size_t>(flush_mib * 1024 * 1024);
  model_config(opt.model);  // BadInput for an unknown name
  { std::ofstream probe(out); if (!probe) bad_input("--out: cannot write '{}'", out); }
  init_blas();
  const auto t0 = std::chrono::steady_clock::now();
  if (backend == "cuda") {
    save_cost_model(calibrate_cuda(opt, name, precision, h2d_latency_us, std::cout), out);
    std::cout << "wrote " << out << "\n";
    return 0;
  }

  CostModel m;
  m.name = name.empty() ? std::filesystem::path(out).stem().string() : name;
  m.backend = "cpu";
  m.device = cpu_name();
  m.source = "measured";
  m.model = opt.model;
  m.bytes_per_element = 4;
  char when[64];
  const auto now = std::time(nullptr);
  std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  m.date = when;

  // The same link rule as `run` (node/link_setup.h), so `sim` on this model keeps it.
  RunOptions ro;
  ro.h2d_gbps = h2d_gbps;
  ro.h2d_latency_us = h2d_latency_us;
  ro.link_like = link_like;
  ro.page_kib = static_cast<int>(opt.page_bytes / 1024);
  const ModelConfig& cfg = model_config(opt.model);
  const int candidates = cfg.M;
  const LinkSetup link = link_setup(ro, cfg, candidates,
                                    link_needs_measurement(ro) ? measure_link_shapes(ro, cfg, candidates) : 0);
  m.link_bytes_per_s = link.bytes_per_s;
  m.link_latency_ns = h2d_latency_us * 1e3;
  m.link_source = "calibrate: " + link.describe;
  std::cout << "link: " << link.describe << "\n";

  calibrate_hstu_cpu(opt, m, std::cout);
  calibrate_idle_cpu(opt, m, std::cout);
  calibrate_emb_cpu(opt, m, std::cout);
  calibrate_request_path_cpu(opt, m, std::cout);
  // The real harness's admission lag (rank 0 wakes for an arrival one sleep overshoot late, an
  // idle worker notices the message at its next poll) and its lateness at deadlines (a batch
  // timeout, the end of a link wait), measured by running the same sleep loops.
  const HarnessTiming ht = measure_harness_timing();
  set_harness_timing(m, ht);
  std::cout << fmt::format("timers: deadline noticed {:.1f} us late; sleep overshoot {:.1f} us; idle poll "
                           "detection {:.1f} us; admission lag modelled as {:.1f} us\n",
                           ht.deadline_late_ns / 1e3, ht.sleep_overshoot_ns / 1e3, ht.poll_detect_ns / 1e3,
                           m.admit_ns / 1e3);
  std::cout << fmt::format("timer quantiles (drawn by sim): deadline lateness P50 {:.1f} us, P90 {:.1f} us; "
                           "admission lag P50 {:.1f} us, P90 {:.1f} us\n",
                           m.wake_quantiles.median() / 1e3, m.wake_quantiles.quantile(0.9) / 1e3,
                           m.admit_quantiles.median() / 1e3, m.admit_quantiles.quantile(0.9) / 1e3);
  m.notes = fmt::format(
      "CPU backend, one thread ({}), model '{}'. HSTU terms fitted (weighted least squares on relative "
      "error) to the samples below, each the median of {} forward passes timed after a {} MiB cache sweep; host terms from the real "
      "EmbCache and request path on a CpuDevice. Times in ns.",
      init_blas(), opt.model, opt.reps, flush_mib);
  save_cost_model(m, out);
  std::cout << fmt::format("wrote {} in {:.1f} s\n", out,
                           std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  return 0;
}

}  // namespace helm
