// Kernels of the CUDA forward (internal to gr_model/cuda) and the per-batch descriptors they read.
// Everything here is launched on the caller's stream and returns at once.
#pragma once
#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

namespace helm::cuda {

// One sequence of the batch, as the kernels see it (rows: see cuda_model.cpp's row order).
struct SeqDesc {
  int hist_row, cand_row;  // first row of its new history tokens / candidates
  int cached_len, new_tokens, num_cand;
  int page_off;            // first entry of its pages in the batch's page table
};

// One attention block: query rows [t0, t0 + tile) of sequence `seq` (history rows first).
struct AttnItem {
  int seq, t0;
};

// Geometry of the KV pages (kv_layout.h), in elements of the KV type.
struct KvGeom {
  int T = 0;              // tokens per page
  int k_row = 0, v_row = 0;  // H*d_qk, H*d_v
  long long layer_elems = 0; // T * (k_row + v_row)
  bool bf16 = false;         // element type: bf16 (2 bytes) or fp32
};

// x[r] = src[r] * scale + P[pos[r]] (D floats per row). Rows 16-byte aligned when D % 4 == 0.
void embed(const float* const* src, const int* pos, const float* P, float* x, int rows, int D,
           float scale, cudaStream_t s);
// dst[r] = src[r] (the pool gather alone: the gather-bandwidth benchmark).
void gather(const float* const* src, float* dst, int rows, int D, cudaStream_t s);
// Pending EMB miss copies: dst[i] = src[i] for row pointers (src may be mapped host memory).
void copy_rows(const float* const* src, float* const* dst, int rows, int D, cudaStream_t s);

// out[r] = LN(x[r]) over n (eps 1e-6, no affine); out is bf16 when out_bf16 else fp32.
void layer_norm(const float* x, void* out, bool out_bf16, int rows, int n, cudaStream_t s);

// uvqk[r][c] = SiLU(uvqk[r][c] + b[c]) for rows [0, rows); the K and V columns of history rows
// [0, hist_rows) are also written to the sequence's page slot for `layer`.
void bias_silu_kv(float* uvqk, const float* b, int rows, int W, int hist_rows, const int* tok_seq,
                  const int* tok_pos, const SeqDesc* seqs, void* const* pages, KvGeom g, int layer,
                  int k_col, int v_col, cudaStream_t s);

// For rows [r0, r0 + rows): tmp[r] = LN(o[r]) * U[r] (bf16 or fp32), x[r] += b_o.
void out_prep(const float* o, const float* uvqk, int W, int u_col, void* tmp, bool tmp_bf16,
              float* x, const float* b_o, int r0, int rows, int HV, int D, cudaStream_t s);

// scores[i] = head_w . LN(x[r0 + i]) + head_b.
void head(const float* x, int r0, int rows, int D, const float* head_w, float head_b, float* scores,
          cudaStream_t s);

// dst = bf16(src), round to nearest even.
void to_bf16(const float* src, void* dst, size_t n, cudaStream_t s);

struct AttnArgs {
  const float* uvqk = nullptr;  // [U V Q K] rows, fp32
  int W = 0, q_col = 0, k_col = 0, v_col = 0;
  float* o = nullptr;  // outputs, rows of HV floats, head h in columns [h d_v, (h+1) d_v)
  int HV = 0;
  const SeqDesc* seqs = nullptr;
  void* const* pages = nullptr;
  const AttnItem* items = nullptr;
  KvGeom g;
  int layer = 0;
  bool last = false;  // last layer: only candidates are queried (n = 0)
  int heads = 0, d_qk = 0, d_v = 0, N = 0;
  const float* rab = nullptr;  // this layer's N floats
};
// Query rows per attention block of each kernel (items are cut with this tile).
int attention_tile(bool tensor_cores);
// Whether the WMMA kernel handles these head sizes.
bool wmma_attention_supported(int d_qk, int d_v);
void attention(const AttnArgs& a, int num_items, bool tensor_cores, cudaStream_t s);

}  // namespace helm::cuda
