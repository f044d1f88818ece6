// The pool on a GPU: one cudaMalloc of floor(pool_bytes / page_bytes) pages (never managed
// memory), with its own copy stream for page moves and background refill, and the EMB miss path
// (CudaRowSource) that fills pool rows from host memory on that stream.
//
// Ordering. Everything here is enqueued on copy_stream() and returns at once. A consumer that
// must see the bytes (the forward's stream) waits on an event (fence()/wait()), never the host:
// copies never sit on a request's path. PagePool pins still decide which pages may be touched:
// the caller moves or refills only pages it owns and no batch has pinned.
//
// Bookkeeping is unchanged: PagePool, EmbCache and KvCache run over a CudaDevice exactly as over a
// CpuDevice (page(p) is a device address; KvCache hands those out as KvView pages). EmbCache
// writes missed rows through HostTable::read(item, dst): give it a CudaRowSource, which turns
// reads into pool addresses into queued copies, flushed once per batch.
// This header is C++17 (nvcc compiles it): no std::span.
#pragma once
#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "allocator/device.h"
#include "allocator/host_table.h"

namespace helm {

class CudaDevice final : public Device {
 public:
  // Throws BadInput on bad geometry (check_pool_geometry), std::runtime_error on CUDA errors.
  CudaDevice(size_t pool_bytes, size_t page_bytes, int device = 0);
  ~CudaDevice() override;
  CudaDevice(const CudaDevice&) = delete;
  CudaDevice& operator=(const CudaDevice&) = delete;

  std::string_view name() const override { return "cuda"; }
  size_t page_bytes() const override { return page_bytes_; }
  size_t num_pages() const override { return num_pages_; }
  std::byte* page(PageId p) override { return base_ + static_cast<size_t>(p) * page_bytes_; }
  std::byte* base() const { return base_; }
  size_t bytes() const { return num_pages_ * page_bytes_; }
  bool contains(const void* p) const {
    const auto* b = static_cast<const std::byte*>(p);
    return b >= base_ && b < base_ + bytes();
  }
  int device() const { return device_; }
  cudaStream_t copy_stream() const { return copy_; }

  struct PageMove {
    PageId from, to;
  };
  // Enqueue device-to-device page copies (repartitioning: a page's bytes change owner).
  void move_pages(const PageMove* moves, size_t n);
  // Enqueue a host-to-device copy into page p at byte offset `offset` (background refill; `src`
  // should be pinned for the copy to be asynchronous, and must stay valid until done(fence())).
  void refill(PageId p, size_t offset, const void* src, size_t bytes);
  // A ticket for everything enqueued on the copy stream so far; done(t) polls it (no blocking).
  uint64_t fence();
  bool done(uint64_t ticket);
  // Makes `s` wait (on the device) for everything enqueued so far.
  void wait(cudaStream_t s);
  void synchronize();  // the host waits for the copy stream (tests, shutdown)
  // Synchronous copies of whole pages (tests and the GPU check).
  void read_page(PageId p, void* dst);
  void write_page(PageId p, const void* src);

 private:
  static constexpr int kEvents = 64;
  size_t page_bytes_ = 0, num_pages_ = 0;
  int device_ = 0;
  std::byte* base_ = nullptr;
  cudaStream_t copy_ = nullptr;
  cudaEvent_t events_[kEvents] = {};
  uint64_t next_ticket_ = 0;  // tickets issued so far; ticket t lives in events_[t % kEvents]
};

// How EMB misses reach the pool:
//   staged  the CPU reads each missed row into a pinned staging buffer; one H2D copy and one
//           scatter kernel per batch (works for any table, generated ones included);
//   mapped  the whole table sits in pinned, mapped host memory (cudaHostAllocMapped); a kernel
//           reads the missed rows over the bus straight into their pool slots (zero-copy: no CPU
//           copy, no staging). Only for tables up to `max_mapped_bytes`; else staged.
// The GPU check times both (tools/gpu_check) and reports the faster.
enum class MissPath { staged, mapped };

class CudaRowSource final : public HostTable {
 public:
  CudaRowSource(const HostTable& table, CudaDevice& device, MissPath path = MissPath::staged,
                size_t max_mapped_bytes = size_t{4} << 30);
  ~CudaRowSource() override;
  CudaRowSource(const CudaRowSource&) = delete;
  CudaRowSource& operator=(const CudaRowSource&) = delete;

  int64_t rows() const override { return table_.rows(); }
  int dim() const override { return table_.dim(); }
  const float* row_ptr(ItemId item) const override { return table_.row_ptr(item); }
  // dst inside the pool: queued (the bytes land at the next flush); else read on the host now.
  void read(ItemId item, float* dst) const override;

  // Enqueues the queued rows on `stream` (nullptr: the device's copy stream) and returns an event
  // recorded after them (nullptr when nothing was queued). The forward's stream waits on it.
  cudaEvent_t flush(cudaStream_t stream = nullptr);
  size_t pending() const { return dst_.size(); }
  MissPath path() const { return path_; }  // effective path
  int64_t rows_copied() const { return rows_copied_; }
  int64_t transfers() const { return transfers_; }

 private:
  void reserve(size_t rows) const;
  const HostTable& table_;
  CudaDevice& dev_;
  MissPath path_;
  size_t row_bytes_;
  float* mapped_ = nullptr;       // mapped path: the table, host side
  float* mapped_dev_ = nullptr;   // ... and its device alias
  mutable std::vector<const float*> src_;  // device-visible sources of queued rows (mapped path)
  mutable std::vector<float*> dst_;        // pool destinations of queued rows
  mutable std::byte* pinned_ = nullptr;    // staging: rows, then src and dst pointer arrays
  mutable size_t pinned_rows_ = 0;
  std::byte* dev_stage_ = nullptr;
  size_t dev_stage_rows_ = 0;
  cudaEvent_t done_ = nullptr;
  mutable bool in_flight_ = false;
  int64_t rows_copied_ = 0, transfers_ = 0;
};

}  // namespace helm
