// The memory behind one pool of fixed-size pages, apart from the bookkeeping that decides what
// lives where (page_pool.h, emb_cache.h, kv_cache.h). The same bookkeeping runs on a CpuDevice
// (real bytes, the CPU backend), a CUDA device (later), or a NullDevice (no bytes: the
// simulator runs 32+ nodes with 40 GiB pools each in one process).
//
// The host-to-device link (pacing, timeline) is not modelled here: caches report how many bytes
// a miss copies and, where the device has bytes, copy them.
#pragma once
#include <cstddef>
#include <cstring>
#include <cstdint>
#include <memory>
#include <string_view>

namespace helm {

using PageId = uint32_t;
inline constexpr PageId kNoPage = ~PageId{0};

class Device {
 public:
  virtual ~Device() = default;
  virtual std::string_view name() const = 0;
  virtual size_t page_bytes() const = 0;
  virtual size_t num_pages() const = 0;
  // Start of page p (64-byte aligned), valid for the device's lifetime; nullptr when the device
  // keeps no bytes (bookkeeping-only).
  virtual std::byte* page(PageId p) = 0;
  bool has_bytes() { return num_pages() > 0 && page(0) != nullptr; }
};

// Throws BadInput unless pool_bytes holds at least one page and page_bytes is a positive
// multiple of 64 (so every page, and every row at a 64-byte-multiple offset, stays aligned).
void check_pool_geometry(size_t pool_bytes, size_t page_bytes);

// One 64-byte-aligned host allocation of floor(pool_bytes / page_bytes) pages, touched at
// construction so first-use page faults never land inside a timed batch.
class CpuDevice final : public Device {
 public:
  CpuDevice(size_t pool_bytes, size_t page_bytes);
  std::string_view name() const override { return "cpu"; }
  size_t page_bytes() const override { return page_bytes_; }
  size_t num_pages() const override { return num_pages_; }
  std::byte* page(PageId p) override { return base_.get() + static_cast<size_t>(p) * page_bytes_; }

 private:
  struct Free {
    void operator()(std::byte* p) const;
  };
  size_t page_bytes_, num_pages_;
  std::unique_ptr<std::byte, Free> base_;
};

// Pages with no bytes behind them: page() is always nullptr.
class NullDevice final : public Device {
 public:
  NullDevice(size_t pool_bytes, size_t page_bytes);
  std::string_view name() const override { return "null"; }
  size_t page_bytes() const override { return page_bytes_; }
  size_t num_pages() const override { return num_pages_; }
  std::byte* page(PageId) override { return nullptr; }

 private:
  size_t page_bytes_, num_pages_;
};

}  // namespace helm
