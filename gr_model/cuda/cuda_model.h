// The HSTU forward pass on CUDA (MODEL.md), mirroring HstuModel (model.h) batch for batch:
// the same SeqInput (cached_len, new_tokens, num_candidates, rows, kv pages, scores), the same row
// order (all new history tokens, then all candidates), the same visibility and KV page layout
// (kv_layout.h: per page [layer][K T x H*d_qk][V T x H*d_v]), so scores equal the CPU forward to
// the precision's tolerance and a cached visit equals a full recompute.
//
// Precision (recorded in every result):
//   fp32  cuBLAS fp32 products, fp32 SIMT attention, fp32 K/V pages (4 bytes per element)
//   tf32  as fp32 but the products run on tensor cores in tf32 (CUBLAS_COMPUTE_32F_FAST_TF32)
//   bf16  bf16 operands with fp32 accumulation for the products and the attention (WMMA tensor
//         cores, d_qk and d_v in {16, 32, 64, 128}; other head sizes fall back to the SIMT kernel),
//         bf16 K/V pages (2 bytes per element); activations between ops stay fp32.
// Layer norms, SiLU, the residual stream and the scores are fp32 in every mode.
//
// Memory. Weights live on the device (one upload at construction). SeqInput::rows may point to
// device memory inside a range registered with CudaWorkspace::add_device_range (the pool: rows
// are gathered in place) or anywhere else (host memory: packed into pinned staging and copied
// with the batch). SeqInput::kv pages must be device memory in kv_layout(T) of this model (the
// KV cache over a CudaDevice hands out exactly that). Uncached sequences use device scratch pages.
//
// forward() is synchronous: it returns once the scores are in SeqInput::scores, so a caller may
// end its cache batch (unpin) right after. Work runs on the workspace's stream; `after` (an event,
// e.g. the EMB miss copies of CudaRowSource::flush) is waited on by that stream first.
// Threading: CudaHstuModel is immutable after construction; one CudaWorkspace per thread.
#pragma once
#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "gr_model/model.h"

namespace helm {

enum class CudaPrecision { fp32, tf32, bf16 };
std::string_view precision_name(CudaPrecision p);
CudaPrecision parse_precision(std::string_view s);  // BadInput for anything but fp32|tf32|bf16

class CudaHstuModel;

class CudaWorkspace {
 public:
  // device: the CUDA device to use (cudaSetDevice is called by the model before each forward).
  explicit CudaWorkspace(int device = 0);
  ~CudaWorkspace();
  CudaWorkspace(const CudaWorkspace&) = delete;
  CudaWorkspace& operator=(const CudaWorkspace&) = delete;

  // Rows inside [base, base + bytes) are device memory (gathered in place).
  void add_device_range(const void* base, size_t bytes);
  cudaStream_t stream() const { return stream_; }
  int device() const { return device_; }
  int scratch_tokens_per_page = 64;  // as Workspace: used when no sequence brings pages
  size_t device_bytes() const;       // device memory held by the buffers

  struct Stats {  // of the last forward
    int64_t tokens = 0, host_rows = 0, device_rows = 0;
  } last;

 private:
  friend class CudaHstuModel;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  cudaStream_t stream_ = nullptr;
  int device_ = 0;
};

class CudaHstuModel {
 public:
  // Uploads w (E stays on the host: rows come from the caller). Keeps no reference to w.
  CudaHstuModel(const Weights& w, CudaPrecision precision, int device = 0);
  ~CudaHstuModel();
  CudaHstuModel(const CudaHstuModel&) = delete;
  CudaHstuModel& operator=(const CudaHstuModel&) = delete;

  const ModelConfig& config() const { return cfg_; }
  CudaPrecision precision() const { return precision_; }
  size_t kv_bytes_per_element() const { return precision_ == CudaPrecision::bf16 ? 2 : 4; }
  KvLayout kv_layout(int tokens_per_page) const {
    return KvLayout{cfg_.layers, cfg_.heads, cfg_.d_qk, cfg_.d_v, tokens_per_page, kv_bytes_per_element()};
  }
  // True when attention runs on the WMMA (tensor-core) kernel, false for the SIMT kernel. The
  // WMMA kernel's bf16 body exists only from sm_80 on (below it compiles empty): older devices
  // always get the SIMT kernel, whatever the precision.
  bool tensor_core_attention() const;

  // As HstuModel::forward (see the header comment for memory). `after`: optional event.
  void forward(std::span<SeqInput> batch, CudaWorkspace& ws, cudaEvent_t after = nullptr) const;

 private:
  struct DeviceWeights;
  ModelConfig cfg_;
  CudaPrecision precision_;
  int device_;
  int cc_major_ = 0;  // the device's compute capability (major)
  std::unique_ptr<DeviceWeights> dw_;
};

// One user's KV pages in one device allocation (tests, the GPU check): as OwnedKv on the host.
class CudaOwnedKv {
 public:
  CudaOwnedKv(const KvLayout& layout, int max_tokens);
  ~CudaOwnedKv();
  CudaOwnedKv(const CudaOwnedKv&) = delete;
  CudaOwnedKv& operator=(const CudaOwnedKv&) = delete;
  KvView* view() { return &view_; }

 private:
  void* data_ = nullptr;
  KvView view_;
};

// Number of CUDA devices, 0 when there is no driver or no device (never throws).
int cuda_device_count();

}  // namespace helm
