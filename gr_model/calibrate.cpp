#include "gr_model/calibrate.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ostream>
#include <thread>

#include "allocator/device.h"
#include "allocator/emb_cache.h"
#include "allocator/page_pool.h"
#include "common/rng.h"
#include "gr_model/model.h"

namespace helm {

namespace {

using Seqs = std::vector<std::array<int64_t, 3>>;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// The sample shapes: what `run` batches look like, and enough spread in tokens and context to
// separate the dense (per token) and attention (per visible pair) terms.
std::vector<CostSample> sample_plan(const ModelConfig& c) {
  const int64_t cap = c.history_cap(), M = std::max(1, c.M);
  std::vector<CostSample> s;
  auto add = [&](const char* kind, Seqs q) { s.push_back({kind, std::move(q), 0}); };
  for (int64_t n : {1, 8, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192})
    if (n <= cap) add("prefill", {{0, n, 0}}), add("prefill", {{0, n, M}});
  add("prefill", {{0, cap, 0}});
  add("prefill", {{0, cap, M}});
  for (double f : {0.125, 0.25, 0.5, 0.9})
    for (int64_t n : {1, 8, 32}) {
      const int64_t cached = static_cast<int64_t>(f * cap);
      if (cached + n <= cap) add("incremental", {{cached, n, M}});
    }
  for (int64_t m : {int64_t{1}, M / 2, 2 * M, 4 * M})
    if (m > 0) add("candidates", {{cap / 4, 8, m}});
  for (int b : {2, 4, 8, 16}) {
    Seqs mix, full;
    for (int i = 0; i < b; ++i) {
      mix.push_back(i % 2 ? std::array<int64_t, 3>{cap / 4, 8, M} : std::array<int64_t, 3>{0, cap / 4, M});
      full.push_back({0, cap / 2, M});
    }
    add("batch", mix);
    add("batch", full);
  }
  return s;
}

// Solves A x = b (n x n, row-major) by Gaussian elimination with partial pivoting.
std::vector<double> solve(std::vector<double> A, std::vector<double> b) {
  const size_t n = b.size();
  for (size_t k = 0; k < n; ++k) {
    size_t p = k;
    for (size_t i = k + 1; i < n; ++i)
      if (std::abs(A[i * n + k]) > std::abs(A[p * n + k])) p = i;
    for (size_t j = 0; j < n; ++j) std::swap(A[k * n + j], A[p * n + j]);
    std::swap(b[k], b[p]);
    const double d = A[k * n + k];
    if (std::abs(d) < 1e-300) continue;
    for (size_t i = k + 1; i < n; ++i) {
      const double f = A[i * n + k] / d;
      for (size_t j = k; j < n; ++j) A[i * n + j] -= f * A[k * n + j];
      b[i] -= f * b[k];
    }
  }
  std::vector<double> x(n, 0);
  for (size_t k = n; k-- > 0;) {
    double s = b[k];
    for (size_t j = k + 1; j < n; ++j) s -= A[k * n + j] * x[j];
    x[k] = std::abs(A[k * n + k]) < 1e-300 ? 0 : s / A[k * n + k];
  }
  return x;
}

}  // namespace

std::vector<CostSample> calibration_samples(const ModelConfig& c) { return sample_plan(c); }

void fit_hstu(const ModelConfig& cfg, CostModel& m) {
  // Knots of the dense term: powers of 4 from 8 tokens to the largest batch measured.
  int64_t tmax = 1;
  for (const auto& s : m.samples) {
    int64_t t = 0;
    for (const auto& q : s.seqs) t += q[1] + q[2];
    tmax = std::max(tmax, t);
  }
  std::vector<double> knots{1};
  for (double k = 8; k < tmax; k *= 4) knots.push_back(k);
  knots.push_back(static_cast<double>(tmax));
  const size_t K = knots.size(), nv = 3 + K;  // batch_ns, seq_ns, attn, g_1..g_K
  // Rows: the model is linear in every unknown once T's interpolation weights are fixed.
  std::vector<std::vector<double>> rows;
  std::vector<double> y;
  for (const auto& s : m.samples) {
    HstuWork w;
    for (const auto& q : s.seqs) w.add(cfg, q[0], q[1], q[2], m.bytes_per_element);
    std::vector<double> r(nv, 0);
    r[0] = 1;
    r[1] = static_cast<double>(w.sequences);
    r[2] = w.attn_flops * 1e-9;
    const double T = static_cast<double>(w.tokens);
    size_t k = static_cast<size_t>(std::upper_bound(knots.begin(), knots.end(), T) - knots.begin());
    if (k == 0) r[3] = w.dense_flops * 1e-9;
    else if (k >= K) r[3 + K - 1] = w.dense_flops * 1e-9;
    else {
      const double t = (T - knots[k - 1]) / (knots[k] - knots[k - 1]);
      r[3 + k - 1] = (1 - t) * w.dense_flops * 1e-9;
      r[3 + k] = t * w.dense_flops * 1e-9;
    }
    rows.push_back(r);
    y.push_back(s.ns);
  }
  // Weighted least squares (weight 1/t: relative error), non-negative by an active set: fix the
  // most negative coefficient at 0 and re-solve until none is negative.
  std::vector<bool> fixed(nv, false);
  std::vector<double> x(nv, 0);
  for (size_t iter = 0; iter <= nv; ++iter) {
    std::vector<double> A(nv * nv, 0), b(nv, 0);
    for (size_t i = 0; i < rows.size(); ++i) {
      const double wt = 1.0 / (y[i] * y[i]);
      for (size_t p = 0; p < nv; ++p) {
        if (fixed[p]) continue;
        b[p] += wt * rows[i][p] * y[i];
        for (size_t q = 0; q < nv; ++q)
          if (!fixed[q]) A[p * nv + q] += wt * rows[i][p] * rows[i][q];
      }
    }
    for (size_t p = 0; p < nv; ++p) A[p * nv + p] += fixed[p] ? 1 : 1e-12 * (A[p * nv + p] + 1e-30);
    x = solve(A, b);
    size_t worst = nv;
    for (size_t p = 0; p < nv; ++p)
      if (!fixed[p] && x[p] < 0 && (worst == nv || x[p] < x[worst])) worst = p;
    if (worst == nv) break;
    fixed[worst] = true;
  }
  for (size_t p = 0; p < nv; ++p)
    if (fixed[p]) x[p] = 0;
  m.batch_ns = x[0];
  m.seq_ns = x[1];
  m.attn_ns_per_gflop = x[2];
  m.dense_ns_per_gflop.x = knots;
  m.dense_ns_per_gflop.y.assign(x.begin() + 3, x.end());
  // A knot no sample constrains (all weight elsewhere) takes its neighbour's value.
  for (size_t k = 0; k < K; ++k) {
    double used = 0;
    for (const auto& r : rows) used += r[3 + k];
    if (used == 0) m.dense_ns_per_gflop.y[k] = k ? m.dense_ns_per_gflop.y[k - 1] : 0;
  }
  double sum = 0, worst = 0;
  for (const auto& s : m.samples) {
    const double e = std::abs(m.sample_ns(cfg, s) - s.ns) / s.ns;
    sum += e;
    worst = std::max(worst, e);
  }
  m.fit_mean_rel_err = m.samples.empty() ? 0 : sum / m.samples.size();
  m.fit_max_rel_err = worst;
}

void time_cpu_batches(const ModelConfig& cfg, std::span<CostSample> samples, const CalibrateOptions& opt,
                      std::vector<double>* spread) {
  const Weights w = random_weights(cfg, 4096, opt.seed);
  const HstuModel model(w);
  Workspace ws;
  const KvLayout layout = KvLayout::for_page(cfg.layers, cfg.heads, cfg.d_qk, cfg.d_v, opt.page_bytes);
  std::vector<float> table(4096 * static_cast<size_t>(cfg.D));
  Rng rng(stream_seed(opt.seed, "calibrate"));
  for (auto& v : table) v = static_cast<float>(rng.uniform() * 0.2 - 0.1);
  // Inputs of every sample, built once; then `reps` rounds that each time every sample once,
  // round-robin, so a burst of interference from other processes spreads over all samples
  // instead of skewing a few; the median over rounds is kept.
  struct Prepared {
    std::vector<std::vector<float>> pages;
    std::vector<KvView> views;
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
    p.views.resize(ns), p.rows.resize(ns), p.scores.resize(ns), p.in.resize(ns);
    for (size_t i = 0; i < ns; ++i) {
      const auto [c0, n, mc] = s.seqs[i];
      p.views[i].layout = layout;
      for (int k = 0; k < layout.pages_for(c0 + n); ++k) {
        p.pages.emplace_back(layout.page_floats(), 0.01f);
        p.views[i].pages.push_back(p.pages.back().data());
      }
      for (int64_t k = 0; k < n + mc; ++k)
        p.rows[i].push_back(table.data() + static_cast<size_t>((i * 131 + k) % 4096) * cfg.D);
      p.scores[i].resize(static_cast<size_t>(mc));
      p.in[i] = {static_cast<int>(c0), static_cast<int>(n), static_cast<int>(mc), p.rows[i].data(),
                 &p.views[i], p.scores[i].data()};
    }
    model.forward(p.in, ws);  // warm: workspace grown, pages touched
  }
  // Before each timed pass, a sweep through opt.flush_bytes of other memory: in `run` a batch's
  // forward follows the request path (history, hashing, EMB lookups) and often an idle sleep, so
  // its weights, rows and K/V pages are not in the private caches the way a repeated call's are.
  std::vector<char> sweep(opt.flush_bytes);
  for (int r = 0; r < opt.reps; ++r)
    for (auto& p : prep) {
      // The idle worker's loop (mpi_worker.cpp): sleeps of at most 100 us until work arrives.
      const auto idle_end = std::chrono::steady_clock::now() + std::chrono::nanoseconds(opt.idle_before_ns);
      for (auto now = std::chrono::steady_clock::now(); now < idle_end; now = std::chrono::steady_clock::now())
        std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(std::chrono::microseconds(100), idle_end - now));
      for (size_t k = 0; k < sweep.size(); k += 64) sweep[k] = static_cast<char>(sweep[k] + 1);
      const auto t0 = std::chrono::steady_clock::now();
      model.forward(p.in, ws);
      p.t.push_back(std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count());
    }
  for (size_t si = 0; si < samples.size(); ++si) {
    samples[si].ns = median(prep[si].t);
    if (spread && samples[si].ns > 0)
      for (double t : prep[si].t) spread->push_back(t / samples[si].ns);
  }
}

void calibrate_hstu_cpu(const CalibrateOptions& opt, CostModel& m, std::ostream& log) {
  const ModelConfig& cfg = model_config(opt.model);
  m.samples = sample_plan(cfg);
  std::vector<double> spread;
  time_cpu_batches(cfg, m.samples, opt, &spread);
  fit_hstu(cfg, m);
  m.forward_spread = DelayQuantiles::from_samples(spread);
  log << fmt::format("spread: a forward's time over its shape's median, {} repetitions: P10 {:.3f}, P50 {:.3f}, "
                     "P90 {:.3f}, P99 {:.3f}\n", spread.size(), m.forward_spread.quantile(0.1),
                     m.forward_spread.quantile(0.5), m.forward_spread.quantile(0.9), m.forward_spread.quantile(0.99));
  log << fmt::format("hstu: {} samples, fit mean |rel err| {:.1f}%, max {:.1f}%; batch {:.1f} us, "
                     "seq {:.1f} us, attention {:.3g} ns/GFLOP\n",
                     m.samples.size(), 100 * m.fit_mean_rel_err, 100 * m.fit_max_rel_err,
                     m.batch_ns / 1e3, m.seq_ns / 1e3, m.attn_ns_per_gflop);
  for (size_t k = 0; k < m.dense_ns_per_gflop.x.size(); ++k)
    log << fmt::format("  dense at {:>6.0f} tokens: {:.4g} ns/GFLOP ({:.1f} GFLOP/s)\n",
                       m.dense_ns_per_gflop.x[k], m.dense_ns_per_gflop.y[k],
                       m.dense_ns_per_gflop.y[k] > 0 ? 1e9 / m.dense_ns_per_gflop.y[k] : 0.0);
}

void calibrate_idle_cpu(const CalibrateOptions& opt, CostModel& m, std::ostream& log) {
  const ModelConfig& cfg = model_config(opt.model);
  const std::vector<double> idle_ns = {0, 250e3, 500e3, 1e6, 2e6, 4e6, 8e6};
  std::vector<double> t;
  for (double idle : idle_ns) {
    CalibrateOptions o = opt;
    o.idle_before_ns = static_cast<int64_t>(idle);
    std::vector<CostSample> one = {{"idle", {{0, cfg.N / 2, cfg.M}}, 0}};
    time_cpu_batches(cfg, one, o);
    t.push_back(one[0].ns);
  }
  m.idle_penalty_ns = {idle_ns, {}};
  for (double x : t) m.idle_penalty_ns.y.push_back(std::max(0.0, x - t[0]));
  std::string points;
  for (size_t k = 1; k < idle_ns.size(); ++k)
    points += fmt::format("{}{:.2f} ms: +{:.1f} us", k > 1 ? ", " : "", idle_ns[k] / 1e6, m.idle_penalty_ns.y[k] / 1e3);
  log << fmt::format("idle: forward of one sequence ({} new, {} candidates) {:.1f} us right after another; after "
                     "an idle sleep of {}\n", cfg.N / 2, cfg.M, t[0] / 1e3, points);
}

void calibrate_emb_cpu(const CalibrateOptions& opt, CostModel& m, std::ostream& log) {
  const ModelConfig& cfg = model_config(opt.model);
  const int64_t items = 1 << 20;
  GeneratedHostTable table(items, cfg.D, stream_seed(opt.seed, "emb"), 0.1f);
  CpuDevice dev(size_t{64} << 20, opt.page_bytes);
  PagePool pool(dev.num_pages(), 1.0);
  EmbCache emb(pool, dev, table);
  std::vector<const float*> rows;
  std::vector<ItemId> ids(256);
  // Misses: fresh ids every batch, admitted into free space (the cache never fills here).
  ItemId next = 0;
  std::vector<double> miss, hit;
  for (int r = 0; r < 40; ++r) {
    for (auto& i : ids) i = next++;
    EmbBatchStats st;
    const auto t0 = std::chrono::steady_clock::now();
    emb.lookup_batch(ids, rows, st);
    emb.end_batch();
    miss.push_back(std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count() / ids.size());
  }
  // Hits: the same resident ids again, spread over the cache.
  for (int r = 0; r < 40; ++r) {
    for (size_t k = 0; k < ids.size(); ++k) ids[k] = static_cast<ItemId>((k * 37 + r * 256) % next);
    EmbBatchStats st;
    const auto t0 = std::chrono::steady_clock::now();
    emb.lookup_batch(ids, rows, st);
    emb.end_batch();
    hit.push_back(std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count() / ids.size());
  }
  m.emb_miss_ns = median(miss);
  m.emb_hit_ns = median(hit);
  log << fmt::format("emb: hit {:.1f} ns/row, miss {:.1f} ns/row (host read + admission; the copy is the link's)\n",
                     m.emb_hit_ns, m.emb_miss_ns);
}

HarnessTiming measure_harness_timing() {
  using clk = std::chrono::steady_clock;
  const auto ns = [](clk::duration d) { return static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(d).count()); };
  Rng rng(stream_seed(1, "harness-timing"));
  HarnessTiming h;
  // The real worker's wait for a deadline (batch timeout, link): sleep min(100 us, left) until
  // the deadline has passed; lateness = when it notices - the deadline.
  constexpr int kTrials = 100;
  for (int i = 0; i < kTrials; ++i) {
    const auto deadline = clk::now() + std::chrono::microseconds(300 + rng.below(400));
    auto now = clk::now();
    while (now < deadline) {
      std::this_thread::sleep_for(std::min<clk::duration>(std::chrono::microseconds(100), deadline - now));
      now = clk::now();
    }
    h.late_trials.push_back(ns(now - deadline));
  }
  // One sleep's overshoot (rank 0's pacing loop wakes for an arrival this late).
  for (int i = 0; i < kTrials; ++i) {
    const auto t0 = clk::now();
    std::this_thread::sleep_for(std::chrono::microseconds(100));
    h.overshoot_trials.push_back(ns(clk::now() - t0) - 100e3);
  }
  // An idle worker's loop (sleep 100 us, then look): how long after a random instant it looks.
  for (int i = 0; i < kTrials; ++i) {
    const auto event = clk::now() + std::chrono::microseconds(rng.below(300));
    auto now = clk::now();
    while (now < event) {
      std::this_thread::sleep_for(std::chrono::microseconds(100));
      now = clk::now();
    }
    h.detect_trials.push_back(ns(now - event));
  }
  const auto mean = [](const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return s / static_cast<double>(v.size());
  };
  h.deadline_late_ns = mean(h.late_trials);
  h.sleep_overshoot_ns = mean(h.overshoot_trials);
  h.poll_detect_ns = mean(h.detect_trials);
  return h;
}

void set_harness_timing(CostModel& m, const HarnessTiming& h) {
  m.wake_ns = h.deadline_late_ns;
  m.admit_ns = h.sleep_overshoot_ns + h.poll_detect_ns;
  m.wake_quantiles = DelayQuantiles::from_samples(h.late_trials);
  // The two parts of the admission lag are separate loops (rank 0's pacing sleep, the worker's
  // poll): independent, so their sum's distribution is that of every pair of trials.
  m.admit_quantiles = DelayQuantiles::sum_of(h.overshoot_trials, h.detect_trials);
}

}  // namespace helm
