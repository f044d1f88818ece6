// Benchmarks and the calibration of the CUDA backend (the second half of the GPU check).
// Every figure is a median of several timed runs after warm-ups, on random data; forward times
// are host wall clock around the synchronous forward (what a worker waits), device ceilings are
// CUDA-event timed. Figures name their bytes and flops so a reader can recompute them.
#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include <cstring>
#include <memory>
#include <tuple>
#include <stdexcept>

#include "allocator/cuda_device.h"
#include "check.h"
#include "common/rng.h"
#include "gr_model/cuda/cuda_check.h"
#include "gr_model/cuda/cuda_model.h"
#include "gr_model/cuda/kernels.h"

namespace helm::check {
namespace {

// Event-timed median of f() on stream s, in ns.
template <typename F>
double event_ns(cudaStream_t s, F&& f, int reps = 10) {
  cudaEvent_t a, b;
  HELM_CUDA(cudaEventCreate(&a));
  HELM_CUDA(cudaEventCreate(&b));
  f();
  f();
  std::vector<double> t;
  for (int i = 0; i < reps; ++i) {
    HELM_CUDA(cudaEventRecord(a, s));
    f();
    HELM_CUDA(cudaEventRecord(b, s));
    HELM_CUDA(cudaEventSynchronize(b));
    float ms = 0;
    HELM_CUDA(cudaEventElapsedTime(&ms, a, b));
    t.push_back(ms * 1e6);
  }
  cudaEventDestroy(a);
  cudaEventDestroy(b);
  return median(t);
}

void fill_random(void* d, size_t bytes, uint64_t seed) {
  std::vector<uint32_t> h(bytes / 4);
  Rng r(seed);
  for (auto& x : h) x = static_cast<uint32_t>(r.next() >> 41) | 0x3c000000u;  // finite floats ~[0.0078, 0.016)
  HELM_CUDA(cudaMemcpy(d, h.data(), h.size() * 4, cudaMemcpyHostToDevice));
}

// bf16 GEMM C[M x N] = A[M x K] B[K x N] (fp32 out), event timed: TFLOP/s.
double cublas_tflops(int M, int N, int K, cudaStream_t s) {
  cublasHandle_t h;
  if (cublasCreate(&h) != CUBLAS_STATUS_SUCCESS) throw std::runtime_error("cublasCreate");
  cublasSetStream(h, s);
  void *A, *B, *C;
  HELM_CUDA(cudaMalloc(&A, size_t(M) * K * 2));
  HELM_CUDA(cudaMalloc(&B, size_t(K) * N * 2));
  HELM_CUDA(cudaMalloc(&C, size_t(M) * N * 4));
  fill_random(A, size_t(M) * K * 2, 1);
  fill_random(B, size_t(K) * N * 2, 2);
  const float alpha = 1, beta = 0;
  const double ns = event_ns(s, [&] {
    cublasGemmEx(h, CUBLAS_OP_N, CUBLAS_OP_N, N, M, K, &alpha, B, CUDA_R_16BF, N, A, CUDA_R_16BF, K, &beta, C,
                 CUDA_R_32F, N, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);
  });
  cudaFree(A);
  cudaFree(B);
  cudaFree(C);
  cublasDestroy(h);
  return 2.0 * M * N * K / ns / 1e3;
}

// A prepared batch on the GPU: host rows, pages holding each sequence's cached prefix.
struct Bench {
  const Weights& w;
  const CudaHstuModel& m;
  CudaWorkspace& ws;
  std::vector<std::vector<float>> emb;
  std::vector<std::vector<const float*>> rows;
  std::vector<std::unique_ptr<CudaOwnedKv>> kv;
  std::vector<std::vector<float>> scores;
  std::vector<SeqInput> batch;
  // B sequences of (cached L0, new n, candidates M); paged = K/V in pages (else scratch, L0 = 0).
  Bench(const Weights& w_, const CudaHstuModel& m_, CudaWorkspace& ws_, int B, int L0, int n, int M, bool paged, uint64_t seed)
      : w(w_), m(m_), ws(ws_) {
    Rng rng(seed);
    const int D = w.cfg.D;
    for (int b = 0; b < B; ++b) {
      const int tokens = L0 + n + M;
      emb.emplace_back(size_t(tokens) * D);
      rows.emplace_back();
      for (int t = 0; t < tokens; ++t) {
        w.E->read(static_cast<ItemId>(rng.below(w.items)), emb.back().data() + size_t(t) * D);
        rows.back().push_back(emb.back().data() + size_t(t) * D);
      }
      scores.emplace_back(M);
      KvView* view = nullptr;
      if (paged) {
        kv.push_back(std::make_unique<CudaOwnedKv>(m.kv_layout(64), L0 + n));
        view = kv.back()->view();
        if (L0 > 0) {  // the earlier visit
          SeqInput first{0, L0, 0, rows.back().data(), view, nullptr};
          m.forward(std::span(&first, 1), ws);
        }
      }
      batch.push_back({L0, n, M, rows.back().data() + L0, view, scores.back().data()});
    }
  }
  double run_ns(int reps = 7) {
    return time_ns([&] { m.forward(batch, ws); }, reps, 2);
  }
};

}  // namespace

BenchResult run_benchmarks(bool quick) {
  BenchResult r;
  cudaStream_t s;
  HELM_CUDA(cudaStreamCreate(&s));
  char line[256];

  // ---- ceilings: device-to-device copy, cuBLAS bf16 8192^3 ----
  const size_t copy_bytes = size_t{1} << 30;
  void *ca, *cb;
  HELM_CUDA(cudaMalloc(&ca, copy_bytes));
  HELM_CUDA(cudaMalloc(&cb, copy_bytes));
  fill_random(ca, copy_bytes, 3);
  const double copy_ns = event_ns(s, [&] { cudaMemcpyAsync(cb, ca, copy_bytes, cudaMemcpyDeviceToDevice, s); });
  const double copy_bw = 2.0 * copy_bytes / copy_ns;  // GB/s, read + written
  const double peak_tflops = cublas_tflops(8192, 8192, 8192, s);
  r.figures.add("d2d_copy_GBps_read_plus_write", copy_bw).add("cublas_bf16_8192_TFLOPs", peak_tflops);

  // ---- gather from the pool vs a device-to-device copy of the same bytes ----
  {
    std::vector<J> rows_out;
    double kuai_ratio = 0;
    for (int D : {512, 64}) {
      const size_t row_bytes = size_t(D) * 4, pool_rows = copy_bytes / row_bytes, R = pool_rows / 2;
      std::vector<const float*> src(R);
      Rng rng(9);
      for (auto& p : src) p = static_cast<const float*>(ca) + rng.below(pool_rows) * D;
      const float** dsrc;
      HELM_CUDA(cudaMalloc(reinterpret_cast<void**>(&dsrc), R * sizeof(void*)));
      HELM_CUDA(cudaMemcpy(dsrc, src.data(), R * sizeof(void*), cudaMemcpyHostToDevice));
      const double g_ns = event_ns(s, [&] { cuda::gather(dsrc, static_cast<float*>(cb), static_cast<int>(R), D, s); });
      const double c_ns = event_ns(s, [&] { cudaMemcpyAsync(cb, ca, R * row_bytes, cudaMemcpyDeviceToDevice, s); });
      const double ratio = c_ns / g_ns;
      if (D == 512) kuai_ratio = ratio;
      rows_out.push_back(Obj().add("row_floats", D).add("rows", R).add("gather_GBps", 2.0 * R * row_bytes / g_ns)
                             .add("copy_GBps", 2.0 * R * row_bytes / c_ns).add("ratio", ratio).json());
      cudaFree(dsrc);
      std::snprintf(line, sizeof line, "gather D=%d: %.0f GB/s vs copy %.0f GB/s = %.0f%% (goal >= 60%%)", D,
                    2.0 * R * row_bytes / g_ns, 2.0 * R * row_bytes / c_ns, 100 * ratio);
      r.summary.push_back(line);
    }
    r.figures.add("gather", arr(rows_out)).add("gather_goal_met", kuai_ratio >= 0.6);
  }
  cudaFree(ca);
  cudaFree(cb);

  const Weights w = random_weights(model_config("kuairand"), 200000, 31);
  const HstuModel cpu(w);  // flop counts only
  const CudaHstuModel m(w, CudaPrecision::bf16);
  CudaWorkspace ws;
  const ModelConfig& c = w.cfg;

  // ---- a whole HSTU layer vs cuBLAS on the same shapes (kuairand, bf16) ----
  {
    const int B = quick ? 2 : 8, n = 1024, M = 256;
    Bench b(w, m, ws, B, 0, n, M, false, 41);
    const double ns = b.run_ns();
    const auto f = cpu.flop_count(b.batch);
    const double per_layer_tflops = f.total() / ns / 1e3;
    const int T = B * (n + M);
    const double proj_tflops = cublas_tflops(T, c.uvqk_width(), c.D, s);
    const double ratio = per_layer_tflops / proj_tflops;
    r.figures.add("layer", Obj().add("config", "kuairand").add("precision", "bf16").add("batch", B)
                               .add("new_tokens", n).add("candidates", M).add("forward_ns", ns)
                               .add("gflop_proj", f.proj / 1e9).add("gflop_attn", f.attn / 1e9).add("gflop_out", f.out / 1e9)
                               .add("achieved_TFLOPs", per_layer_tflops).add("cublas_same_shape_TFLOPs", proj_tflops)
                               .add("ratio", ratio).add("goal_met", ratio >= 0.5)
                               .add("tensor_core_attention", m.tensor_core_attention()).json());
    std::snprintf(line, sizeof line, "HSTU forward kuairand bf16: %.1f TFLOP/s vs cuBLAS same shape %.1f = %.0f%% (goal >= 50%%)",
                  per_layer_tflops, proj_tflops, 100 * ratio);
    r.summary.push_back(line);
  }

  // ---- KV-cached vs full at 95% cached history ----
  {
    const int B = quick ? 2 : 8, L = 4000, L0 = 3800, M = 256;
    Bench full(w, m, ws, B, 0, L, M, false, 51);
    Bench cached(w, m, ws, B, L0, L - L0, M, true, 51);
    const double f_ns = full.run_ns(5), c_ns = cached.run_ns(7);
    r.figures.add("kv_cached_vs_full", Obj().add("batch", B).add("history", L).add("cached", L0).add("candidates", M)
                                           .add("full_ns", f_ns).add("cached_ns", c_ns).add("speedup", f_ns / c_ns).json());
    std::snprintf(line, sizeof line, "KV-cached (95%%) vs full, L=%d M=%d B=%d: %.2f ms vs %.2f ms = %.1fx", L, M, B,
                  c_ns / 1e6, f_ns / 1e6, f_ns / c_ns);
    r.summary.push_back(line);
  }

  // ---- EMB misses: staged vs mapped (zero-copy) into the pool ----
  std::string faster = "staged";
  {
    const GeneratedHostTable table(100000, 256, 5, 0.1f);
    const size_t page = 64 << 10;
    CudaDevice dev(size_t{256} << 20, page);
    double t[2] = {0, 0};
    const int k = 8192;
    const size_t rows_per_page = page / table.row_bytes();
    for (int pi = 0; pi < 2; ++pi) {
      CudaRowSource src(table, dev, pi == 0 ? MissPath::staged : MissPath::mapped);
      Rng rng(3);
      t[pi] = time_ns([&] {
        for (int i = 0; i < k; ++i) {
          const size_t slot = rng.below(dev.num_pages() * rows_per_page);
          auto* dst = reinterpret_cast<float*>(dev.page(static_cast<PageId>(slot / rows_per_page)) +
                                               (slot % rows_per_page) * table.row_bytes());
          src.read(static_cast<ItemId>(rng.below(table.rows())), dst);
        }
        cudaEvent_t e = src.flush();
        HELM_CUDA(cudaEventSynchronize(e));
      }, 5, 1);
    }
    faster = t[1] < t[0] ? "mapped" : "staged";
    r.figures.add("emb_miss_path", Obj().add("rows", k).add("row_bytes", table.row_bytes()).add("staged_ns", t[0])
                                       .add("mapped_ns", t[1]).add("faster", faster).json());
    std::snprintf(line, sizeof line, "EMB misses (%d rows of 1 KiB): staged %.2f ms, mapped %.2f ms: keep %s", k,
                  t[0] / 1e6, t[1] / 1e6, faster.c_str());
    r.summary.push_back(line);
  }

  // ---- calibration (kuairand, bf16): samples in the cost model's form ----
  std::vector<J> samples;
  auto sample = [&](const char* kind, int B, int L0, int n, int M, double ns) {
    std::vector<J> seqs;
    for (int b = 0; b < B; ++b) seqs.push_back(arr({J(L0), J(n), J(M)}));
    samples.push_back(Obj().add("kind", kind).add("seqs", arr(seqs)).add("ns", ns).json());
  };
  Obj cal;
  {  // per history token at several lengths (prefill, uncached, no candidates)
    std::vector<J> pts;
    for (int L : quick ? std::vector<int>{256, 2048} : std::vector<int>{256, 1024, 2048, 4096, 8000}) {
      Bench b(w, m, ws, 1, 0, L, 0, false, 60 + L);
      const double ns = b.run_ns(5);
      sample("prefill", 1, 0, L, 0, ns);
      pts.push_back(Obj().add("history", L).add("ns", ns).add("ns_per_token", ns / L).json());
    }
    cal.add("prefill_per_history_token", arr(pts));
  }
  {  // per new token given a cached length
    std::vector<J> pts;
    for (int L0 : quick ? std::vector<int>{4000} : std::vector<int>{1000, 4000, 7000}) {
      std::vector<double> x, y;
      for (int n : {16, 128, 512}) {
        Bench b(w, m, ws, 1, L0, n, 0, true, 70 + n);
        const double ns = b.run_ns(5);
        sample("incremental", 1, L0, n, 0, ns);
        x.push_back(n);
        y.push_back(ns);
      }
      const auto [a, slope] = fit_line(x, y);
      pts.push_back(Obj().add("cached", L0).add("fixed_ns", a).add("ns_per_new_token", slope).json());
    }
    cal.add("incremental_per_new_token", arr(pts));
  }
  {  // per candidate (4000 cached, no new history)
    std::vector<double> x, y;
    for (int M : {16, 64, 256, 1024}) {
      Bench b(w, m, ws, 1, 4000, 0, M, true, 80 + M);
      const double ns = b.run_ns(5);
      sample("candidates", 1, 4000, 0, M, ns);
      x.push_back(M);
      y.push_back(ns);
    }
    const auto [a, slope] = fit_line(x, y);
    cal.add("per_candidate", Obj().add("cached", 4000).add("fixed_ns", a).add("ns_per_candidate", slope).json());
  }
  double batch_ns = 0, seq_ns = 0;
  {  // per-batch fixed overhead and per sequence: B minimal sequences (1 new token, 1 candidate)
    std::vector<double> x, y;
    for (int B : {1, 4, 16, 64}) {
      Bench b(w, m, ws, B, 0, 1, 1, false, 90 + B);
      const double ns = b.run_ns(9);
      sample("batch", B, 0, 1, 1, ns);
      x.push_back(B);
      y.push_back(ns);
    }
    std::tie(batch_ns, seq_ns) = fit_line(x, y);
    cal.add("batch_overhead", Obj().add("batch_ns", batch_ns).add("seq_ns", seq_ns).json());
  }
  double link_bw = 0, link_lat = 0;
  {  // host-to-device: pinned copies, t = latency + bytes / bandwidth
    const size_t maxb = size_t{64} << 20;
    void *h, *d;
    HELM_CUDA(cudaHostAlloc(&h, maxb, cudaHostAllocDefault));
    HELM_CUDA(cudaMalloc(&d, maxb));
    std::memset(h, 1, maxb);
    std::vector<double> x, y;
    std::vector<J> pts;
    for (size_t bytes : {size_t{4} << 10, size_t{64} << 10, size_t{1} << 20, size_t{16} << 20, maxb}) {
      const double ns = time_ns([&] {
        HELM_CUDA(cudaMemcpyAsync(d, h, bytes, cudaMemcpyHostToDevice, s));
        HELM_CUDA(cudaStreamSynchronize(s));
      }, 9, 2);
      x.push_back(static_cast<double>(bytes));
      y.push_back(ns);
      pts.push_back(Obj().add("bytes", bytes).add("ns", ns).json());
    }
    const auto [a, b] = fit_line(x, y);
    link_lat = a;
    link_bw = 1e9 / b;
    cal.add("h2d", Obj().add("points", arr(pts)).add("latency_ns_per_transfer", a).add("ns_per_byte", b)
                       .add("bytes_per_s", link_bw).json());
    cudaFreeHost(h);
    cudaFree(d);
  }
  cudaDeviceProp prop{};
  cudaGetDeviceProperties(&prop, 0);
  r.cost_model.add("name", std::string("cuda-") + prop.name)
      .add("backend", "cuda")
      .add("device", prop.name)
      .add("source", "tools/gpu_check (scripts/gpu-check.sh)")
      .add("model", "kuairand")
      .add("precision", "bf16")
      .add("bytes_per_element", 2)
      .add("batch_ns", batch_ns)
      .add("seq_ns", seq_ns)
      .add("hbm_bytes_per_s", copy_bw * 1e9)
      .add("link_bytes_per_s", link_bw)
      .add("link_latency_ns", link_lat)
      .add("link_source", "pinned cudaMemcpyAsync, fitted")
      .add("emb_miss_path", faster)
      .add("calibration", cal.json())
      .add("samples", arr(samples))
      .add("notes", "raw samples {kind, seqs [[cached, new, candidates]...], ns}: fit dense/attention terms from them");
  std::snprintf(line, sizeof line, "calibration: batch %.0f us + %.1f us/seq; H2D %.1f GB/s + %.1f us/transfer",
                batch_ns / 1e3, seq_ns / 1e3, link_bw / 1e9, link_lat / 1e3);
  r.summary.push_back(line);
  cudaStreamDestroy(s);
  return r;
}

}  // namespace helm::check
