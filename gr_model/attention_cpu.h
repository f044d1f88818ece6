// HSTU pointwise attention of one head on the CPU (internal to gr_model).
//
// Keys and values are read in place from KV pages, one page-sized chunk per sgemm: inside a
// page a head's K is a row-major block with leading dimension H*d_qk (kv_layout.h). Queries are
// processed in blocks of kQueryBlock rows so that a causal prefill skips the masked upper
// triangle beyond the block's last position, and the score scratch stays kQueryBlock x N.
#pragma once
#include "allocator/kv_layout.h"

namespace helm::cpu {

constexpr int kQueryBlock = 64;

struct AttnCtx {
  int heads = 0, d_qk = 0, d_v = 0, N = 0;
  const float* rab_rev = nullptr;  // rab_rev[k] = rab[N-1-k]: rab[pi - j] = rab_rev[N-1-pi+j]
  const KvView* kv = nullptr;      // this sequence's pages (all history K/V already written)
  int kv_layer = 0;                // layer index inside the pages
  float* s = nullptr;              // scratch: kQueryBlock x s_ld floats
  int s_ld = 0;                    // >= N
  float* q = nullptr;              // scratch: kQueryBlock x d_qk (gathered queries)
  float* o = nullptr;              // scratch: kQueryBlock x d_v (block outputs)
  // Optional scratch of N x d_qk and N x d_v floats: a head's K and V gathered out of the pages
  // once per head, so each query block runs one sgemm over all its keys instead of one per page
  // (a cached visit is a single block over many pages: the per-call cost dominated it).
  float* kg = nullptr;
  float* vg = nullptr;
};

// The queries of one sequence and head h: n history rows at positions first_pos + r (row r
// sees keys j <= first_pos + r), then m candidate rows at position P = first_pos + n (each sees
// keys j < P and itself, never another candidate). Both kinds share query blocks, so a cached
// visit runs one sgemm per page for its new tokens and candidates together. Rows are given as
// [U V Q K] rows (stride ld; head h's columns are found here); outputs go to head h's columns of
// o_hist / o_cand (stride ldo). Keys and values j < P come from the pages.
void attend(const AttnCtx& c, int h, const float* uvqk_hist, int n, int first_pos,
            const float* uvqk_cand, int m, int ld, int q_col, int k_col, int v_col,
            float* o_hist, float* o_cand, int ldo);

}  // namespace helm::cpu
