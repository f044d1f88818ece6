#include "gr_model/reference.h"

#include <cmath>

#include "common/error.h"

namespace helm {
namespace {
using Vec = std::vector<double>;

void layer_norm(const double* x, double* out, int n) {
  double mean = 0, var = 0;
  for (int i = 0; i < n; ++i) mean += x[i];
  mean /= n;
  for (int i = 0; i < n; ++i) var += (x[i] - mean) * (x[i] - mean);
  const double r = 1.0 / std::sqrt(var / n + 1e-6);
  for (int i = 0; i < n; ++i) out[i] = (x[i] - mean) * r;
}
double silu(double z) { return z / (1.0 + std::exp(-z)); }

void check_ids(const std::vector<ItemId>& ids, int64_t items, const char* what) {
  for (size_t i = 0; i < ids.size(); ++i)
    if (ids[i] < 0 || ids[i] >= items)
      bad_input("{}[{}]: item id {} out of range [0, {})", what, i, ids[i], items);
}
}  // namespace

std::vector<double> reference_scores(const Weights& w, const std::vector<ItemId>& history,
                                     const std::vector<ItemId>& candidates) {
  const ModelConfig& c = w.cfg;
  const int L = static_cast<int>(history.size()), M = static_cast<int>(candidates.size());
  const int T = L + M, D = c.D, W = c.uvqk_width(), H = c.heads, HV = H * c.d_v;
  HELM_CHECK(L <= c.N - 1, "history {} > N-1", L);
  auto pos = [&](int t) { return t < L ? t : L; };
  // Visibility: history i sees history j <= i; a candidate sees all history and itself.
  auto sees = [&](int i, int j) { return j < L ? (i >= L || j <= i) : j == i; };
  Vec X(static_cast<size_t>(T) * D), Xh(X.size()), UVQK(static_cast<size_t>(T) * W),
      O(static_cast<size_t>(T) * HV), e(D);
  std::vector<float> ef(D);
  for (int t = 0; t < T; ++t) {
    w.E->read(t < L ? history[t] : candidates[t - L], ef.data());
    for (int j = 0; j < D; ++j)
      X[t * D + j] = ef[j] * std::sqrt(static_cast<double>(D)) + w.P[pos(t) * D + j];
  }
  for (const LayerWeights& lw : w.layers) {
    for (int t = 0; t < T; ++t) layer_norm(&X[t * D], &Xh[t * D], D);
    for (int t = 0; t < T; ++t)
      for (int k = 0; k < W; ++k) {
        double s = lw.b_uvqk[k];
        for (int j = 0; j < D; ++j) s += Xh[t * D + j] * lw.W_uvqk[static_cast<size_t>(j) * W + k];
        UVQK[t * W + k] = silu(s);
      }
    for (int h = 0; h < H; ++h)
      for (int i = 0; i < T; ++i) {
        double* oi = &O[static_cast<size_t>(i) * HV + h * c.d_v];
        for (int d = 0; d < c.d_v; ++d) oi[d] = 0;
        const double* qi = &UVQK[static_cast<size_t>(i) * W + c.q_col() + h * c.d_qk];
        for (int j = 0; j < T; ++j) {
          if (!sees(i, j)) continue;
          const double* kj = &UVQK[static_cast<size_t>(j) * W + c.k_col() + h * c.d_qk];
          double s = 0;
          for (int d = 0; d < c.d_qk; ++d) s += qi[d] * kj[d];
          s = s / std::sqrt(static_cast<double>(c.d_qk)) + lw.rab[pos(i) - pos(j)];
          const double a = silu(s) / c.N;
          const double* vj = &UVQK[static_cast<size_t>(j) * W + c.v_col() + h * c.d_v];
          for (int d = 0; d < c.d_v; ++d) oi[d] += a * vj[d];
        }
      }
    Vec ln(HV);
    for (int t = 0; t < T; ++t) {
      layer_norm(&O[static_cast<size_t>(t) * HV], ln.data(), HV);
      for (int k = 0; k < HV; ++k) ln[k] *= UVQK[static_cast<size_t>(t) * W + c.u_col() + k];
      for (int j = 0; j < D; ++j) {
        double s = lw.b_o[j];
        for (int k = 0; k < HV; ++k) s += ln[k] * lw.W_o[static_cast<size_t>(k) * D + j];
        X[t * D + j] += s;
      }
    }
  }
  std::vector<double> scores(M);
  for (int m = 0; m < M; ++m) {
    layer_norm(&X[(L + m) * D], e.data(), D);
    double s = w.head_b;
    for (int j = 0; j < D; ++j) s += w.head_w[j] * e[j];
    scores[m] = s;
  }
  return scores;
}

OwnedKv::OwnedKv(const ModelConfig& cfg, int max_tokens, int tokens_per_page) {
  view_.layout = kv_layout(cfg, tokens_per_page);
  const int pages = view_.layout.pages_for(max_tokens);
  data_.assign(static_cast<size_t>(pages) * view_.layout.page_floats(), 0.0f);
  for (int p = 0; p < pages; ++p) view_.pages.push_back(data_.data() + p * view_.layout.page_floats());
}

std::vector<float> score_sequence(const HstuModel& model, const Weights& w,
                                  const std::vector<ItemId>& history,
                                  const std::vector<ItemId>& candidates, int64_t cached_prefix,
                                  int tokens_per_page) {
  const ModelConfig& c = w.cfg;
  const int64_t L = static_cast<int64_t>(history.size());
  if (L < 1 || L > c.history_cap())
    bad_input("history: length {} outside [1, N-1 = {}]", L, c.history_cap());
  if (cached_prefix < 0 || cached_prefix > L)
    bad_input("cached_prefix: {} outside [0, history length {}]", cached_prefix, L);
  check_ids(history, w.items, "history");
  check_ids(candidates, w.items, "candidates");
  const int D = c.D, n_hist = static_cast<int>(L), M = static_cast<int>(candidates.size());
  std::vector<float> emb(static_cast<size_t>(n_hist + M) * D);
  std::vector<const float*> rows(n_hist + M);
  for (int t = 0; t < n_hist + M; ++t) {
    w.E->read(t < n_hist ? history[t] : candidates[t - n_hist], emb.data() + static_cast<size_t>(t) * D);
    rows[t] = emb.data() + static_cast<size_t>(t) * D;
  }
  OwnedKv kv(c, n_hist, tokens_per_page);
  Workspace ws;
  std::vector<float> scores(M);
  const int L0 = static_cast<int>(cached_prefix);
  if (L0 > 0) {  // the earlier visit: history only
    SeqInput first{0, L0, 0, rows.data(), kv.view(), nullptr};
    model.forward(std::span(&first, 1), ws);
  }
  SeqInput second{L0, n_hist - L0, M, rows.data() + L0, kv.view(), scores.data()};
  model.forward(std::span(&second, 1), ws);
  return scores;
}

}  // namespace helm
