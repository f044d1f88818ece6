#include "allocator/device.h"

#include <cstdlib>
#include <cstring>
#include <new>

#include "common/error.h"

namespace helm {

void check_pool_geometry(size_t pool_bytes, size_t page_bytes) {
  if (page_bytes == 0 || page_bytes % 64 != 0)
    bad_input("--page-kib: page of {} bytes is not a positive multiple of 64 bytes", page_bytes);
  if (pool_bytes < page_bytes)
    bad_input("--pool-mib: pool of {} bytes is smaller than one page of {} bytes", pool_bytes,
              page_bytes);
  if (pool_bytes / page_bytes >= kNoPage)
    bad_input("--pool-mib: pool of {} bytes has too many pages of {} bytes", pool_bytes,
              page_bytes);
}

void CpuDevice::Free::operator()(std::byte* p) const { std::free(p); }

CpuDevice::CpuDevice(size_t pool_bytes, size_t page_bytes) : page_bytes_(page_bytes) {
  check_pool_geometry(pool_bytes, page_bytes);
  num_pages_ = pool_bytes / page_bytes;
  const size_t bytes = num_pages_ * page_bytes_;  // a multiple of 64, as aligned_alloc requires
  base_.reset(static_cast<std::byte*>(std::aligned_alloc(64, bytes)));
  if (!base_) throw std::bad_alloc();
  std::memset(base_.get(), 0, bytes);  // touch every page now
}

NullDevice::NullDevice(size_t pool_bytes, size_t page_bytes) : page_bytes_(page_bytes) {
  check_pool_geometry(pool_bytes, page_bytes);
  num_pages_ = pool_bytes / page_bytes;
}

}  // namespace helm
