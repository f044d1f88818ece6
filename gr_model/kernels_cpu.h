// Elementwise kernels dispatched on the CPU's vector width (internal to gr_model).
#pragma once
#include <vector>

namespace helm::cpu {
// y[i] = SiLU(y[i] + b[i]) for i < n.
void bias_silu_row(float* y, const float* b, int n);
// s[j] = SiLU(s[j] * scale + rr[j]) * inv_n for j < n (attention scores to weights).
void attn_activate(float* s, const float* rr, int n, float scale, float inv_n);
// y = x w (or y += x w with accumulate) for the few rows of a cached visit (row-major x: rows x k, y: rows x n), w packed
// by pack_panels (k x n, n a multiple of kPanel, k <= 1024). Each output is summed in k order,
// so a row's result does not depend on the rows beside it. Faster than sgemm at a few rows
// because w was packed once, not per call.
constexpr int kPanel = 32;
std::vector<float> pack_panels(const float* w, int k, int n);  // [n / kPanel][k][kPanel]
void gemm_rows(const float* x, int rows, int k, const float* panels, int n, float* y, bool accumulate = false);
}  // namespace helm::cpu
