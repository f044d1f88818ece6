// CudaHstuModel: the batch driver (host side). Mirrors hstu_cpu.cpp step for step:
//   rows [0, Th) are every sequence's new history tokens, rows [Th, T) every candidate;
//   per layer: LN -> [U V Q K] product (cuBLAS) -> bias + SiLU (+ history K/V into the pages)
//   -> attention (pages) -> LN(O) * U, x += b_o -> x += (.) W_o (cuBLAS, beta = 1);
//   the last layer's history outputs feed nothing, so it queries and projects candidates only.
// One pinned descriptor buffer and one copy per batch carry every pointer and index the kernels
// need; host rows (anything outside the registered device ranges) ride in a pinned staging
// buffer and a second copy.
#include "gr_model/cuda/cuda_model.h"

#include <cublas_v2.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "common/error.h"
#include "gr_model/batch_check.h"
#include "gr_model/cuda/cuda_check.h"
#include "gr_model/cuda/kernels.h"

#define HELM_CUBLAS(call)                                                                  \
  do {                                                                                     \
    const cublasStatus_t s_ = (call);                                                      \
    if (s_ != CUBLAS_STATUS_SUCCESS) ::helm::cuda::fail(__FILE__, __LINE__, #call, cublasGetStatusString(s_)); \
  } while (0)

namespace helm {
namespace {

// Grow-only device / pinned buffers (the caller guarantees nothing in flight uses them).
struct DevBuf {
  void* p = nullptr;
  size_t bytes = 0;
  void* need(size_t n) {
    if (n > bytes) {
      if (p) HELM_CUDA(cudaFree(p));
      p = nullptr;
      bytes = 0;
      const size_t want = std::max<size_t>(n + n / 4, 256);
      HELM_CUDA(cudaMalloc(&p, want));
      bytes = want;
    }
    return p;
  }
  ~DevBuf() { if (p) cudaFree(p); }
};
struct HostBuf {
  void* p = nullptr;
  size_t bytes = 0;
  void* need(size_t n) {
    if (n > bytes) {
      if (p) HELM_CUDA(cudaFreeHost(p));
      p = nullptr;
      bytes = 0;
      const size_t want = std::max<size_t>(n + n / 4, 256);
      HELM_CUDA(cudaHostAlloc(&p, want, cudaHostAllocDefault));
      bytes = want;
    }
    return p;
  }
  ~HostBuf() { if (p) cudaFreeHost(p); }
};

size_t align16(size_t n) { return (n + 15) / 16 * 16; }

uint16_t bf16_bits(float f) {  // round to nearest even; NaN stays NaN
  uint32_t u;
  std::memcpy(&u, &f, 4);
  if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((u >> 16) | 0x40);
  u += 0x7fffu + ((u >> 16) & 1u);
  return static_cast<uint16_t>(u >> 16);
}

void* upload(const std::vector<float>& v, bool bf16, std::vector<void*>& owned) {
  void* d = nullptr;
  if (bf16) {
    std::vector<uint16_t> h(v.size());
    for (size_t i = 0; i < v.size(); ++i) h[i] = bf16_bits(v[i]);
    HELM_CUDA(cudaMalloc(&d, h.size() * 2));
    owned.push_back(d);
    HELM_CUDA(cudaMemcpy(d, h.data(), h.size() * 2, cudaMemcpyHostToDevice));
  } else {
    HELM_CUDA(cudaMalloc(&d, v.size() * 4));
    owned.push_back(d);
    HELM_CUDA(cudaMemcpy(d, v.data(), v.size() * 4, cudaMemcpyHostToDevice));
  }
  return d;
}

// C[M x N] = A[M x K] B[K x N] + beta C, all row-major (cuBLAS sees the transposes, column-major).
void gemm(cublasHandle_t h, CudaPrecision p, int M, int N, int K, const void* A, const void* B,
          float* C, float beta) {
  if (M == 0) return;
  const float alpha = 1.0f;
  const cudaDataType ab = p == CudaPrecision::bf16 ? CUDA_R_16BF : CUDA_R_32F;
  const cublasComputeType_t ct =
      p == CudaPrecision::tf32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F;
  HELM_CUBLAS(cublasGemmEx(h, CUBLAS_OP_N, CUBLAS_OP_N, N, M, K, &alpha, B, ab, N, A, ab, K, &beta, C,
                           CUDA_R_32F, N, ct, CUBLAS_GEMM_DEFAULT));
}

}  // namespace

std::string_view precision_name(CudaPrecision p) {
  switch (p) {
    case CudaPrecision::fp32: return "fp32";
    case CudaPrecision::tf32: return "tf32";
    case CudaPrecision::bf16: return "bf16";
  }
  return "?";
}

CudaPrecision parse_precision(std::string_view s) {
  if (s == "fp32") return CudaPrecision::fp32;
  if (s == "tf32") return CudaPrecision::tf32;
  if (s == "bf16") return CudaPrecision::bf16;
  bad_input("--precision: '{}' is not one of fp32, tf32, bf16", s);
}

int cuda_device_count() {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess) {
    (void)cudaGetLastError();  // clear the sticky-free error so later calls start clean
    return 0;
  }
  return n;
}

// ---- workspace ----
struct CudaWorkspace::Impl {
  cublasHandle_t blas = nullptr;
  std::vector<std::pair<const std::byte*, const std::byte*>> ranges;
  DevBuf x, xh, uvqk, o, tmp, scores, stage, desc, scratch_kv;
  HostBuf h_desc, h_stage, h_scores;
  std::vector<cuda::SeqDesc> seqs;
  std::vector<cuda::AttnItem> items_all, items_last;
  std::vector<const float*> src;
  std::vector<void*> pages;
  std::vector<int> tok_seq, tok_pos;
  bool on_device(const void* p) const {
    const auto* b = static_cast<const std::byte*>(p);
    for (const auto& r : ranges)
      if (b >= r.first && b < r.second) return true;
    return false;
  }
};

CudaWorkspace::CudaWorkspace(int device) : impl_(std::make_unique<Impl>()), device_(device) {
  HELM_CUDA(cudaSetDevice(device));
  HELM_CUDA(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking));
  HELM_CUBLAS(cublasCreate(&impl_->blas));
  HELM_CUBLAS(cublasSetStream(impl_->blas, stream_));
}

CudaWorkspace::~CudaWorkspace() {
  cudaSetDevice(device_);
  if (stream_) cudaStreamSynchronize(stream_);
  if (impl_->blas) cublasDestroy(impl_->blas);
  impl_.reset();  // buffers freed before the stream
  if (stream_) cudaStreamDestroy(stream_);
}

void CudaWorkspace::add_device_range(const void* base, size_t bytes) {
  const auto* b = static_cast<const std::byte*>(base);
  impl_->ranges.emplace_back(b, b + bytes);
}

size_t CudaWorkspace::device_bytes() const {
  const Impl& i = *impl_;
  return i.x.bytes + i.xh.bytes + i.uvqk.bytes + i.o.bytes + i.tmp.bytes + i.scores.bytes +
         i.stage.bytes + i.desc.bytes + i.scratch_kv.bytes;
}

// ---- weights ----
struct CudaHstuModel::DeviceWeights {
  struct Layer {
    void *W_uvqk, *W_o;
    float *b_uvqk, *rab, *b_o;
  };
  float* P = nullptr;
  std::vector<Layer> layers;
  float* head_w = nullptr;
  float head_b = 0;
  std::vector<void*> owned;
  ~DeviceWeights() {
    for (void* p : owned) cudaFree(p);
  }
};

CudaHstuModel::CudaHstuModel(const Weights& w, CudaPrecision precision, int device)
    : cfg_(w.cfg), precision_(precision), device_(device), dw_(std::make_unique<DeviceWeights>()) {
  validate(w.cfg, "model config '" + w.cfg.name + "'");
  check_shapes(w);
  HELM_CUDA(cudaSetDevice(device));
  HELM_CUDA(cudaDeviceGetAttribute(&cc_major_, cudaDevAttrComputeCapabilityMajor, device));
  const bool bf16 = precision == CudaPrecision::bf16;
  auto& o = dw_->owned;
  dw_->P = static_cast<float*>(upload(w.P, false, o));
  for (const LayerWeights& l : w.layers)
    dw_->layers.push_back({upload(l.W_uvqk, bf16, o), upload(l.W_o, bf16, o),
                           static_cast<float*>(upload(l.b_uvqk, false, o)),
                           static_cast<float*>(upload(l.rab, false, o)),
                           static_cast<float*>(upload(l.b_o, false, o))});
  dw_->head_w = static_cast<float*>(upload(w.head_w, false, o));
  dw_->head_b = w.head_b;
}

CudaHstuModel::~CudaHstuModel() {
  cudaSetDevice(device_);
  dw_.reset();
}

bool CudaHstuModel::tensor_core_attention() const {
  return precision_ == CudaPrecision::bf16 && cc_major_ >= 8 && cuda::wmma_attention_supported(cfg_.d_qk, cfg_.d_v);
}

void CudaHstuModel::forward(std::span<SeqInput> batch, CudaWorkspace& ws, cudaEvent_t after) const {
  const ModelConfig& c = cfg_;
  const int D = c.D, W = c.uvqk_width(), HV = c.heads * c.d_v;
  const size_t eb = kv_bytes_per_element();
  CudaWorkspace::Impl& im = *ws.impl_;
  cudaStream_t st = ws.stream();
  HELM_CUDA(cudaSetDevice(device_));
  HELM_CHECK(ws.device() == device_, "workspace on device {} for a model on device {}", ws.device(), device_);

  // The same checks as HstuModel::forward; this backend plans one page geometry per batch.
  const BatchShape shape = check_batch(c, batch, eb, /*one_page_size=*/true);
  const int Th = shape.history_tokens, Tc = shape.candidate_tokens;
  int tpp = shape.tokens_per_page;
  const int T = Th + Tc;
  ws.last = {};
  if (T == 0) return;
  if (tpp == 0) tpp = ws.scratch_tokens_per_page;
  const KvLayout L = kv_layout(tpp);
  const size_t page_bytes = L.page_floats() * eb;  // page_floats counts elements
  const bool tc = tensor_core_attention();
  const int tile = cuda::attention_tile(tc);

  // Host plan: rows, pages (caller's or scratch), attention items, row sources.
  const int B = static_cast<int>(batch.size());
  im.seqs.resize(B);
  im.items_all.clear();
  im.items_last.clear();
  im.pages.clear();
  im.src.assign(T, nullptr);
  im.tok_seq.assign(T, 0);
  im.tok_pos.assign(T, 0);
  size_t scratch_pages = 0;
  for (const SeqInput& s : batch)
    if (!s.kv) scratch_pages += L.pages_for(s.new_tokens);
  auto* scratch = static_cast<std::byte*>(im.scratch_kv.need(std::max<size_t>(scratch_pages, 1) * page_bytes));
  std::vector<int> host_rows;  // batch rows whose embedding row is host memory
  for (int i = 0, hr = 0, cr = Th; i < B; ++i) {
    const SeqInput& s = batch[i];
    cuda::SeqDesc& d = im.seqs[i];
    d = {hr, cr, s.cached_len, s.new_tokens, s.num_candidates, static_cast<int>(im.pages.size())};
    if (s.kv) {
      for (float* p : s.kv->pages) im.pages.push_back(p);
    } else {
      for (int k = 0; k < L.pages_for(s.new_tokens); ++k) im.pages.push_back(scratch), scratch += page_bytes;
    }
    const int L_all = s.cached_len + s.new_tokens;
    for (int k = 0; k < s.new_tokens + s.num_candidates; ++k) {
      const int r = k < s.new_tokens ? hr + k : cr + (k - s.new_tokens);
      im.src[r] = s.rows[k];
      im.tok_seq[r] = i;
      im.tok_pos[r] = k < s.new_tokens ? s.cached_len + k : L_all;
      if (!im.on_device(s.rows[k])) host_rows.push_back(r);
    }
    for (int t0 = 0; t0 < s.new_tokens + s.num_candidates; t0 += tile) im.items_all.push_back({i, t0});
    for (int t0 = 0; t0 < s.num_candidates; t0 += tile) im.items_last.push_back({i, t0});
    hr += s.new_tokens;
    cr += s.num_candidates;
  }
  ws.last.tokens = T;
  ws.last.host_rows = static_cast<int64_t>(host_rows.size());
  ws.last.device_rows = T - ws.last.host_rows;

  // Host rows -> pinned staging -> device staging (one copy).
  if (!host_rows.empty()) {
    const size_t row_bytes = static_cast<size_t>(D) * sizeof(float);
    auto* hs = static_cast<float*>(im.h_stage.need(host_rows.size() * row_bytes));
    auto* ds = static_cast<float*>(im.stage.need(host_rows.size() * row_bytes));
    for (size_t k = 0; k < host_rows.size(); ++k) {
      const int r = host_rows[k];
      std::memcpy(hs + k * D, im.src[r], row_bytes);
      im.src[r] = ds + k * D;
    }
    HELM_CUDA(cudaMemcpyAsync(ds, hs, host_rows.size() * row_bytes, cudaMemcpyHostToDevice, st));
  }

  // Descriptors: one pinned block, one copy.
  const size_t o_src = 0, o_pages = o_src + align16(sizeof(void*) * T),
               o_seqs = o_pages + align16(sizeof(void*) * std::max<size_t>(im.pages.size(), 1)),
               o_tseq = o_seqs + align16(sizeof(cuda::SeqDesc) * B),
               o_tpos = o_tseq + align16(sizeof(int) * T),
               o_all = o_tpos + align16(sizeof(int) * T),
               o_last = o_all + align16(sizeof(cuda::AttnItem) * std::max<size_t>(im.items_all.size(), 1)),
               total = o_last + align16(sizeof(cuda::AttnItem) * std::max<size_t>(im.items_last.size(), 1));
  auto* hd = static_cast<std::byte*>(im.h_desc.need(total));
  auto* dd = static_cast<std::byte*>(im.desc.need(total));
  std::memcpy(hd + o_src, im.src.data(), sizeof(void*) * T);
  std::memcpy(hd + o_pages, im.pages.data(), sizeof(void*) * im.pages.size());
  std::memcpy(hd + o_seqs, im.seqs.data(), sizeof(cuda::SeqDesc) * B);
  std::memcpy(hd + o_tseq, im.tok_seq.data(), sizeof(int) * T);
  std::memcpy(hd + o_tpos, im.tok_pos.data(), sizeof(int) * T);
  std::memcpy(hd + o_all, im.items_all.data(), sizeof(cuda::AttnItem) * im.items_all.size());
  std::memcpy(hd + o_last, im.items_last.data(), sizeof(cuda::AttnItem) * im.items_last.size());
  HELM_CUDA(cudaMemcpyAsync(dd, hd, total, cudaMemcpyHostToDevice, st));
  const auto* d_src = reinterpret_cast<const float* const*>(dd + o_src);
  auto* const* d_pages = reinterpret_cast<void* const*>(dd + o_pages);
  const auto* d_seqs = reinterpret_cast<const cuda::SeqDesc*>(dd + o_seqs);
  const auto* d_tseq = reinterpret_cast<const int*>(dd + o_tseq);
  const auto* d_tpos = reinterpret_cast<const int*>(dd + o_tpos);
  const auto* d_all = reinterpret_cast<const cuda::AttnItem*>(dd + o_all);
  const auto* d_last = reinterpret_cast<const cuda::AttnItem*>(dd + o_last);

  const bool bf16 = precision_ == CudaPrecision::bf16;
  const size_t ab = bf16 ? 2 : 4;  // bytes per product operand
  auto* x = static_cast<float*>(im.x.need(sizeof(float) * T * D));
  auto* xh = static_cast<std::byte*>(im.xh.need(ab * T * D));
  auto* uvqk = static_cast<float*>(im.uvqk.need(sizeof(float) * T * W));
  auto* o = static_cast<float*>(im.o.need(sizeof(float) * T * HV));
  auto* tmp = static_cast<std::byte*>(im.tmp.need(ab * T * HV));
  auto* scores = static_cast<float*>(im.scores.need(sizeof(float) * std::max(Tc, 1)));

  if (after) HELM_CUDA(cudaStreamWaitEvent(st, after, 0));
  cuda::embed(d_src, d_tpos, dw_->P, x, T, D, std::sqrt(static_cast<float>(D)), st);
  cuda::KvGeom g;
  g.T = tpp;
  g.k_row = c.heads * c.d_qk;
  g.v_row = c.heads * c.d_v;
  g.layer_elems = static_cast<long long>(L.layer_floats());
  g.bf16 = bf16;
  for (int l = 0; l < c.layers; ++l) {
    const auto& lw = dw_->layers[l];
    const bool last = l == c.layers - 1;
    cuda::layer_norm(x, xh, bf16, T, D, st);
    gemm(im.blas, precision_, T, W, D, xh, lw.W_uvqk, uvqk, 0.0f);
    cuda::bias_silu_kv(uvqk, lw.b_uvqk, T, W, Th, d_tseq, d_tpos, d_seqs, d_pages, g, l, c.k_col(), c.v_col(), st);
    cuda::AttnArgs a;
    a.uvqk = uvqk;
    a.W = W;
    a.q_col = c.q_col();
    a.k_col = c.k_col();
    a.v_col = c.v_col();
    a.o = o;
    a.HV = HV;
    a.seqs = d_seqs;
    a.pages = d_pages;
    a.items = last ? d_last : d_all;
    a.g = g;
    a.layer = l;
    a.last = last;
    a.heads = c.heads;
    a.d_qk = c.d_qk;
    a.d_v = c.d_v;
    a.N = c.N;
    a.rab = lw.rab;
    cuda::attention(a, static_cast<int>(last ? im.items_last.size() : im.items_all.size()), tc, st);
    const int r0 = last ? Th : 0, rows = T - r0;
    cuda::out_prep(o, uvqk, W, c.u_col(), tmp, bf16, x, lw.b_o, r0, rows, HV, D, st);
    gemm(im.blas, precision_, rows, D, HV, tmp + ab * r0 * HV, lw.W_o, x + static_cast<size_t>(r0) * D, 1.0f);
  }
  cuda::head(x, Th, Tc, D, dw_->head_w, dw_->head_b, scores, st);
  auto* hsc = static_cast<float*>(im.h_scores.need(sizeof(float) * std::max(Tc, 1)));
  if (Tc > 0) HELM_CUDA(cudaMemcpyAsync(hsc, scores, sizeof(float) * Tc, cudaMemcpyDeviceToHost, st));
  HELM_CUDA(cudaStreamSynchronize(st));
  for (int i = 0; i < B; ++i)
    if (batch[i].num_candidates > 0)
      std::memcpy(batch[i].scores, hsc + (im.seqs[i].cand_row - Th), sizeof(float) * batch[i].num_candidates);
}

// ---- CudaOwnedKv ----
CudaOwnedKv::CudaOwnedKv(const KvLayout& layout, int max_tokens) {
  view_.layout = layout;
  const int pages = std::max(layout.pages_for(max_tokens), 1);
  const size_t page_bytes = layout.page_floats() * layout.bytes_per_element;
  HELM_CUDA(cudaMalloc(&data_, pages * page_bytes));
  HELM_CUDA(cudaMemset(data_, 0, pages * page_bytes));
  for (int p = 0; p < pages; ++p)
    view_.pages.push_back(reinterpret_cast<float*>(static_cast<std::byte*>(data_) + p * page_bytes));
}

CudaOwnedKv::~CudaOwnedKv() {
  if (data_) cudaFree(data_);
}

}  // namespace helm
