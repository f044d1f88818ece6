// HSTU forward on the CPU against its references, in one binary:
//   Sgemm/<m>/<n>/<k>      cblas_sgemm on the model's projection shapes (the rate to match)
//   Forward/<cfg>/full     whole window recomputed (L0 = 0), GFLOP/s from HstuModel::flops
//   Forward/<cfg>/cached   95% of the history cached (L0 = 0.95 L), same inputs; its
//                          `speedup` counter is full time / cached time measured in this run
// Counters *_pct are the time split (proj = [U V Q K] sgemm, act = its bias + SiLU, attn =
// attention incl. its SiLU, out = LN(O)*U + W_o; embed + first LN + head in other_pct);
// proj_gflops (pure sgemm: compare with Sgemm on the same shape), attn_gflops and out_gflops
// are each part's flops over its time.
// One thread (init_blas). KV in fp32, pages of 64 tokens. Rates use CPU time (the default of
// Google Benchmark rate counters; the phase split and speedup use thread CPU time too), so
// other processes on the machine skew them less than wall time.
#include <benchmark/benchmark.h>
#include <cblas.h>
#include <fmt/format.h>

#include <ctime>
#include <vector>

#include "common/blas.h"
#include "common/rng.h"
#include "gr_model/model.h"
#include "gr_model/reference.h"

namespace helm {
namespace {

void Sgemm(benchmark::State& st) {
  const int m = st.range(0), n = st.range(1), k = st.range(2);
  Rng rng(1);
  std::vector<float> a(static_cast<size_t>(m) * k), b(static_cast<size_t>(k) * n), c(static_cast<size_t>(m) * n);
  for (auto& x : a) x = static_cast<float>(rng.uniform());
  for (auto& x : b) x = static_cast<float>(rng.uniform());
  for (auto _ : st) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a.data(), k, b.data(), n,
                0.0f, c.data(), n);
    benchmark::DoNotOptimize(c.data());
  }
  st.counters["GFLOPS"] = benchmark::Counter(2.0 * m * n * k * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}
// small: T = 511 + 32 rows, D 64 -> 256 (UVQK), 64 -> 64 (W_o); ml-20m: T = 220, 256 -> 1024, 256 -> 256.
BENCHMARK(Sgemm)->Args({543, 256, 64})->Args({543, 64, 64})->Args({220, 1024, 256})->Args({220, 256, 256})
    ->Args({58, 256, 64})->Args({30, 1024, 256});

// Thread CPU time: the machine is shared, and CPU time is what one core spends on a forward.
double cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

struct Setup {
  Setup(const char* cfg, int L, int M)
      : w(random_weights(model_config(cfg), 100000, 3)), model(w), kv(w.cfg, L, 64) {
    Rng rng(7);
    emb.resize(static_cast<size_t>(L + M) * w.cfg.D);
    for (int t = 0; t < L + M; ++t) {
      w.E->read(static_cast<ItemId>(rng.below(100000)), emb.data() + static_cast<size_t>(t) * w.cfg.D);
      rows.push_back(emb.data() + static_cast<size_t>(t) * w.cfg.D);
    }
    scores.resize(M);
    this->L = L;
    this->M = M;
  }
  SeqInput input(int L0) { return {L0, L - L0, M, rows.data() + L0, kv.view(), scores.data()}; }
  // Mean thread CPU seconds of `reps` forwards of visit (L0 -> L), after the prefix is cached.
  double time_visit(int L0, int reps) {
    prefill(L0);
    SeqInput s = input(L0);
    model.forward(std::span(&s, 1), ws);
    const double t0 = cpu_seconds();
    for (int i = 0; i < reps; ++i) model.forward(std::span(&s, 1), ws);
    return (cpu_seconds() - t0) / reps;
  }
  void prefill(int L0) {
    if (L0 == 0) return;
    SeqInput first{0, L0, 0, rows.data(), kv.view(), nullptr};
    model.forward(std::span(&first, 1), ws);
  }
  Weights w;
  HstuModel model;
  OwnedKv kv;
  Workspace ws;
  std::vector<float> emb, scores;
  std::vector<const float*> rows;
  int L, M;
};

void Forward(benchmark::State& st, const char* cfg, int L, int M, bool cached) {
  init_blas();
  Setup s(cfg, L, M);
  const int L0 = cached ? static_cast<int>(0.95 * L) : 0;
  s.prefill(L0);
  SeqInput in = s.input(L0);
  s.ws.collect_times = true;
  s.model.forward(std::span(&in, 1), s.ws);  // warm the workspace
  s.ws.times = {};
  int64_t iters = 0;
  const double t0 = cpu_seconds();
  for (auto _ : st) {
    s.model.forward(std::span(&in, 1), s.ws);
    benchmark::DoNotOptimize(s.scores.data());
    ++iters;
  }
  const double sec = (cpu_seconds() - t0) / iters;
  const auto f = s.model.flop_count(std::span<const SeqInput>(&in, 1));
  const auto& t = s.ws.times;
  const double tot = static_cast<double>(t.total());
  st.counters["GFLOPS"] = benchmark::Counter(f.total() * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  st.counters["proj_gflops"] = f.proj * iters / t.proj_ns;
  st.counters["attn_gflops"] = f.attn * iters / t.attn_ns;
  st.counters["out_gflops"] = f.out * iters / t.out_ns;
  st.counters["proj_pct"] = 100.0 * t.proj_ns / tot;
  st.counters["attn_pct"] = 100.0 * t.attn_ns / tot;
  st.counters["out_pct"] = 100.0 * t.out_ns / tot;
  st.counters["act_pct"] = 100.0 * t.act_ns / tot;
  st.counters["other_pct"] = 100.0 * (t.embed_ns + t.norm_ns + t.head_ns) / tot;
  if (cached) {
    s.ws.collect_times = false;
    st.counters["speedup"] = s.time_visit(0, 30) / sec;  // full / cached, thread CPU time
    st.counters["cached_tokens"] = L0;
  }
  st.SetLabel(fmt::format("{} L={} M={} L0={} MFLOP={:.1f}", cfg, L, M, L0, f.total() * 1e-6));
}

BENCHMARK_CAPTURE(Forward, small_full, "small", 511, 32, false)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(Forward, small_cached, "small", 511, 32, true)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(Forward, ml20m_full, "ml-20m", 200, 20, false)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(Forward, ml20m_cached, "ml-20m", 200, 20, true)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace helm

int main(int argc, char** argv) {
  helm::init_blas();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
