// Elementwise and row kernels of the CUDA forward: gather/embed, layer norms, bias + SiLU with
// the K/V page writes, the output preparation and the scoring head. Row kernels run one warp per
// row and sum in fp32 over two passes (mean, then squared deviations), as the CPU sums in double:
// both stay far inside the 1e-3 tolerance for rows of <= 2^16 elements.
#include <cuda_bf16.h>

#include <type_traits>

#include "gr_model/cuda/cuda_check.h"
#include "gr_model/cuda/kernels.h"

namespace helm::cuda {
namespace {

constexpr int kThreads = 256;
constexpr int kWarpsPerBlock = kThreads / 32;

__device__ __forceinline__ float warp_sum(float v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}
__device__ __forceinline__ float silu(float z) { return z / (1.0f + expf(-z)); }

template <typename T>
__device__ __forceinline__ void store(T* p, size_t i, float v);
template <>
__device__ __forceinline__ void store<float>(float* p, size_t i, float v) { p[i] = v; }
template <>
__device__ __forceinline__ void store<__nv_bfloat16>(__nv_bfloat16* p, size_t i, float v) {
  p[i] = __float2bfloat16_rn(v);
}

// mean and 1/sqrt(var + 1e-6) of n floats, all lanes get both.
__device__ __forceinline__ float2 row_stats(const float* x, int n, int lane) {
  float s = 0;
  for (int i = lane; i < n; i += 32) s += x[i];
  const float mean = warp_sum(s) / n;
  float v = 0;
  for (int i = lane; i < n; i += 32) {
    const float d = x[i] - mean;
    v += d * d;
  }
  return make_float2(mean, 1.0f / sqrtf(warp_sum(v) / n + 1e-6f));
}

unsigned blocks_for(size_t work, int per_block) {
  const size_t b = (work + per_block - 1) / per_block;
  return static_cast<unsigned>(b < 1 ? 1 : (b > (1u << 30) ? (1u << 30) : b));
}

// Vector width V (floats) per thread: 4 when every row is 16-byte aligned, else 1.
template <int V>
__global__ void embed_kernel(const float* const* src, const int* pos, const float* P, float* x,
                             int rows, int D, float scale) {
  using Vec = typename std::conditional<V == 4, float4, float>::type;
  const int per_row = D / V;
  const size_t n = static_cast<size_t>(rows) * per_row;
  for (size_t i = blockIdx.x * size_t{blockDim.x} + threadIdx.x; i < n; i += size_t{gridDim.x} * blockDim.x) {
    const int r = static_cast<int>(i / per_row), c = static_cast<int>(i % per_row);
    const Vec e = reinterpret_cast<const Vec*>(src[r])[c];
    Vec out;
    if constexpr (V == 4) {
      const float4 p = reinterpret_cast<const float4*>(P + static_cast<size_t>(pos[r]) * D)[c];
      out = make_float4(e.x * scale + p.x, e.y * scale + p.y, e.z * scale + p.z, e.w * scale + p.w);
    } else {
      out = e * scale + P[static_cast<size_t>(pos[r]) * D + c];
    }
    reinterpret_cast<Vec*>(x + static_cast<size_t>(r) * D)[c] = out;
  }
}

// dst[r] (a row pointer, or dst_flat + r*D) = src[r].
template <int V>
__global__ void copy_rows_kernel(const float* const* src, float* const* dst, float* dst_flat,
                                 int rows, int D) {
  using Vec = typename std::conditional<V == 4, float4, float>::type;
  const int per_row = D / V;
  const size_t n = static_cast<size_t>(rows) * per_row;
  for (size_t i = blockIdx.x * size_t{blockDim.x} + threadIdx.x; i < n; i += size_t{gridDim.x} * blockDim.x) {
    const int r = static_cast<int>(i / per_row), c = static_cast<int>(i % per_row);
    float* d = dst ? dst[r] : dst_flat + static_cast<size_t>(r) * D;
    reinterpret_cast<Vec*>(d)[c] = reinterpret_cast<const Vec*>(src[r])[c];
  }
}

template <typename OutT>
__global__ void layer_norm_kernel(const float* x, OutT* out, int rows, int n) {
  const int row = blockIdx.x * kWarpsPerBlock + threadIdx.x / 32, lane = threadIdx.x % 32;
  if (row >= rows) return;
  const float* xr = x + static_cast<size_t>(row) * n;
  const float2 st = row_stats(xr, n, lane);
  for (int i = lane; i < n; i += 32) store(out, static_cast<size_t>(row) * n + i, (xr[i] - st.x) * st.y);
}

template <typename KvT>
__global__ void bias_silu_kv_kernel(float* uvqk, const float* b, int rows, int W, int hist_rows,
                                    const int* tok_seq, const int* tok_pos, const SeqDesc* seqs,
                                    void* const* pages, KvGeom g, int layer, int k_col, int v_col) {
  const size_t n = static_cast<size_t>(rows) * W;
  for (size_t i = blockIdx.x * size_t{blockDim.x} + threadIdx.x; i < n; i += size_t{gridDim.x} * blockDim.x) {
    const int r = static_cast<int>(i / W), c = static_cast<int>(i % W);
    const float v = silu(uvqk[i] + b[c]);
    uvqk[i] = v;
    if (r >= hist_rows) continue;
    const bool is_k = c >= k_col && c < k_col + g.k_row;
    const bool is_v = c >= v_col && c < v_col + g.v_row;
    if (!is_k && !is_v) continue;
    const int pos = tok_pos[r];
    const SeqDesc& s = seqs[tok_seq[r]];
    KvT* page = static_cast<KvT*>(pages[s.page_off + pos / g.T]);
    const int slot = pos % g.T;
    const size_t base = static_cast<size_t>(layer) * g.layer_elems;
    const size_t e = is_k ? base + static_cast<size_t>(slot) * g.k_row + (c - k_col)
                          : base + static_cast<size_t>(g.T) * g.k_row + static_cast<size_t>(slot) * g.v_row + (c - v_col);
    store(page, e, v);
  }
}

template <typename OutT>
__global__ void out_prep_kernel(const float* o, const float* uvqk, int W, int u_col, OutT* tmp,
                                float* x, const float* b_o, int r0, int rows, int HV, int D) {
  const int k = blockIdx.x * kWarpsPerBlock + threadIdx.x / 32, lane = threadIdx.x % 32;
  if (k >= rows) return;
  const size_t r = static_cast<size_t>(r0 + k);
  const float* orow = o + r * HV;
  const float* u = uvqk + r * W + u_col;
  const float2 st = row_stats(orow, HV, lane);
  for (int j = lane; j < HV; j += 32) store(tmp, r * HV + j, (orow[j] - st.x) * st.y * u[j]);
  float* xr = x + r * D;
  for (int j = lane; j < D; j += 32) xr[j] += b_o[j];
}

__global__ void head_kernel(const float* x, int r0, int rows, int D, const float* w, float b,
                            float* scores) {
  const int k = blockIdx.x * kWarpsPerBlock + threadIdx.x / 32, lane = threadIdx.x % 32;
  if (k >= rows) return;
  const float* xr = x + static_cast<size_t>(r0 + k) * D;
  const float2 st = row_stats(xr, D, lane);
  float s = 0;
  for (int j = lane; j < D; j += 32) s += w[j] * ((xr[j] - st.x) * st.y);
  s = warp_sum(s);
  if (lane == 0) scores[k] = s + b;
}

__global__ void to_bf16_kernel(const float* src, __nv_bfloat16* dst, size_t n) {
  for (size_t i = blockIdx.x * size_t{blockDim.x} + threadIdx.x; i < n; i += size_t{gridDim.x} * blockDim.x)
    dst[i] = __float2bfloat16_rn(src[i]);
}

bool aligned16(int D) { return D % 4 == 0; }

}  // namespace

void embed(const float* const* src, const int* pos, const float* P, float* x, int rows, int D,
           float scale, cudaStream_t s) {
  if (rows == 0) return;
  if (aligned16(D))
    embed_kernel<4><<<blocks_for(size_t(rows) * D / 4, kThreads), kThreads, 0, s>>>(src, pos, P, x, rows, D, scale);
  else
    embed_kernel<1><<<blocks_for(size_t(rows) * D, kThreads), kThreads, 0, s>>>(src, pos, P, x, rows, D, scale);
  HELM_CUDA_LAUNCHED();
}

void gather(const float* const* src, float* dst, int rows, int D, cudaStream_t s) {
  if (rows == 0) return;
  if (aligned16(D))
    copy_rows_kernel<4><<<blocks_for(size_t(rows) * D / 4, kThreads), kThreads, 0, s>>>(src, nullptr, dst, rows, D);
  else
    copy_rows_kernel<1><<<blocks_for(size_t(rows) * D, kThreads), kThreads, 0, s>>>(src, nullptr, dst, rows, D);
  HELM_CUDA_LAUNCHED();
}

void copy_rows(const float* const* src, float* const* dst, int rows, int D, cudaStream_t s) {
  if (rows == 0) return;
  if (aligned16(D))
    copy_rows_kernel<4><<<blocks_for(size_t(rows) * D / 4, kThreads), kThreads, 0, s>>>(src, dst, nullptr, rows, D);
  else
    copy_rows_kernel<1><<<blocks_for(size_t(rows) * D, kThreads), kThreads, 0, s>>>(src, dst, nullptr, rows, D);
  HELM_CUDA_LAUNCHED();
}

void layer_norm(const float* x, void* out, bool out_bf16, int rows, int n, cudaStream_t s) {
  if (rows == 0) return;
  const unsigned grid = blocks_for(rows, kWarpsPerBlock);
  if (out_bf16)
    layer_norm_kernel<<<grid, kThreads, 0, s>>>(x, static_cast<__nv_bfloat16*>(out), rows, n);
  else
    layer_norm_kernel<<<grid, kThreads, 0, s>>>(x, static_cast<float*>(out), rows, n);
  HELM_CUDA_LAUNCHED();
}

void bias_silu_kv(float* uvqk, const float* b, int rows, int W, int hist_rows, const int* tok_seq,
                  const int* tok_pos, const SeqDesc* seqs, void* const* pages, KvGeom g, int layer,
                  int k_col, int v_col, cudaStream_t s) {
  if (rows == 0) return;
  const unsigned grid = blocks_for(size_t(rows) * W, kThreads);
  if (g.bf16)
    bias_silu_kv_kernel<__nv_bfloat16><<<grid, kThreads, 0, s>>>(uvqk, b, rows, W, hist_rows, tok_seq, tok_pos,
                                                                  seqs, pages, g, layer, k_col, v_col);
  else
    bias_silu_kv_kernel<float><<<grid, kThreads, 0, s>>>(uvqk, b, rows, W, hist_rows, tok_seq, tok_pos, seqs,
                                                          pages, g, layer, k_col, v_col);
  HELM_CUDA_LAUNCHED();
}

void out_prep(const float* o, const float* uvqk, int W, int u_col, void* tmp, bool tmp_bf16,
              float* x, const float* b_o, int r0, int rows, int HV, int D, cudaStream_t s) {
  if (rows == 0) return;
  const unsigned grid = blocks_for(rows, kWarpsPerBlock);
  if (tmp_bf16)
    out_prep_kernel<<<grid, kThreads, 0, s>>>(o, uvqk, W, u_col, static_cast<__nv_bfloat16*>(tmp), x, b_o, r0,
                                              rows, HV, D);
  else
    out_prep_kernel<<<grid, kThreads, 0, s>>>(o, uvqk, W, u_col, static_cast<float*>(tmp), x, b_o, r0, rows,
                                              HV, D);
  HELM_CUDA_LAUNCHED();
}

void head(const float* x, int r0, int rows, int D, const float* head_w, float head_b, float* scores,
          cudaStream_t s) {
  if (rows == 0) return;
  head_kernel<<<blocks_for(rows, kWarpsPerBlock), kThreads, 0, s>>>(x, r0, rows, D, head_w, head_b, scores);
  HELM_CUDA_LAUNCHED();
}

void to_bf16(const float* src, void* dst, size_t n, cudaStream_t s) {
  if (n == 0) return;
  to_bf16_kernel<<<blocks_for(n, kThreads), kThreads, 0, s>>>(src, static_cast<__nv_bfloat16*>(dst), n);
  HELM_CUDA_LAUNCHED();
}

}  // namespace helm::cuda
