// HSTU pointwise attention over the paged KV cache (MODEL.md):
//   A[i,j] = SiLU(Q_i . K_j / sqrt(d_qk) + rab[pos_i - pos_j]) / N   for visible j, else 0
//   O_i    = sum_j A[i,j] V_j
// History query t (position first_pos + t) sees history keys j <= its position; a candidate sees
// every history key j < P and itself (its own K/V come from the [U V Q K] rows, never from pages).
// No softmax, so no running max or rescaling: each key tile adds straight into O.
//
// One block per (query tile of a sequence, head): grid (items, heads). Keys and values are read
// in place from the pages (key j: page j / T, slot j % T), one key tile at a time into shared
// memory; tiles past the block's last visible key are never read (the causal triangle).
//   attn_simt  fp32 (or bf16 pages) SIMT, 16 query rows x 32 keys per step: fp32/tf32 modes and
//              head sizes the WMMA kernel does not take.
//   attn_wmma  bf16 tensor cores (WMMA 16x16x16, fp32 accumulate), 64 query rows (16 per warp)
//              x 64 keys per step, d_qk = d_v in {16, 32, 64, 128}; S and the SiLU weights go
//              through shared memory, O stays in registers until the epilogue.
#include <cuda_bf16.h>
#include <mma.h>

#include "gr_model/cuda/cuda_check.h"
#include "gr_model/cuda/kernels.h"

namespace helm::cuda {
namespace {

constexpr int kSimtRows = 16, kSimtKeys = 32, kSimtThreads = 128;
constexpr int kWmmaRows = 64, kWmmaKeys = 64, kWmmaThreads = 128;

__device__ __forceinline__ float warp_sum(float v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}
__device__ __forceinline__ float silu(float z) { return z / (1.0f + expf(-z)); }

// The queries of one block's sequence: virtual rows t in [0, n + m), history first.
struct Queries {
  int n, m, first_pos, P, hist_row, cand_row;
  __device__ Queries(const AttnArgs& a, const SeqDesc& s) {
    const int L = s.cached_len + s.new_tokens;
    n = a.last ? 0 : s.new_tokens;
    m = s.num_cand;
    first_pos = L - n;
    P = L;
    hist_row = s.hist_row;
    cand_row = s.cand_row;
  }
  __device__ int row(int t) const { return t < n ? hist_row + t : cand_row + (t - n); }
  __device__ int pos(int t) const { return t < n ? first_pos + t : P; }
  // Keys j < visible(t) come from the pages.
  __device__ int visible(int t) const { return t < n ? first_pos + t + 1 : P; }
};

template <typename KvT>
__device__ __forceinline__ float kv_at(const AttnArgs& a, const SeqDesc& s, int key, size_t col, bool v) {
  const KvT* page = static_cast<const KvT*>(a.pages[s.page_off + key / a.g.T]);
  const int slot = key % a.g.T;
  const size_t base = static_cast<size_t>(a.layer) * a.g.layer_elems;
  const size_t e = v ? base + static_cast<size_t>(a.g.T) * a.g.k_row + static_cast<size_t>(slot) * a.g.v_row + col
                     : base + static_cast<size_t>(slot) * a.g.k_row + col;
  if constexpr (sizeof(KvT) == 2)
    return __bfloat162float(page[e]);
  else
    return page[e];
}

size_t simt_smem(int d_qk, int d_v) {
  return sizeof(float) * (kSimtRows * d_qk + kSimtKeys * (d_qk + 1) + kSimtKeys * d_v +
                          kSimtRows * kSimtKeys + kSimtRows * d_v + kSimtRows);
}

template <typename KvT>
__global__ void __launch_bounds__(kSimtThreads) attn_simt(AttnArgs a) {
  extern __shared__ float sm[];
  const AttnItem it = a.items[blockIdx.x];
  const int h = blockIdx.y, tid = threadIdx.x;
  const SeqDesc sd = a.seqs[it.seq];
  const Queries q(a, sd);
  const int rows = min(kSimtRows, q.n + q.m - it.t0);
  const int n_keys = it.t0 + rows <= q.n ? q.first_pos + it.t0 + rows : q.P;
  const int dqk = a.d_qk, dv = a.d_v, ldk = dqk + 1;
  const float scale = rsqrtf(static_cast<float>(dqk)), inv_n = 1.0f / static_cast<float>(a.N);
  float* qs = sm;                         // kSimtRows x dqk
  float* ks = qs + kSimtRows * dqk;       // kSimtKeys x (dqk + 1): padded against bank conflicts
  float* vs = ks + kSimtKeys * ldk;       // kSimtKeys x dv
  float* ss = vs + kSimtKeys * dv;        // kSimtRows x kSimtKeys
  float* os = ss + kSimtRows * kSimtKeys; // kSimtRows x dv
  float* aself = os + kSimtRows * dv;     // kSimtRows

  for (int i = tid; i < kSimtRows * dqk; i += kSimtThreads) {
    const int r = i / dqk, d = i % dqk;
    qs[i] = r < rows ? a.uvqk[static_cast<size_t>(q.row(it.t0 + r)) * a.W + a.q_col + h * dqk + d] : 0.0f;
  }
  for (int i = tid; i < kSimtRows * dv; i += kSimtThreads) os[i] = 0.0f;

  for (int kt = 0; kt < n_keys; kt += kSimtKeys) {
    const int cnt = min(kSimtKeys, n_keys - kt);
    __syncthreads();  // previous tile fully consumed (and qs/os initialised)
    for (int i = tid; i < kSimtKeys * dqk; i += kSimtThreads) {
      const int j = i / dqk, d = i % dqk;
      ks[j * ldk + d] = j < cnt ? kv_at<KvT>(a, sd, kt + j, static_cast<size_t>(h) * dqk + d, false) : 0.0f;
    }
    for (int i = tid; i < kSimtKeys * dv; i += kSimtThreads) {
      const int j = i / dv, c = i % dv;
      vs[i] = j < cnt ? kv_at<KvT>(a, sd, kt + j, static_cast<size_t>(h) * dv + c, true) : 0.0f;
    }
    __syncthreads();
    for (int e = tid; e < kSimtRows * kSimtKeys; e += kSimtThreads) {
      const int r = e / kSimtKeys, j = e % kSimtKeys, t = it.t0 + r, key = kt + j;
      float val = 0.0f;
      if (r < rows && j < cnt && key < q.visible(t)) {
        float dot = 0.0f;
        for (int d = 0; d < dqk; ++d) dot += qs[r * dqk + d] * ks[j * ldk + d];
        val = silu(dot * scale + a.rab[q.pos(t) - key]) * inv_n;
      }
      ss[e] = val;
    }
    __syncthreads();
    for (int e = tid; e < kSimtRows * dv; e += kSimtThreads) {
      const int r = e / dv, c = e % dv;
      float acc = os[e];
      for (int j = 0; j < cnt; ++j) acc += ss[r * kSimtKeys + j] * vs[j * dv + c];
      os[e] = acc;
    }
  }
  __syncthreads();
  if (tid < kSimtRows) {  // a candidate's own key (relative position 0)
    const int r = tid, t = it.t0 + r;
    float av = 0.0f;
    if (r < rows && t >= q.n) {
      const float* kr = a.uvqk + static_cast<size_t>(q.row(t)) * a.W + a.k_col + h * dqk;
      float dot = 0.0f;
      for (int d = 0; d < dqk; ++d) dot += qs[r * dqk + d] * kr[d];
      av = silu(dot * scale + a.rab[0]) * inv_n;
    }
    aself[r] = av;
  }
  __syncthreads();
  for (int e = tid; e < kSimtRows * dv; e += kSimtThreads) {
    const int r = e / dv, c = e % dv, t = it.t0 + r;
    if (r >= rows) continue;
    const size_t row = q.row(t);
    float val = os[e];
    if (t >= q.n) val += aself[r] * a.uvqk[row * a.W + a.v_col + h * dv + c];
    a.o[row * a.HV + h * dv + c] = val;
  }
}

// ---- WMMA (bf16) ----
template <int DQK, int DV>
struct WmmaShape {
  static constexpr int LQ = DQK + 8, LV = DV + 8;        // bf16 rows, padded (16 bytes)
  static constexpr int LS = kWmmaKeys + 4;               // fp32 score rows
  static constexpr int LP = kWmmaKeys + 8;               // bf16 weight rows
  static constexpr int LO = DV + 4;                      // fp32 output rows (epilogue)
  static constexpr size_t q_off = 0;
  static constexpr size_t k_off = q_off + size_t{kWmmaRows} * LQ * 2;
  static constexpr size_t v_off = k_off + size_t{kWmmaKeys} * LQ * 2;
  static constexpr size_t s_off = v_off + size_t{kWmmaKeys} * LV * 2;
  static constexpr size_t p_off = s_off + size_t{kWmmaRows} * LS * 4;
  static constexpr size_t bytes = p_off + size_t{kWmmaRows} * LP * 2;
  // O (epilogue) reuses the K and V tiles.
  static_assert(size_t{kWmmaRows} * LO * 4 <= s_off - k_off, "O does not fit over K and V");
  static_assert(k_off % 128 == 0 && v_off % 128 == 0 && s_off % 128 == 0 && p_off % 128 == 0,
                "WMMA tiles need 32-byte aligned bases");
};

template <int DQK, int DV>
__global__ void __launch_bounds__(kWmmaThreads) attn_wmma(AttnArgs a) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
  using namespace nvcuda;
  using S = WmmaShape<DQK, DV>;
  using bf16 = __nv_bfloat16;
  extern __shared__ __align__(128) unsigned char smraw[];
  bf16* Qs = reinterpret_cast<bf16*>(smraw + S::q_off);
  bf16* Ks = reinterpret_cast<bf16*>(smraw + S::k_off);
  bf16* Vs = reinterpret_cast<bf16*>(smraw + S::v_off);
  float* Ss = reinterpret_cast<float*>(smraw + S::s_off);
  bf16* Ps = reinterpret_cast<bf16*>(smraw + S::p_off);
  float* Os = reinterpret_cast<float*>(smraw + S::k_off);

  const AttnItem it = a.items[blockIdx.x];
  const int h = blockIdx.y, tid = threadIdx.x, warp = tid / 32, lane = tid % 32;
  const SeqDesc sd = a.seqs[it.seq];
  const Queries q(a, sd);
  const int rows = min(kWmmaRows, q.n + q.m - it.t0);
  const int n_keys = it.t0 + rows <= q.n ? q.first_pos + it.t0 + rows : q.P;
  const float scale = rsqrtf(static_cast<float>(DQK)), inv_n = 1.0f / static_cast<float>(a.N);
  const int r_lo = warp * 16;  // this warp's rows [r_lo, r_lo + 16)
  // Keys this warp's rows can see: visible() grows with t, so its last valid row has the most.
  const int w_last = min(r_lo + 15, rows - 1);
  const int w_keys = w_last >= r_lo ? min(n_keys, q.visible(it.t0 + w_last)) : 0;

  // Q tile (fp32 rows -> bf16), 4 floats per step; DQK % 4 == 0 and row offsets are multiples of 4.
  for (int i = tid; i < kWmmaRows * DQK / 4; i += kWmmaThreads) {
    const int r = i / (DQK / 4), c = (i % (DQK / 4)) * 4;
    float4 v = make_float4(0, 0, 0, 0);
    if (r < rows)
      v = *reinterpret_cast<const float4*>(a.uvqk + static_cast<size_t>(q.row(it.t0 + r)) * a.W + a.q_col + h * DQK + c);
    bf16* d = Qs + r * S::LQ + c;
    d[0] = __float2bfloat16_rn(v.x);
    d[1] = __float2bfloat16_rn(v.y);
    d[2] = __float2bfloat16_rn(v.z);
    d[3] = __float2bfloat16_rn(v.w);
  }
  __syncthreads();
  wmma::fragment<wmma::matrix_a, 16, 16, 16, bf16, wmma::row_major> qa[DQK / 16];
#pragma unroll
  for (int kk = 0; kk < DQK / 16; ++kk) wmma::load_matrix_sync(qa[kk], Qs + r_lo * S::LQ + kk * 16, S::LQ);
  wmma::fragment<wmma::accumulator, 16, 16, 16, float> oacc[DV / 16];
#pragma unroll
  for (int nt = 0; nt < DV / 16; ++nt) wmma::fill_fragment(oacc[nt], 0.0f);

  const bf16* const* pages = reinterpret_cast<const bf16* const*>(a.pages) + sd.page_off;
  const size_t layer_base = static_cast<size_t>(a.layer) * a.g.layer_elems;
  const size_t v_base = layer_base + static_cast<size_t>(a.g.T) * a.g.k_row;
  for (int kt = 0; kt < n_keys; kt += kWmmaKeys) {
    __syncthreads();  // the previous tile is consumed by every warp
    // K and V tiles, 8 bf16 (16 bytes) per load; keys past n_keys are zero.
    for (int i = tid; i < kWmmaKeys * DQK / 8; i += kWmmaThreads) {
      const int j = i / (DQK / 8), c = (i % (DQK / 8)) * 8, key = kt + j;
      uint4 v = make_uint4(0, 0, 0, 0);
      if (key < n_keys)
        v = *reinterpret_cast<const uint4*>(pages[key / a.g.T] + layer_base +
                                            static_cast<size_t>(key % a.g.T) * a.g.k_row + h * DQK + c);
      *reinterpret_cast<uint4*>(Ks + j * S::LQ + c) = v;
    }
    for (int i = tid; i < kWmmaKeys * DV / 8; i += kWmmaThreads) {
      const int j = i / (DV / 8), c = (i % (DV / 8)) * 8, key = kt + j;
      uint4 v = make_uint4(0, 0, 0, 0);
      if (key < n_keys)
        v = *reinterpret_cast<const uint4*>(pages[key / a.g.T] + v_base +
                                            static_cast<size_t>(key % a.g.T) * a.g.v_row + h * DV + c);
      *reinterpret_cast<uint4*>(Vs + j * S::LV + c) = v;
    }
    __syncthreads();
    if (kt >= w_keys) continue;  // every key of this tile is masked for this warp's rows
    // S = Q K^T for this warp's 16 rows x 64 keys.
#pragma unroll
    for (int nt = 0; nt < kWmmaKeys / 16; ++nt) {
      wmma::fragment<wmma::accumulator, 16, 16, 16, float> sacc;
      wmma::fill_fragment(sacc, 0.0f);
#pragma unroll
      for (int kk = 0; kk < DQK / 16; ++kk) {
        wmma::fragment<wmma::matrix_b, 16, 16, 16, bf16, wmma::col_major> kb;
        wmma::load_matrix_sync(kb, Ks + nt * 16 * S::LQ + kk * 16, S::LQ);
        wmma::mma_sync(sacc, qa[kk], kb, sacc);
      }
      wmma::store_matrix_sync(Ss + r_lo * S::LS + nt * 16, sacc, S::LS, wmma::mem_row_major);
    }
    __syncwarp();
    for (int e = lane; e < 16 * kWmmaKeys; e += 32) {
      const int r = r_lo + e / kWmmaKeys, j = e % kWmmaKeys, t = it.t0 + r, key = kt + j;
      float val = 0.0f;
      if (r < rows && key < q.visible(t)) val = silu(Ss[r * S::LS + j] * scale + a.rab[q.pos(t) - key]) * inv_n;
      Ps[r * S::LP + j] = __float2bfloat16_rn(val);
    }
    __syncwarp();
#pragma unroll
    for (int kk = 0; kk < kWmmaKeys / 16; ++kk) {
      wmma::fragment<wmma::matrix_a, 16, 16, 16, bf16, wmma::row_major> pa;
      wmma::load_matrix_sync(pa, Ps + r_lo * S::LP + kk * 16, S::LP);
#pragma unroll
      for (int nt = 0; nt < DV / 16; ++nt) {
        wmma::fragment<wmma::matrix_b, 16, 16, 16, bf16, wmma::row_major> vb;
        wmma::load_matrix_sync(vb, Vs + kk * 16 * S::LV + nt * 16, S::LV);
        wmma::mma_sync(oacc[nt], pa, vb, oacc[nt]);
      }
    }
  }
  __syncthreads();  // K and V tiles are free: O goes there
#pragma unroll
  for (int nt = 0; nt < DV / 16; ++nt)
    wmma::store_matrix_sync(Os + r_lo * S::LO + nt * 16, oacc[nt], S::LO, wmma::mem_row_major);
  __syncwarp();
  // Epilogue, one row at a time per warp: a candidate's own key in fp32, then the output row.
  for (int r = r_lo; r < r_lo + 16 && r < rows; ++r) {
    const int t = it.t0 + r;
    const size_t row = q.row(t);
    const float* ur = a.uvqk + row * a.W;
    float av = 0.0f;
    if (t >= q.n) {
      float dot = 0.0f;
      for (int d = lane; d < DQK; d += 32) dot += ur[a.q_col + h * DQK + d] * ur[a.k_col + h * DQK + d];
      av = silu(warp_sum(dot) * scale + a.rab[0]) * inv_n;
    }
    for (int c = lane; c < DV; c += 32) {
      float val = Os[r * S::LO + c];
      if (t >= q.n) val += av * ur[a.v_col + h * DV + c];
      a.o[row * a.HV + h * DV + c] = val;
    }
  }
#else
  // Never leave the scores unwritten: the host never launches this below sm_80
  // (CudaHstuModel::tensor_core_attention); if it ever did, fail the launch loudly.
  __trap();
#endif
}

template <int DQK, int DV>
void launch_wmma(const AttnArgs& a, int num_items, cudaStream_t s) {
  const size_t smem = WmmaShape<DQK, DV>::bytes;
  HELM_CUDA(cudaFuncSetAttribute(attn_wmma<DQK, DV>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                 static_cast<int>(smem)));
  attn_wmma<DQK, DV><<<dim3(num_items, a.heads), kWmmaThreads, smem, s>>>(a);
}

}  // namespace

int attention_tile(bool tensor_cores) { return tensor_cores ? kWmmaRows : kSimtRows; }

bool wmma_attention_supported(int d_qk, int d_v) {
  return d_qk == d_v && (d_qk == 16 || d_qk == 32 || d_qk == 64 || d_qk == 128);
}

void attention(const AttnArgs& a, int num_items, bool tensor_cores, cudaStream_t s) {
  if (num_items == 0) return;
  if (tensor_cores) {
    if (!a.g.bf16 || !wmma_attention_supported(a.d_qk, a.d_v))
      fail(__FILE__, __LINE__, "attention", "tensor-core attention needs bf16 pages and d_qk = d_v in {16,32,64,128}");
    switch (a.d_qk) {
      case 16: launch_wmma<16, 16>(a, num_items, s); break;
      case 32: launch_wmma<32, 32>(a, num_items, s); break;
      case 64: launch_wmma<64, 64>(a, num_items, s); break;
      default: launch_wmma<128, 128>(a, num_items, s); break;
    }
  } else {
    const size_t smem = simt_smem(a.d_qk, a.d_v);
    if (a.g.bf16) {
      HELM_CUDA(cudaFuncSetAttribute(attn_simt<__nv_bfloat16>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                     static_cast<int>(smem)));
      attn_simt<__nv_bfloat16><<<dim3(num_items, a.heads), kSimtThreads, smem, s>>>(a);
    } else {
      HELM_CUDA(cudaFuncSetAttribute(attn_simt<float>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                     static_cast<int>(smem)));
      attn_simt<float><<<dim3(num_items, a.heads), kSimtThreads, smem, s>>>(a);
    }
  }
  HELM_CUDA_LAUNCHED();
}

}  // namespace helm::cuda
