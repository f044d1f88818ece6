// Elementwise kernels dispatched on the CPU's vector width (internal to gr_model).
#pragma once

namespace helm::cpu {
// y[i] = SiLU(y[i] + b[i]) for i < n.
void bias_silu_row(float* y, const float* b, int n);
// s[j] = SiLU(s[j] * scale + rr[j]) * inv_n for j < n (attention scores to weights).
void attn_activate(float* s, const float* rr, int n, float scale, float inv_n);
}  // namespace helm::cpu
