// The one-command GPU check (scripts/gpu-check.sh): parity of the CUDA forward with the float64
// reference and the CPU forward, KV-cached vs full on the GPU, the caches over a CudaDevice vs a
// CpuDevice, a 1-rank ncclBroadcast when libnccl is found, then benchmarks and the calibration
// (bench.cpp). Writes one JSON file of figures (and the cost model alone beside it); exit code 1
// when a parity or cache check fails, 2 on bad arguments, 3 when there is no GPU.
//
//   gpu_check --out FILE.json [--cost-model FILE.json] [--quick] [--no-bench]
#include <cuda_runtime_api.h>
#include <dlfcn.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>

#include "allocator/cuda_device.h"
#include "allocator/emb_cache.h"
#include "allocator/kv_cache.h"
#include "allocator/page_pool.h"
#include "check.h"
#include "common/rng.h"
#include "gr_model/cuda/cuda_model.h"
#include "gr_model/reference.h"

using namespace helm;
using namespace helm::check;

namespace {

std::vector<ItemId> random_ids(Rng& rng, int n, int64_t items) {
  std::vector<ItemId> v(n);
  for (auto& x : v) x = static_cast<ItemId>(rng.below(static_cast<uint64_t>(items)));
  return v;
}
template <typename A, typename B>
double rel_err(const std::vector<A>& a, const std::vector<B>& b, double floor = 0.1) {
  if (a.size() != b.size()) return 1e30;
  double num = 0, den = floor;
  for (size_t i = 0; i < a.size(); ++i) {
    const double d = std::abs(static_cast<double>(a[i]) - static_cast<double>(b[i]));
    num = std::isnan(d) ? 1e30 : std::max(num, d);
    den = std::max(den, std::abs(static_cast<double>(b[i])));
  }
  return num / den;
}
double tolerance(CudaPrecision p) { return p == CudaPrecision::bf16 ? 2e-2 : 1e-3; }

// GPU scores as score_sequence on the CPU (cached_prefix < 0: no pages, scratch K/V).
std::vector<float> gpu_scores(const CudaHstuModel& m, CudaWorkspace& ws, const Weights& w,
                              const std::vector<ItemId>& hist, const std::vector<ItemId>& cand, int cached_prefix) {
  std::vector<ItemId> ids = hist;
  ids.insert(ids.end(), cand.begin(), cand.end());
  std::vector<float> buf(ids.size() * w.cfg.D);
  std::vector<const float*> rows;
  for (size_t i = 0; i < ids.size(); ++i) {
    w.E->read(ids[i], buf.data() + i * w.cfg.D);
    rows.push_back(buf.data() + i * w.cfg.D);
  }
  const int L = static_cast<int>(hist.size()), M = static_cast<int>(cand.size());
  std::vector<float> scores(M, std::nanf(""));  // poisoned: every score must be written
  if (cached_prefix < 0) {
    SeqInput s{0, L, M, rows.data(), nullptr, scores.data()};
    m.forward(std::span(&s, 1), ws);
    return scores;
  }
  CudaOwnedKv kv(m.kv_layout(16), L);
  if (cached_prefix > 0) {
    SeqInput first{0, cached_prefix, 0, rows.data(), kv.view(), nullptr};
    m.forward(std::span(&first, 1), ws);
  }
  SeqInput second{cached_prefix, L - cached_prefix, M, rows.data() + cached_prefix, kv.view(), scores.data()};
  m.forward(std::span(&second, 1), ws);
  return scores;
}

// Parity over configs x precisions; returns the JSON rows and sets ok.
J parity(bool& ok, std::vector<std::string>& summary) {
  std::vector<J> rows;
  const char* configs[] = {"tiny", "small", "amazon-books", "ml-20m", "kuairand"};
  const CudaPrecision precs[] = {CudaPrecision::fp32, CudaPrecision::tf32, CudaPrecision::bf16};
  double worst[3] = {0, 0, 0};
  for (const char* name : configs) {
    const Weights w = random_weights(model_config(name), 20000, 17);
    const bool big = w.cfg.D >= 512;
    const HstuModel cpu(w);
    Rng rng(23);
    std::vector<int> lengths = big ? std::vector<int>{300} : std::vector<int>{7, 63, 200};
    for (int L : lengths) {
      L = std::min(L, w.cfg.history_cap());
      const int M = 20;
      const auto hist = random_ids(rng, L, w.items), cand = random_ids(rng, M, w.items);
      const auto ref = reference_scores(w, hist, cand);
      // The CPU fp32 forward (plain-loop sgemm here): skipped for kuairand to stay in time.
      const auto on_cpu = big ? std::vector<float>{} : score_sequence(cpu, w, hist, cand, 0);
      const int n_new = std::max(1, std::min(40, L / 10));
      for (int pi = 0; pi < 3; ++pi) {
        const CudaHstuModel gpu(w, precs[pi]);
        CudaWorkspace ws;
        const auto full = gpu_scores(gpu, ws, w, hist, cand, -1);
        const auto paged = gpu_scores(gpu, ws, w, hist, cand, 0);
        const auto cached = gpu_scores(gpu, ws, w, hist, cand, L - n_new);
        const double tol = tolerance(precs[pi]);
        const double e_ref = rel_err(full, ref), e_cached_ref = rel_err(cached, ref),
                     e_cached_full = rel_err(cached, full), e_paged = rel_err(paged, full);
        const double e_cpu = on_cpu.empty() ? 0 : rel_err(full, on_cpu);
        const bool pass = e_ref <= tol && e_cached_ref <= tol && e_cached_full <= tol && e_paged <= tol && e_cpu <= tol;
        ok = ok && pass;
        worst[pi] = std::max({worst[pi], e_ref, e_cached_ref, e_cached_full, e_cpu});
        rows.push_back(Obj()
                           .add("config", name)
                           .add("precision", std::string(precision_name(precs[pi])))
                           .add("tensor_core_attention", gpu.tensor_core_attention())
                           .add("history", L)
                           .add("candidates", M)
                           .add("cached_prefix", L - n_new)
                           .add("err_full_vs_ref", e_ref)
                           .add("err_cached_vs_ref", e_cached_ref)
                           .add("err_cached_vs_full", e_cached_full)
                           .add("err_paged_vs_scratch", e_paged)
                           .add("err_full_vs_cpu", on_cpu.empty() ? J() : J(e_cpu))
                           .add("tolerance", tol)
                           .add("pass", pass)
                           .json());
        if (!pass)
          std::printf("PARITY FAIL %s %s L=%d: ref %.3g cached %.3g cached/full %.3g paged %.3g cpu %.3g (tol %.0e)\n",
                      name, std::string(precision_name(precs[pi])).c_str(), L, e_ref, e_cached_ref, e_cached_full,
                      e_paged, e_cpu, tol);
      }
    }
    std::printf("parity %-13s done\n", name);
    std::fflush(stdout);
  }
  char b[200];
  std::snprintf(b, sizeof b, "parity: worst relative error fp32 %.2e, tf32 %.2e (tol 1e-3), bf16 %.2e (tol 2e-2)",
                worst[0], worst[1], worst[2]);
  summary.push_back(b);
  return arr(rows);
}

// A batch of mixed sequences equals each sequence alone (bf16 and fp32, ml-20m).
J batch_check(bool& ok) {
  std::vector<J> rows;
  for (CudaPrecision p : {CudaPrecision::fp32, CudaPrecision::bf16}) {
    const Weights w = random_weights(model_config("ml-20m"), 20000, 5);
    const CudaHstuModel gpu(w, p);
    CudaWorkspace ws;
    Rng rng(8);
    struct Case { int L, L0, M; };
    const Case cases[] = {{150, 120, 7}, {33, 0, 3}, {50, 50, 5}, {199, 0, 20}};
    std::vector<std::vector<float>> bufs(4), together(4), alone(4);
    std::vector<std::vector<const float*>> rws(4);
    std::vector<std::unique_ptr<CudaOwnedKv>> kvs;
    std::vector<SeqInput> batch;
    for (int i = 0; i < 4; ++i) {
      const Case& c = cases[i];
      const auto hist = random_ids(rng, c.L, w.items), cand = random_ids(rng, c.M, w.items);
      alone[i] = gpu_scores(gpu, ws, w, hist, cand, c.L0);
      auto all = hist;
      all.insert(all.end(), cand.begin(), cand.end());
      bufs[i].resize(all.size() * w.cfg.D);
      for (size_t k = 0; k < all.size(); ++k) {
        w.E->read(all[k], bufs[i].data() + k * w.cfg.D);
        rws[i].push_back(bufs[i].data() + k * w.cfg.D);
      }
      kvs.push_back(std::make_unique<CudaOwnedKv>(gpu.kv_layout(16), c.L));
      if (c.L0 > 0) {
        SeqInput first{0, c.L0, 0, rws[i].data(), kvs.back()->view(), nullptr};
        gpu.forward(std::span(&first, 1), ws);
      }
      together[i].assign(c.M, std::nanf(""));
      batch.push_back({c.L0, c.L - c.L0, c.M, rws[i].data() + c.L0, kvs.back()->view(), together[i].data()});
    }
    gpu.forward(batch, ws);
    double worst = 0;
    for (int i = 0; i < 4; ++i) worst = std::max(worst, rel_err(together[i], alone[i]));
    const bool pass = worst <= tolerance(p) / 10;
    ok = ok && pass;
    rows.push_back(Obj().add("precision", std::string(precision_name(p))).add("err_batch_vs_single", worst)
                       .add("pass", pass).json());
  }
  return arr(rows);
}

// EmbCache/KvCache over CudaDevice (both miss paths) vs CpuDevice: same decisions and bytes.
J cache_check(bool& ok, std::vector<std::string>& summary) {
  std::vector<J> rows;
  constexpr size_t kPage = 16 << 10;
  for (MissPath path : {MissPath::staged, MissPath::mapped}) {
    const GeneratedHostTable table(4000, 32, 77, 0.1f);
    CpuDevice cpu_dev(64 * kPage, kPage);
    CudaDevice gpu_dev(64 * kPage, kPage);
    CudaRowSource source(table, gpu_dev, path);
    PagePool cp(cpu_dev.num_pages(), 0.25), gp(gpu_dev.num_pages(), 0.25);
    EmbCache ce(cp, cpu_dev, table), ge(gp, gpu_dev, source);
    Rng rng(4);
    ZipfSampler zipf(4000, 0.9);
    std::vector<const float*> cr, gr;
    bool same = true;
    for (int batch = 0; batch < 40 && same; ++batch) {
      std::vector<ItemId> items(300);
      for (auto& it : items) it = static_cast<ItemId>(zipf(rng) - 1);
      EmbBatchStats cs, gs;
      ce.lookup_batch(items, cr, cs);
      ge.lookup_batch(items, gr, gs);
      same = same && cs.hits == gs.hits && cs.admitted == gs.admitted && cs.rejected == gs.rejected;
      for (size_t i = 0; i < items.size() && same; ++i) {
        const auto* c = reinterpret_cast<const std::byte*>(cr[i]);
        const bool in_pool = c >= cpu_dev.page(0) && c < cpu_dev.page(0) + cpu_dev.num_pages() * kPage;
        same = in_pool == gpu_dev.contains(gr[i]) &&
               (in_pool ? c - cpu_dev.page(0) == reinterpret_cast<const std::byte*>(gr[i]) - gpu_dev.base()
                        : std::memcmp(cr[i], gr[i], table.row_bytes()) == 0);
      }
      source.flush();
      ce.end_batch();
      ge.end_batch();
    }
    std::vector<std::byte> page(kPage);
    for (PageId p = 0; p < gpu_dev.num_pages() && same; ++p) {
      gpu_dev.read_page(p, page.data());
      same = std::memcmp(page.data(), cpu_dev.page(p), kPage) == 0;
    }
    ok = ok && same;
    rows.push_back(Obj().add("check", "emb_cache_same_decisions_and_bytes")
                       .add("miss_path", path == MissPath::staged ? "staged" : "mapped")
                       .add("rows_copied", source.rows_copied()).add("pass", same).json());
  }
  {  // KV: the same pages for the same acquire sequence; a refill then a page move land.
    const KvLayout layout = KvLayout::for_page(2, 2, 8, 8, kPage, 2);
    CpuDevice cd(32 * kPage, kPage);
    CudaDevice gd(32 * kPage, kPage);
    PagePool cp(32, 0.0), gp(32, 0.0);
    KvCache ck(cp, cd, layout), gk(gp, gd, layout);
    Rng rng(2);
    bool same = true;
    for (int i = 0; i < 200 && same; ++i) {
      const UserId u = static_cast<UserId>(rng.below(20));
      const int64_t total = 1 + static_cast<int64_t>(rng.below(3 * layout.tokens_per_page));
      KvLease a = ck.acquire(u, 0, 0, total), b = gk.acquire(u, 0, 0, total);
      same = a.cached == b.cached && a.view.pages.size() == b.view.pages.size();
      for (size_t k = 0; same && k < a.view.pages.size(); ++k)
        same = reinterpret_cast<std::byte*>(a.view.pages[k]) - cd.page(0) ==
               reinterpret_cast<std::byte*>(b.view.pages[k]) - gd.base();
      ck.commit(a, 1);
      gk.commit(b, 1);
    }
    same = same && ck.lru_order() == gk.lru_order();
    std::vector<std::byte> src(kPage), back(kPage);
    for (size_t i = 0; i < kPage; ++i) src[i] = static_cast<std::byte>(i * 7 + 1);
    gd.refill(3, 0, src.data(), kPage);
    const CudaDevice::PageMove mv{3, 5};
    gd.move_pages(&mv, 1);
    gd.read_page(5, back.data());
    const bool moved = std::memcmp(src.data(), back.data(), kPage) == 0;
    ok = ok && same && moved;
    rows.push_back(Obj().add("check", "kv_cache_same_pages").add("pass", same).json());
    rows.push_back(Obj().add("check", "refill_then_page_move").add("pass", moved).json());
  }
  summary.push_back(std::string("cache operations identical to the CPU backend: ") + (ok ? "yes" : "NO"));
  return arr(rows);
}

// ncclBroadcast on a communicator of one rank, NCCL loaded at run time (HELM_NCCL_LIB or
// libnccl.so.2 on the loader path). More ranks need more GPUs: not testable on one.
J nccl_check(std::vector<std::string>& summary) {
  Obj o;
  o.add("note", "one GPU: a 1-rank communicator is the only NCCL shape testable here; multi-rank untested");
  const char* env = std::getenv("HELM_NCCL_LIB");
  void* lib = dlopen(env && *env ? env : "libnccl.so.2", RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    o.add("ran", false).add("why", std::string("libnccl not loaded: ") + dlerror());
    summary.push_back("nccl: not found, 1-rank broadcast skipped");
    return o.json();
  }
  struct UniqueId { char internal[128]; };
  using GetVersion = int (*)(int*);
  using GetUniqueId = int (*)(UniqueId*);
  using InitRank = int (*)(void**, int, UniqueId, int);
  using Bcast = int (*)(const void*, void*, size_t, int, int, void*, cudaStream_t);
  using Destroy = int (*)(void*);
  auto get_version = reinterpret_cast<GetVersion>(dlsym(lib, "ncclGetVersion"));
  auto get_id = reinterpret_cast<GetUniqueId>(dlsym(lib, "ncclGetUniqueId"));
  auto init = reinterpret_cast<InitRank>(dlsym(lib, "ncclCommInitRank"));
  auto bcast = reinterpret_cast<Bcast>(dlsym(lib, "ncclBroadcast"));
  auto destroy = reinterpret_cast<Destroy>(dlsym(lib, "ncclCommDestroy"));
  if (!get_version || !get_id || !init || !bcast || !destroy) {
    o.add("ran", false).add("why", "symbols missing");
    return o.json();
  }
  int version = 0;
  get_version(&version);
  UniqueId id{};
  void* comm = nullptr;
  bool pass = false;
  double us = 0;
  if (get_id(&id) == 0 && init(&comm, 1, id, 0) == 0) {
    cudaStream_t s;
    cudaStreamCreate(&s);
    double* buf = nullptr;
    cudaMalloc(reinterpret_cast<void**>(&buf), 64 * sizeof(double));
    std::vector<double> h(64), back(64);
    for (int i = 0; i < 64; ++i) h[i] = 0.01 * i;
    cudaMemcpy(buf, h.data(), sizeof(double) * 64, cudaMemcpyHostToDevice);
    constexpr int kFloat64 = 8;  // ncclFloat64
    us = time_ns([&] {
           bcast(buf, buf, 64, kFloat64, 0, comm, s);
           cudaStreamSynchronize(s);
         }, 20, 3) / 1e3;
    cudaMemcpy(back.data(), buf, sizeof(double) * 64, cudaMemcpyDeviceToHost);
    pass = back == h;
    cudaFree(buf);
    cudaStreamDestroy(s);
    destroy(comm);
  }
  o.add("ran", true).add("version", version).add("library", env ? env : "libnccl.so.2")
      .add("pass", pass).add("broadcast_64_doubles_us", us);
  summary.push_back("nccl " + std::to_string(version) + ": 1-rank ncclBroadcast " + (pass ? "ok" : "FAILED") +
                    " (multi-rank needs several GPUs: untested)");
  return o.json();
}

}  // namespace

int main(int argc, char** argv) {
  std::string out = "gpu-check.json", cost_out;
  bool quick = false, bench = true;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--out" && i + 1 < argc) out = argv[++i];
    else if (a == "--cost-model" && i + 1 < argc) cost_out = argv[++i];
    else if (a == "--quick") quick = true;
    else if (a == "--no-bench") bench = false;
    else {
      std::fprintf(stderr, "usage: gpu_check --out FILE.json [--cost-model FILE.json] [--quick] [--no-bench]\n");
      return 2;
    }
  }
  const double t0 = now_ns();
  if (cuda_device_count() == 0) {
    std::fprintf(stderr, "gpu_check: no CUDA device\n");
    return 3;
  }
  cudaDeviceProp prop{};
  cudaGetDeviceProperties(&prop, 0);
  int driver = 0, runtime = 0;
  cudaDriverGetVersion(&driver);
  cudaRuntimeGetVersion(&runtime);
  std::printf("device: %s (sm_%d%d, %d SMs, %.1f GiB)\n", prop.name, prop.major, prop.minor, prop.multiProcessorCount,
              prop.totalGlobalMem / 1073741824.0);
  std::vector<std::string> summary;
  bool ok = true;
  Obj root;
  root.add("schema", "helm-gpu-check/1")
      .add("device", Obj().add("name", prop.name).add("sm", prop.major * 10 + prop.minor)
                         .add("sms", prop.multiProcessorCount).add("memory_bytes", static_cast<double>(prop.totalGlobalMem))
                         .add("l2_bytes", prop.l2CacheSize).add("driver", driver).add("runtime", runtime).json());
  try {
    root.add("parity", parity(ok, summary));
    root.add("batch_vs_single", batch_check(ok));
    root.add("caches", cache_check(ok, summary));
    root.add("nccl", nccl_check(summary));
    Obj partial = root;  // written now, so a run stopped in the benchmarks still leaves the parity
    partial.add("parity_pass", ok).add("partial", true);
    std::ofstream(out) << partial.json().s << "\n";
    if (bench) {
      BenchResult b = run_benchmarks(quick);
      root.add("benchmarks", b.figures.json());
      root.add("cost_model", b.cost_model.json());
      for (auto& s : b.summary) summary.push_back(s);
      if (!cost_out.empty()) {
        std::ofstream f(cost_out);
        f << b.cost_model.json().s << "\n";
      }
    }
  } catch (const std::exception& e) {
    std::printf("gpu_check: error: %s\n", e.what());
    root.add("error", e.what());
    ok = false;
  }
  root.add("parity_pass", ok).add("seconds", (now_ns() - t0) / 1e9);
  std::ofstream(out) << root.json().s << "\n";
  std::printf("\n== gpu check summary (%s) ==\n", prop.name);
  for (const auto& s : summary) std::printf("  %s\n", s.c_str());
  std::printf("%s: parity and cache checks %s, %.0f s, figures in %s\n", ok ? "PASS" : "FAIL",
              ok ? "passed" : "FAILED", (now_ns() - t0) / 1e9, out.c_str());
  return ok ? 0 : 1;
}
