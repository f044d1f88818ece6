// HstuModel on the CPU: the batch driver. Every computed token of the batch is one row of the
// batch buffers, so layer norm, the [U V Q K] projection and the W_o product each run as one
// sgemm (or gemm_rows, for few rows)/loop over the whole batch; attention runs per sequence and head (attention_cpu.cpp).
//
// Row order: all sequences' new history tokens first (rows [0, Th)), then all candidates
// (rows [Th, T)). The last layer's history outputs feed nothing (scores read candidates only,
// and the cached K/V of the last layer come from its input), so the last layer computes
// attention and W_o for the candidate rows [Th, T) only; it still writes the history K/V.
#include <cblas.h>

#include <ctime>
#include <cmath>
#include <cstring>

#include "common/error.h"
#include "gr_model/attention_cpu.h"
#include "gr_model/batch_check.h"
#include "gr_model/kernels_cpu.h"
#include "gr_model/math_cpu.h"
#include "gr_model/model.h"

namespace helm {
namespace {
// A KV-cached visit projects a few dozen rows. There sgemm spends much of its time packing the
// weights on every call, and gemm_rows on weights packed once is faster (measured on ml-20m's
// 30 x 256 x 1024: ~1.3x); from ~60 rows, or with a model's weights (of one kind, all layers)
// small enough to stay in L2 (`small`), sgemm is faster.
constexpr int kPanelMaxRows = 48;
constexpr size_t kPanelMinBytes = size_t{1} << 20;
template <typename T>
void grow(std::vector<T>& v, size_t n) {
  if (v.size() < n) v.resize(n);  // never shrinks: steady state reuses the storage
}
// Thread CPU time: the split of one forward's own work, unaffected by preemption when other
// processes share the core (a syscall, ~20 per forward, only while collect_times is set).
int64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}
// Adds the time since the last call to *slot when enabled.
struct PhaseClock {
  bool on;
  int64_t t = on ? now_ns() : 0;
  void lap(int64_t& slot) {
    if (!on) return;
    const int64_t t1 = now_ns();
    slot += t1 - t;
    t = t1;
  }
};
int score_ld(int N) { return (N + 15) / 16 * 16; }
}  // namespace

size_t Workspace::bytes() const {
  return sizeof(float) * (x_.capacity() + xh_.capacity() + uvqk_.capacity() + o_.capacity() +
                          tmp_.capacity() + s_.capacity() + qo_.capacity() + scratch_kv_.capacity());
}

HstuModel::HstuModel(const Weights& w) : w_(w) {
  validate(w.cfg, "model config '" + w.cfg.name + "'");
  check_shapes(w);
  for (const auto& l : w.layers) rab_rev_.emplace_back(l.rab.rbegin(), l.rab.rend());
  const int D = w.cfg.D, W = w.cfg.uvqk_width(), HV = w.cfg.heads * w.cfg.d_v;
  const size_t layers = w.layers.size();
  if (W % cpu::kPanel == 0 && D <= 1024 && layers * 4 * D * W >= kPanelMinBytes)
    for (const auto& l : w.layers) uvqk_panels_.push_back(cpu::pack_panels(l.W_uvqk.data(), D, W));
  if (D % cpu::kPanel == 0 && HV <= 1024 && layers * 4 * HV * D >= kPanelMinBytes)
    for (const auto& l : w.layers) wo_panels_.push_back(cpu::pack_panels(l.W_o.data(), HV, D));
}

void HstuModel::grow_rows(Workspace& ws, int T) const {
  const ModelConfig& c = w_.cfg;
  const size_t rows = static_cast<size_t>(T), HV = static_cast<size_t>(c.heads) * c.d_v;
  grow(ws.x_, rows * c.D);
  grow(ws.xh_, rows * c.D);
  grow(ws.uvqk_, rows * c.uvqk_width());
  grow(ws.o_, rows * HV);
  grow(ws.tmp_, rows * HV);
  grow(ws.s_, static_cast<size_t>(cpu::kQueryBlock) * score_ld(c.N));
  grow(ws.qo_, static_cast<size_t>(cpu::kQueryBlock + c.N) * (c.d_qk + c.d_v));  // + K/V gather
}

void HstuModel::reserve(Workspace& ws, int seqs, int history_rows, int candidate_rows, int tokens_per_page) const {
  grow_rows(ws, history_rows + candidate_rows);
  // Scratch K/V of uncached sequences: each rounds up to whole pages, so at most one page more
  // per sequence than the tokens fill.
  KvLayout scratch = kv_layout(w_.cfg, tokens_per_page);
  scratch.layers = 1;
  grow(ws.scratch_kv_, (scratch.pages_for(history_rows) + static_cast<size_t>(seqs)) * scratch.page_floats());
  ws.plan_.reserve(static_cast<size_t>(seqs));
  ws.scratch_views_.reserve(static_cast<size_t>(seqs));
}

void HstuModel::forward(std::span<SeqInput> batch, Workspace& ws) const {
  const ModelConfig& c = w_.cfg;
  const int D = c.D, W = c.uvqk_width(), HV = c.heads * c.d_v;
  const BatchShape shape = check_batch(c, batch, sizeof(float), /*one_page_size=*/false);
  const int Th = shape.history_tokens, Tc = shape.candidate_tokens, tpp = shape.tokens_per_page;
  const int T = Th + Tc;
  if (T == 0) return;
  PhaseClock clk{ws.collect_times};

  // Plan rows and scratch pages (one layer's worth, reused by every layer).
  KvLayout scratch = kv_layout(c, tpp > 0 ? tpp : ws.scratch_tokens_per_page);
  scratch.layers = 1;
  size_t scratch_floats = 0;
  for (const SeqInput& s : batch)
    if (!s.kv) scratch_floats += scratch.pages_for(s.new_tokens) * scratch.page_floats();
  grow(ws.scratch_kv_, scratch_floats);
  ws.plan_.resize(batch.size());
  ws.scratch_views_.resize(batch.size());
  for (size_t i = 0, hr = 0, cr = Th, off = 0; i < batch.size(); ++i) {
    const SeqInput& s = batch[i];
    auto& p = ws.plan_[i];
    p.hist_row = static_cast<int>(hr);
    p.cand_row = static_cast<int>(cr);
    hr += s.new_tokens;
    cr += s.num_candidates;
    if (s.kv) {
      p.kv = s.kv;
      p.kv_layer_stride = 1;
    } else {
      KvView& v = ws.scratch_views_[i];
      v.layout = scratch;
      v.pages.resize(scratch.pages_for(s.new_tokens));
      for (auto& pg : v.pages) pg = ws.scratch_kv_.data() + off, off += scratch.page_floats();
      p.kv = &v;
      p.kv_layer_stride = 0;
    }
  }
  grow_rows(ws, T);
  float *x = ws.x_.data(), *xh = ws.xh_.data(), *uvqk = ws.uvqk_.data();
  float *o = ws.o_.data(), *tmp = ws.tmp_.data();

  embed(batch, ws);
  clk.lap(ws.times.embed_ns);
  for (int l = 0; l < c.layers; ++l) {
    const LayerWeights& lw = w_.layers[l];
    const bool last = l == c.layers - 1;
    for (int r = 0; r < T; ++r) cpu::layer_norm(x + static_cast<size_t>(r) * D, xh + static_cast<size_t>(r) * D, D);
    clk.lap(ws.times.norm_ns);
    if (T <= kPanelMaxRows && !uvqk_panels_.empty())
      cpu::gemm_rows(xh, T, D, uvqk_panels_[l].data(), W, uvqk);
    else
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, T, W, D, 1.0f, xh, D, lw.W_uvqk.data(),
                  W, 0.0f, uvqk, W);
    clk.lap(ws.times.proj_ns);
    for (int r = 0; r < T; ++r) cpu::bias_silu_row(uvqk + static_cast<size_t>(r) * W, lw.b_uvqk.data(), W);
    clk.lap(ws.times.act_ns);
    // New history K/V of this layer into the pages (attention then reads all keys from them).
    for (size_t i = 0; i < batch.size(); ++i) {
      const auto& p = ws.plan_[i];
      const KvLayout& L = p.kv->layout;
      const int kl = l * p.kv_layer_stride;
      for (int k = 0; k < batch[i].new_tokens; ++k) {
        const int pos = batch[i].cached_len + k;
        float* page = p.kv->pages[pos / L.tokens_per_page];
        const float* row = uvqk + static_cast<size_t>(p.hist_row + k) * W;
        std::memcpy(L.k(page, kl, pos % L.tokens_per_page), row + c.k_col(), L.k_row() * sizeof(float));
        std::memcpy(L.v(page, kl, pos % L.tokens_per_page), row + c.v_col(), L.v_row() * sizeof(float));
      }
    }
    attention(batch, ws, l, last);
    clk.lap(ws.times.attn_ns);
    // X += (LN(O) * U) W_o + b_o over the rows whose output is still needed.
    const int r0 = last ? Th : 0, rows = T - r0;
    if (rows > 0) {
      for (int r = r0; r < T; ++r) {
        float* t = tmp + static_cast<size_t>(r) * HV;
        const float* u = uvqk + static_cast<size_t>(r) * W + c.u_col();
        cpu::layer_norm(o + static_cast<size_t>(r) * HV, t, HV);
        for (int j = 0; j < HV; ++j) t[j] *= u[j];
        float* xr = x + static_cast<size_t>(r) * D;
        for (int j = 0; j < D; ++j) xr[j] += lw.b_o[j];
      }
      if (rows <= kPanelMaxRows && !wo_panels_.empty())
        cpu::gemm_rows(tmp + static_cast<size_t>(r0) * HV, rows, HV, wo_panels_[l].data(), D,
                       x + static_cast<size_t>(r0) * D, /*accumulate=*/true);
      else
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, D, HV, 1.0f,
                    tmp + static_cast<size_t>(r0) * HV, HV, lw.W_o.data(), D, 1.0f,
                    x + static_cast<size_t>(r0) * D, D);
    }
    clk.lap(ws.times.out_ns);
  }
  // Scores: head_w . LN(X_final[c]) + head_b.
  for (size_t i = 0; i < batch.size(); ++i) {
    for (int m = 0; m < batch[i].num_candidates; ++m) {
      const size_t r = static_cast<size_t>(ws.plan_[i].cand_row + m);
      cpu::layer_norm(x + r * D, xh + r * D, D);
      double s = 0;
      for (int j = 0; j < D; ++j) s += static_cast<double>(w_.head_w[j]) * xh[r * D + j];
      batch[i].scores[m] = static_cast<float>(s + w_.head_b);
    }
  }
  clk.lap(ws.times.head_ns);
}

// x_t = E[item_t] * sqrt(D) + P[pos_t]; the caller already fetched E rows.
void HstuModel::embed(std::span<SeqInput> batch, Workspace& ws) const {
  const int D = w_.cfg.D;
  const float sq = std::sqrt(static_cast<float>(D));
  auto put = [&](int row, const float* e, int pos) {
    float* x = ws.x_.data() + static_cast<size_t>(row) * D;
    const float* p = w_.P.data() + static_cast<size_t>(pos) * D;
    for (int j = 0; j < D; ++j) x[j] = e[j] * sq + p[j];
  };
  for (size_t i = 0; i < batch.size(); ++i) {
    const SeqInput& s = batch[i];
    for (int k = 0; k < s.new_tokens; ++k) put(ws.plan_[i].hist_row + k, s.rows[k], s.cached_len + k);
    for (int m = 0; m < s.num_candidates; ++m)
      put(ws.plan_[i].cand_row + m, s.rows[s.new_tokens + m], s.cached_len + s.new_tokens);
  }
}

void HstuModel::attention(std::span<SeqInput> batch, Workspace& ws, int layer, bool last) const {
  const ModelConfig& c = w_.cfg;
  const int W = c.uvqk_width(), HV = c.heads * c.d_v;
  const float* uvqk = ws.uvqk_.data();
  for (size_t i = 0; i < batch.size(); ++i) {
    const SeqInput& s = batch[i];
    const auto& p = ws.plan_[i];
    float* qo = ws.qo_.data();
    const size_t QB = cpu::kQueryBlock;
    cpu::AttnCtx ctx{c.heads, c.d_qk, c.d_v, c.N, rab_rev_[layer].data(), p.kv,
                     layer * p.kv_layer_stride, ws.s_.data(), score_ld(c.N), qo, qo + QB * c.d_qk,
                     qo + QB * (c.d_qk + c.d_v), qo + QB * (c.d_qk + c.d_v) + static_cast<size_t>(c.N) * c.d_qk};
    // The last layer's history outputs feed nothing: only its candidates are queried.
    const int n = last ? 0 : s.new_tokens;
    const float* hist = uvqk + static_cast<size_t>(p.hist_row) * W;
    const float* cand = uvqk + static_cast<size_t>(p.cand_row) * W;
    for (int h = 0; h < c.heads; ++h)
      cpu::attend(ctx, h, hist, n, s.cached_len + s.new_tokens - n, cand, s.num_candidates, W,
                  c.q_col(), c.k_col(), c.v_col(),
                  ws.o_.data() + static_cast<size_t>(p.hist_row) * HV,
                  ws.o_.data() + static_cast<size_t>(p.cand_row) * HV, HV);
  }
}

HstuModel::FlopCount HstuModel::flop_count(std::span<const SeqInput> batch) const {
  const ModelConfig& c = w_.cfg;
  const double D = c.D, W = c.uvqk_width(), HV = c.heads * c.d_v;
  const double per_pair = 2.0 * c.heads * (c.d_qk + c.d_v);  // QK^T and AV, all heads
  FlopCount f;
  for (const SeqInput& s : batch) {
    const double n = s.new_tokens, m = s.num_candidates, L0 = s.cached_len, L = L0 + n;
    const double hist_pairs = n * L0 + n * (n + 1) / 2;  // token L0+k sees L0+k+1 keys
    const double cand_pairs = m * (L + 1);
    f.proj += c.layers * 2.0 * (n + m) * D * W;
    f.attn += (c.layers - 1) * hist_pairs * per_pair;  // the last layer skips history queries
    f.attn += c.layers * cand_pairs * per_pair;
    f.out += ((c.layers - 1) * (n + m) + m) * 2.0 * HV * D;
  }
  return f;
}

}  // namespace helm
