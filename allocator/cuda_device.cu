#include "allocator/cuda_device.h"

#include <algorithm>
#include <type_traits>
#include <cstring>
#include <stdexcept>
#include <string>

namespace helm {
namespace {

#define CHECK_CUDA(call)                                                                        \
  do {                                                                                          \
    const cudaError_t e_ = (call);                                                              \
    if (e_ != cudaSuccess)                                                                      \
      throw std::runtime_error(std::string(__FILE__) + ":" + std::to_string(__LINE__) + ": " #call ": " + \
                               cudaGetErrorString(e_));                                         \
  } while (0)

size_t align16(size_t n) { return (n + 15) / 16 * 16; }

// dst[r] = src[r] for D floats (V = 4: 16-byte vectors, every row 16-byte aligned).
template <int V>
__global__ void scatter_rows(const float* const* src, float* const* dst, int rows, int D) {
  using Vec = typename std::conditional<V == 4, float4, float>::type;
  const int per_row = D / V;
  const size_t n = static_cast<size_t>(rows) * per_row;
  for (size_t i = blockIdx.x * size_t{blockDim.x} + threadIdx.x; i < n; i += size_t{gridDim.x} * blockDim.x) {
    const int r = static_cast<int>(i / per_row), c = static_cast<int>(i % per_row);
    reinterpret_cast<Vec*>(dst[r])[c] = reinterpret_cast<const Vec*>(src[r])[c];
  }
}

void launch_scatter(const float* const* src, float* const* dst, int rows, int D, cudaStream_t s) {
  const int threads = 256;
  const size_t work = static_cast<size_t>(rows) * (D % 4 == 0 ? D / 4 : D);
  const unsigned blocks = static_cast<unsigned>(std::min<size_t>((work + threads - 1) / threads, 1u << 16));
  if (D % 4 == 0)
    scatter_rows<4><<<blocks, threads, 0, s>>>(src, dst, rows, D);
  else
    scatter_rows<1><<<blocks, threads, 0, s>>>(src, dst, rows, D);
  CHECK_CUDA(cudaGetLastError());
}

}  // namespace

// ---- CudaDevice ----
CudaDevice::CudaDevice(size_t pool_bytes, size_t page_bytes, int device)
    : page_bytes_(page_bytes), device_(device) {
  check_pool_geometry(pool_bytes, page_bytes);
  num_pages_ = pool_bytes / page_bytes;
  CHECK_CUDA(cudaSetDevice(device));
  void* p = nullptr;
  CHECK_CUDA(cudaMalloc(&p, num_pages_ * page_bytes_));  // 256-byte aligned: every page 64-aligned
  base_ = static_cast<std::byte*>(p);
  CHECK_CUDA(cudaMemset(base_, 0, num_pages_ * page_bytes_));  // touched now, as CpuDevice
  CHECK_CUDA(cudaStreamCreateWithFlags(&copy_, cudaStreamNonBlocking));
  for (auto& e : events_) CHECK_CUDA(cudaEventCreateWithFlags(&e, cudaEventDisableTiming));
  CHECK_CUDA(cudaDeviceSynchronize());
}

CudaDevice::~CudaDevice() {
  cudaSetDevice(device_);
  if (copy_) cudaStreamSynchronize(copy_);
  for (auto& e : events_)
    if (e) cudaEventDestroy(e);
  if (copy_) cudaStreamDestroy(copy_);
  if (base_) cudaFree(base_);
}

void CudaDevice::move_pages(const PageMove* moves, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (moves[i].from == moves[i].to) continue;
    CHECK_CUDA(cudaMemcpyAsync(page(moves[i].to), page(moves[i].from), page_bytes_,
                               cudaMemcpyDeviceToDevice, copy_));
  }
}

void CudaDevice::refill(PageId p, size_t offset, const void* src, size_t bytes) {
  if (offset + bytes > page_bytes_)
    throw std::logic_error("CudaDevice::refill: " + std::to_string(bytes) + " bytes at offset " +
                           std::to_string(offset) + " overflow a page of " + std::to_string(page_bytes_));
  CHECK_CUDA(cudaMemcpyAsync(page(p) + offset, src, bytes, cudaMemcpyHostToDevice, copy_));
}

uint64_t CudaDevice::fence() {
  const uint64_t t = next_ticket_++;
  CHECK_CUDA(cudaEventRecord(events_[t % kEvents], copy_));
  return t;
}

bool CudaDevice::done(uint64_t t) {
  if (t >= next_ticket_) return true;  // never issued: nothing to wait for
  // Older slots were re-recorded; the stream is in order, so the oldest live ticket stands in.
  const uint64_t oldest = next_ticket_ > kEvents ? next_ticket_ - kEvents : 0;
  const cudaError_t e = cudaEventQuery(events_[std::max(t, oldest) % kEvents]);
  if (e == cudaErrorNotReady) return false;
  CHECK_CUDA(e);
  return true;
}

void CudaDevice::wait(cudaStream_t s) {
  const uint64_t t = fence();
  CHECK_CUDA(cudaStreamWaitEvent(s, events_[t % kEvents], 0));
}

void CudaDevice::synchronize() { CHECK_CUDA(cudaStreamSynchronize(copy_)); }

void CudaDevice::read_page(PageId p, void* dst) {
  synchronize();
  CHECK_CUDA(cudaMemcpy(dst, page(p), page_bytes_, cudaMemcpyDeviceToHost));
}

void CudaDevice::write_page(PageId p, const void* src) {
  synchronize();
  CHECK_CUDA(cudaMemcpy(page(p), src, page_bytes_, cudaMemcpyHostToDevice));
}

// ---- CudaRowSource ----
CudaRowSource::CudaRowSource(const HostTable& table, CudaDevice& device, MissPath path,
                             size_t max_mapped_bytes)
    : table_(table), dev_(device), path_(path), row_bytes_(table.row_bytes()) {
  CHECK_CUDA(cudaSetDevice(dev_.device()));
  CHECK_CUDA(cudaEventCreateWithFlags(&done_, cudaEventDisableTiming));
  const size_t table_bytes = static_cast<size_t>(table.rows()) * row_bytes_;
  if (path_ == MissPath::mapped && table_bytes > max_mapped_bytes) path_ = MissPath::staged;
  if (path_ == MissPath::mapped) {
    void* h = nullptr;
    CHECK_CUDA(cudaHostAlloc(&h, table_bytes, cudaHostAllocMapped));
    mapped_ = static_cast<float*>(h);
    for (int64_t i = 0; i < table.rows(); ++i) table.read(i, mapped_ + i * table.dim());
    void* d = nullptr;
    CHECK_CUDA(cudaHostGetDevicePointer(&d, h, 0));
    mapped_dev_ = static_cast<float*>(d);
  }
}

CudaRowSource::~CudaRowSource() {
  cudaSetDevice(dev_.device());
  if (in_flight_) cudaEventSynchronize(done_);
  if (pinned_) cudaFreeHost(pinned_);
  if (mapped_) cudaFreeHost(mapped_);
  if (dev_stage_) cudaFree(dev_stage_);
  if (done_) cudaEventDestroy(done_);
}

// Pinned layout for r rows: [r rows (staged path only)] [r src pointers] [r dst pointers].
void CudaRowSource::reserve(size_t rows) const {
  if (rows <= pinned_rows_) return;
  if (in_flight_) {  // the last flush may still read the old buffer
    CHECK_CUDA(cudaEventSynchronize(done_));
    in_flight_ = false;
  }
  const size_t cap = std::max<size_t>(rows, std::max<size_t>(2 * pinned_rows_, 256));
  void* p = nullptr;
  CHECK_CUDA(cudaHostAlloc(&p, align16(cap * row_bytes_) + 2 * cap * sizeof(void*), cudaHostAllocDefault));
  if (pinned_) {
    if (path_ == MissPath::staged) std::memcpy(p, pinned_, dst_.size() * row_bytes_);
    CHECK_CUDA(cudaFreeHost(pinned_));
  }
  pinned_ = static_cast<std::byte*>(p);
  pinned_rows_ = cap;
}

void CudaRowSource::read(ItemId item, float* dst) const {
  if (!dev_.contains(dst)) {  // a host buffer (the EMB cache's staging of rejected rows)
    table_.read(item, dst);
    return;
  }
  if (in_flight_ && dst_.empty()) {  // first row of a new batch: the last flush must be done
    CHECK_CUDA(cudaEventSynchronize(done_));
    in_flight_ = false;
  }
  reserve(dst_.size() + 1);
  if (path_ == MissPath::staged) {
    table_.read(item, reinterpret_cast<float*>(pinned_ + dst_.size() * row_bytes_));
  } else {
    src_.push_back(mapped_dev_ + static_cast<size_t>(item) * table_.dim());
  }
  dst_.push_back(dst);
}

cudaEvent_t CudaRowSource::flush(cudaStream_t stream) {
  const size_t k = dst_.size();
  if (k == 0) return nullptr;
  CHECK_CUDA(cudaSetDevice(dev_.device()));
  cudaStream_t s = stream ? stream : dev_.copy_stream();
  const size_t rows_bytes = path_ == MissPath::staged ? align16(k * row_bytes_) : 0;
  const size_t total = rows_bytes + 2 * k * sizeof(void*);
  if (k > dev_stage_rows_) {
    if (in_flight_) CHECK_CUDA(cudaEventSynchronize(done_));
    if (dev_stage_) CHECK_CUDA(cudaFree(dev_stage_));
    dev_stage_ = nullptr;
    dev_stage_rows_ = 0;
    void* d = nullptr;
    const size_t cap = std::max(k, pinned_rows_);
    CHECK_CUDA(cudaMalloc(&d, align16(cap * row_bytes_) + 2 * cap * sizeof(void*)));
    dev_stage_ = static_cast<std::byte*>(d);
    dev_stage_rows_ = cap;
  }
  auto** src = reinterpret_cast<const float**>(pinned_ + rows_bytes);
  auto** dst = reinterpret_cast<float**>(pinned_ + rows_bytes + k * sizeof(void*));
  for (size_t i = 0; i < k; ++i) {
    src[i] = path_ == MissPath::staged ? reinterpret_cast<const float*>(dev_stage_ + i * row_bytes_) : src_[i];
    dst[i] = dst_[i];
  }
  CHECK_CUDA(cudaMemcpyAsync(dev_stage_, pinned_, total, cudaMemcpyHostToDevice, s));
  launch_scatter(reinterpret_cast<const float* const*>(dev_stage_ + rows_bytes),
                 reinterpret_cast<float* const*>(dev_stage_ + rows_bytes + k * sizeof(void*)),
                 static_cast<int>(k), table_.dim(), s);
  CHECK_CUDA(cudaEventRecord(done_, s));
  in_flight_ = true;
  rows_copied_ += static_cast<int64_t>(k);
  ++transfers_;
  src_.clear();
  dst_.clear();
  return done_;
}

}  // namespace helm
