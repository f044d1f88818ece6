// The HSTU forward pass on the CPU (MODEL.md): full prefill and KV-cached incremental inference,
// batched over sequences.
//
// Contract. For each sequence the caller supplies the embedding rows of the tokens to compute
// (fetched from its embedding cache) and, optionally, the KV pages of that user. The model
// writes the new history tokens' K/V of every layer into those pages and reads the cached ones
// from them in place; it never allocates or frees pages. Scores equal a full recompute to fp32
// rounding because history token i only ever sees j <= i and the attention divisor N is fixed.
//
// Threading: HstuModel is immutable after construction and may be shared by threads; each
// thread needs its own Workspace.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "allocator/kv_layout.h"
#include "gr_model/weights.h"

namespace helm {

struct SeqInput {
  int cached_len = 0;      // L0: tokens whose K/V are already in kv (window positions 0..L0-1)
  int new_tokens = 0;      // n: history tokens at positions L0..L0+n-1 (L0+n <= N-1)
  int num_candidates = 0;  // M' (may be 0): all at position L0+n
  const float* const* rows = nullptr;  // n + M' embedding rows (D floats): history, then candidates
  KvView* kv = nullptr;  // pages covering L0+n tokens, layout of this model; nullptr = uncached
                         // (needs L0 == 0; K/V go to workspace scratch pages of the same layout)
  float* scores = nullptr;  // M' outputs
};

// Scratch buffers of forward(): grown on demand to the largest batch seen, never shrunk, so a
// steady state allocates nothing. HstuModel::reserve sizes them for the largest batch the caller
// will form, up front: a server's memory then does not grow with its load (the first full batch
// under overload would otherwise add the difference), and no batch pays the page faults. One per
// thread.
class Workspace {
 public:
  // Tokens per scratch page for uncached sequences when no sequence of the batch has pages
  // (otherwise the first paged sequence's tokens_per_page is used, so both paths run the same
  // attention chunking).
  int scratch_tokens_per_page = 64;
  // Per-phase thread CPU time of forward() calls, accumulated while collect_times is true.
  struct Times {
    // proj: the [U V Q K] sgemm; act: its bias + SiLU; attn: K/V writes and attention;
    // out: LN(O) * U, the W_o sgemm and b_o.
    int64_t embed_ns = 0, norm_ns = 0, proj_ns = 0, act_ns = 0, attn_ns = 0, out_ns = 0, head_ns = 0;
    int64_t total() const { return embed_ns + norm_ns + proj_ns + act_ns + attn_ns + out_ns + head_ns; }
  };
  bool collect_times = false;
  Times times;
  size_t bytes() const;

 private:
  friend class HstuModel;
  struct SeqPlan {
    int hist_row, cand_row;  // first row of its history / candidates in the batch buffers
    const KvView* kv;        // pages to use (the caller's or scratch)
    int kv_layer_stride;     // 1 for caller pages (one slot per layer), 0 for scratch (reused)
  };
  std::vector<SeqPlan> plan_;
  std::vector<float> x_, xh_, uvqk_, o_, tmp_, s_, qo_, scratch_kv_;
  std::vector<KvView> scratch_views_;
};

class HstuModel {
 public:
  // Keeps a reference to w: w must outlive the model.
  explicit HstuModel(const Weights& w);
  const ModelConfig& config() const { return w_.cfg; }
  const Weights& weights() const { return w_; }

  // Computes every sequence of the batch (see SeqInput). Internal-contract violations (sizes,
  // missing pages) throw std::logic_error: callers validate user input before.
  void forward(std::span<SeqInput> batch, Workspace& ws) const;

  // Floating-point operations of the matrix products forward() performs for this batch
  // (2 m n k per product; attention counts only visible (query, key) pairs), by part. The
  // achieved GFLOP/s of a run is flops / time.
  struct FlopCount {
    double proj = 0, attn = 0, out = 0;  // [U V Q K] projection, QK^T and AV, W_o
    double total() const { return proj + attn + out; }
  };
  FlopCount flop_count(std::span<const SeqInput> batch) const;
  // Grows `ws` (and touches it) for batches of up to `seqs` sequences holding `history_rows`
  // computed history tokens and `candidate_rows` candidates in all, uncached ones paged at
  // `tokens_per_page`: forward() on such a batch then allocates nothing. A larger batch still
  // runs; forward() grows the workspace for it.
  void reserve(Workspace& ws, int seqs, int history_rows, int candidate_rows, int tokens_per_page) const;
  double flops(std::span<const SeqInput> batch) const { return flop_count(batch).total(); }

 private:
  void embed(std::span<SeqInput> batch, Workspace& ws) const;
  // The per-row and per-block buffers for a batch of T rows (one owner of their sizes).
  void grow_rows(Workspace& ws, int T) const;
  void attention(std::span<SeqInput> batch, Workspace& ws, int layer, bool last) const;
  const Weights& w_;
  std::vector<std::vector<float>> rab_rev_;  // per layer: rab reversed, so rab[pi - j] walks forward
  // Per layer: W_uvqk and W_o packed for cpu::gemm_rows (empty where the shape does not allow
  // it or the model's weights are small enough for sgemm to keep them in L2), for few rows.
  std::vector<std::vector<float>> uvqk_panels_, wo_panels_;
};

}  // namespace helm
