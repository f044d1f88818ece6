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

}  // namespace helm::cpu
