#include "gr_model/attention_cpu.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "gr_model/kernels_cpu.h"
#include "gr_model/math_cpu.h"

namespace helm::cpu {
namespace {

// Copies head h's K and V rows [0, n_keys) out of the pages into c.kg / c.vg.
void gather(const AttnCtx& c, int h, int n_keys) {
  const KvLayout& L = c.kv->layout;
  const int T = L.tokens_per_page;
  for (int p0 = 0, pg = 0; p0 < n_keys; p0 += T, ++pg) {
    const int cnt = std::min(T, n_keys - p0);
    const float* K = L.k(c.kv->pages[pg], c.kv_layer, 0) + h * c.d_qk;
    const float* V = L.v(c.kv->pages[pg], c.kv_layer, 0) + h * c.d_v;
    for (int j = 0; j < cnt; ++j) {
      std::memcpy(c.kg + static_cast<size_t>(p0 + j) * c.d_qk, K + j * L.k_row(), sizeof(float) * c.d_qk);
      std::memcpy(c.vg + static_cast<size_t>(p0 + j) * c.d_v, V + j * L.v_row(), sizeof(float) * c.d_v);
    }
  }
}

// S[r, 0..n_keys) = Q[r] . K[j]: one sgemm over the gathered keys, else one per page chunk.
void qk(const AttnCtx& c, int h, const float* q, int ldq, int rows, int n_keys, bool gathered) {
  if (gathered) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, n_keys, c.d_qk, 1.0f, q, ldq, c.kg,
                c.d_qk, 0.0f, c.s, c.s_ld);
    return;
  }
  const KvLayout& L = c.kv->layout;
  const int T = L.tokens_per_page;
  for (int p0 = 0, pg = 0; p0 < n_keys; p0 += T, ++pg) {
    const int cnt = std::min(T, n_keys - p0);
    const float* K = L.k(c.kv->pages[pg], c.kv_layer, 0) + h * c.d_qk;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, cnt, c.d_qk, 1.0f, q, ldq, K,
                static_cast<int>(L.k_row()), 0.0f, c.s + p0, c.s_ld);
  }
}

// O[r] = sum_j A[r, j] V[j] (overwrites O).
void av(const AttnCtx& c, int h, int rows, int n_keys, float* o, int ldo, bool gathered) {
  if (gathered) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, c.d_v, n_keys, 1.0f, c.s, c.s_ld,
                c.vg, c.d_v, 0.0f, o, ldo);
    return;
  }
  const KvLayout& L = c.kv->layout;
  const int T = L.tokens_per_page;
  for (int p0 = 0, pg = 0; p0 < n_keys; p0 += T, ++pg) {
    const int cnt = std::min(T, n_keys - p0);
    const float* V = L.v(c.kv->pages[pg], c.kv_layer, 0) + h * c.d_v;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, c.d_v, cnt, 1.0f, c.s + p0,
                c.s_ld, V, static_cast<int>(L.v_row()), p0 == 0 ? 0.0f : 1.0f, o, ldo);
  }
}

// One score row in place: A[j] = SiLU(S[j]/sqrt(d_qk) + rab[pi - j]) / N for j < visible,
// 0 for visible <= j < n_keys.
void activate_row(const AttnCtx& c, float* __restrict s, int pi, int visible, int n_keys) {
  const float scale = 1.0f / std::sqrt(static_cast<float>(c.d_qk));
  const float inv_n = 1.0f / static_cast<float>(c.N);
  const float* __restrict rr = c.rab_rev + (c.N - 1 - pi);
  attn_activate(s, rr, visible, scale, inv_n);
  if (n_keys > visible) std::memset(s + visible, 0, sizeof(float) * (n_keys - visible));
}

}  // namespace

void attend(const AttnCtx& c, int h, const float* uvqk_hist, int n, int first_pos,
            const float* uvqk_cand, int m, int ld, int q_col, int k_col, int v_col,
            float* o_hist, float* o_cand, int ldo) {
  const int P = first_pos + n;  // candidates' position = number of history keys
  const float scale = 1.0f / std::sqrt(static_cast<float>(c.d_qk));
  const float inv_n = 1.0f / static_cast<float>(c.N);
  auto row_of = [&](int t) {  // [U V Q K] row of virtual query t (history first)
    return t < n ? uvqk_hist + static_cast<size_t>(t) * ld : uvqk_cand + static_cast<size_t>(t - n) * ld;
  };
  // Gather when the keys span several pages (with one page, sgemm already reads it in place).
  const bool gathered = c.kg && c.vg && P > c.kv->layout.tokens_per_page;
  if (gathered) gather(c, h, P);
  for (int t0 = 0; t0 < n + m; t0 += kQueryBlock) {
    const int rows = std::min(kQueryBlock, n + m - t0);
    // Keys beyond the block's last visible one are never read (skips the causal triangle).
    const int n_keys = t0 + rows <= n ? first_pos + t0 + rows : P;
    for (int r = 0; r < rows; ++r)
      std::memcpy(c.q + static_cast<size_t>(r) * c.d_qk, row_of(t0 + r) + q_col + h * c.d_qk,
                  sizeof(float) * c.d_qk);
    if (n_keys > 0) {
      qk(c, h, c.q, c.d_qk, rows, n_keys, gathered);
      for (int r = 0; r < rows; ++r) {
        const int t = t0 + r;
        const int pi = t < n ? first_pos + t : P;
        activate_row(c, c.s + static_cast<size_t>(r) * c.s_ld, pi, t < n ? pi + 1 : P, n_keys);
      }
      av(c, h, rows, n_keys, c.o, c.d_v, gathered);
    } else {
      std::memset(c.o, 0, sizeof(float) * rows * c.d_v);
    }
    for (int r = 0; r < rows; ++r) {
      const int t = t0 + r;
      float* orow = c.o + static_cast<size_t>(r) * c.d_v;
      if (t >= n) {  // a candidate's own key (relative position 0): its one non-history key
        const float* row = row_of(t);
        const float* qr = row + q_col + h * c.d_qk;
        const float* kr = row + k_col + h * c.d_qk;
        const float* vr = row + v_col + h * c.d_v;
        float dot = 0;
        for (int d = 0; d < c.d_qk; ++d) dot += qr[d] * kr[d];
        const float a = silu(dot * scale + c.rab_rev[c.N - 1]) * inv_n;
        for (int d = 0; d < c.d_v; ++d) orow[d] += a * vr[d];
      }
      float* dst = t < n ? o_hist + static_cast<size_t>(t) * ldo : o_cand + static_cast<size_t>(t - n) * ldo;
      std::memcpy(dst + h * c.d_v, orow, sizeof(float) * c.d_v);
    }
  }
}

}  // namespace helm::cpu
