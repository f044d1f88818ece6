// Elementwise kernels of the CPU backend (internal to gr_model).
//
// exp is a Cephes-style polynomial (relative error ~2e-7 on the clamped range) written with
// plain float operations so GCC vectorises the loops that call it; std::exp would stay scalar
// without -ffast-math. The model's 1e-5 tolerance against the float64 reference leaves room.
#pragma once
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>

namespace helm::cpu {

inline float exp_approx(float x) {
  // Clamped so that 2^n stays a normal float: exp(-87) ~ 1.6e-38, exp(88) ~ 1.7e38.
  x = std::min(std::max(x, -87.0f), 88.0f);  // maxps/minps once vectorised
  // n = round(x / ln 2) by the 1.5 * 2^23 trick (branch-free, so the loop vectorises; floorf
  // does not here); the same sum holds n in its low mantissa bits.
  const float t = x * 1.44269504088896341f + 12582912.0f;
  const float fx = t - 12582912.0f;
  const int32_t n = std::bit_cast<int32_t>(t) - 0x4B400000;
  x = x - fx * 0.693359375f - fx * -2.12194440e-4f;
  const float z = x * x;
  float y = 1.9875691500e-4f;
  y = y * x + 1.3981999507e-3f;
  y = y * x + 8.3334519073e-3f;
  y = y * x + 4.1665795894e-2f;
  y = y * x + 1.6666665459e-1f;
  y = y * x + 5.0000001201e-1f;
  y = y * z + x + 1.0f;
  return y * std::bit_cast<float>((n + 127) << 23);
}

inline float silu(float z) { return z / (1.0f + exp_approx(-z)); }

// Layer norm without affine (eps 1e-6): out = (x - mean) / sqrt(var + eps). Sums in double
// (close to the float64 reference) over 4 independent partial sums, so the adds pipeline
// instead of waiting on one another.
inline void layer_norm(const float* __restrict x, float* __restrict out, int n) {
  double s[4] = {0, 0, 0, 0};
  int i = 0;
  for (; i + 4 <= n; i += 4)
    for (int k = 0; k < 4; ++k) s[k] += x[i + k];
  for (; i < n; ++i) s[0] += x[i];
  const double mean = (s[0] + s[1]) + (s[2] + s[3]);
  const double m_d = mean / n;
  double v[4] = {0, 0, 0, 0};
  for (i = 0; i + 4 <= n; i += 4)
    for (int k = 0; k < 4; ++k) v[k] += (x[i + k] - m_d) * (x[i + k] - m_d);
  for (; i < n; ++i) v[0] += (x[i] - m_d) * (x[i] - m_d);
  const double var = ((v[0] + v[1]) + (v[2] + v[3])) / n;
  const float m = static_cast<float>(m_d);
  const float r = static_cast<float>(1.0 / std::sqrt(var + 1e-6));
  for (i = 0; i < n; ++i) out[i] = (x[i] - m) * r;
}

}  // namespace helm::cpu
