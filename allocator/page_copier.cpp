#include "allocator/page_copier.h"

#include <cstdlib>
#include <cstring>
#include <new>

namespace helm {

std::byte* MemcpyPageCopier::alloc_host(size_t bytes) {
  // Rounded up to the alignment, as aligned_alloc requires; untouched until a spill writes it.
  auto* p = static_cast<std::byte*>(std::aligned_alloc(64, (bytes + 63) / 64 * 64));
  if (!p) throw std::bad_alloc();
  return p;
}

void MemcpyPageCopier::free_host(std::byte* p) { std::free(p); }

void MemcpyPageCopier::spill(std::byte* host, const std::byte* page, size_t n) { std::memcpy(host, page, n); }

void MemcpyPageCopier::onboard(std::byte* page, const std::byte* host, size_t n) { std::memcpy(page, host, n); }

}  // namespace helm
