// The elementwise hot loops, compiled for AVX-512, AVX2 and the baseline, picked at load time
// (GCC target_clones / ifunc): the project builds for x86-64-v2, whose SSE width would leave
// the SiLU of every score at a fraction of what the machine does.
//
// Each loop runs in two passes over chunks of kChunk (exp into a stack buffer, then the
// division): measured ~3x faster than one fused loop, which GCC compiles into masked paths with
// two divisions per vector. Compiled with -ffp-contract=off (CMakeLists) so that every clone
// rounds identically: scores do not depend on which vector width a node has.
#include "gr_model/kernels_cpu.h"

#include <algorithm>
#include <vector>

#include "gr_model/math_cpu.h"

namespace helm::cpu {
namespace {
constexpr int kChunk = 256;
}

#define HELM_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))

HELM_CLONES void bias_silu_row(float* __restrict y, const float* __restrict b, int n) {
  float e[kChunk];
  for (int i0 = 0; i0 < n; i0 += kChunk) {
    const int m = std::min(kChunk, n - i0);
    float* __restrict yy = y + i0;
    const float* __restrict bb = b + i0;
    for (int i = 0; i < m; ++i) {
      yy[i] += bb[i];
      e[i] = exp_approx(-yy[i]);
    }
    for (int i = 0; i < m; ++i) yy[i] = yy[i] / (1.0f + e[i]);
  }
}

HELM_CLONES void attn_activate(float* __restrict s, const float* __restrict rr, int n,
                               float scale, float inv_n) {
  float e[kChunk];
  for (int j0 = 0; j0 < n; j0 += kChunk) {
    const int m = std::min(kChunk, n - j0);
    float* __restrict ss = s + j0;
    const float* __restrict r = rr + j0;
    for (int j = 0; j < m; ++j) {
      ss[j] = ss[j] * scale + r[j];
      e[j] = exp_approx(-ss[j]);
    }
    for (int j = 0; j < m; ++j) ss[j] = ss[j] / (1.0f + e[j]) * inv_n;
  }
}

namespace {
// A block of kRows x kPanel outputs from one packed panel: constant bounds, so GCC keeps the
// accumulators in vector registers. Always inlined: a callee outside the clones would be built
// for the baseline.
template <int kRows>
[[gnu::always_inline]] inline void gemm_block(const float* __restrict x, int rn, int k,
                                              const float* __restrict panel, int n, float* __restrict y,
                                              bool accumulate) {
  float acc[kRows][kPanel] = {};
  for (int kk = 0; kk < k; ++kk) {
    const float* __restrict wr = panel + static_cast<size_t>(kk) * kPanel;
    for (int r = 0; r < kRows; ++r) {
      const float xv = x[static_cast<size_t>(r) * k + kk];
      for (int j = 0; j < kPanel; ++j) acc[r][j] += xv * wr[j];
    }
  }
  for (int r = 0; r < rn; ++r)
    for (int j = 0; j < kPanel; ++j) {
      float& out = y[static_cast<size_t>(r) * n + j];
      out = accumulate ? out + acc[r][j] : acc[r][j];
    }
}
}  // namespace

std::vector<float> pack_panels(const float* w, int k, int n) {
  std::vector<float> p(static_cast<size_t>(k) * n);
  for (int j0 = 0; j0 < n; j0 += kPanel)
    for (int kk = 0; kk < k; ++kk)
      std::copy_n(w + static_cast<size_t>(kk) * n + j0, kPanel, p.data() + static_cast<size_t>(j0) * k + static_cast<size_t>(kk) * kPanel);
  return p;
}

HELM_CLONES void gemm_rows(const float* __restrict x, int rows, int k, const float* __restrict panels,
                           int n, float* __restrict y, bool accumulate) {
  constexpr int kR = 6;
  float pad[kR * 1024];  // the last rows, zero-padded to a full block (k <= 1024)
  for (int r0 = 0; r0 < rows; r0 += kR) {
    const int rn = std::min(kR, rows - r0);
    const float* xr = x + static_cast<size_t>(r0) * k;
    if (rn < kR) {
      std::fill_n(pad, kR * k, 0.0f);
      std::copy_n(xr, static_cast<size_t>(rn) * k, pad);
      xr = pad;
    }
    for (int j0 = 0; j0 < n; j0 += kPanel)
      gemm_block<kR>(xr, rn, k, panels + static_cast<size_t>(j0) * k, n, y + static_cast<size_t>(r0) * n + j0,
                     accumulate);
  }
}
}  // namespace helm::cpu
