// Allocator of large random-access arrays (the caches' index and frequency sketch, the
// loaders' id tables): a lookup touches one random line, so at 10^5-10^7 entries nearly every
// access is also a TLB miss with 4 KiB pages (and a two-level walk in a VM).
#pragma once
#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>

namespace helm {

// Blocks of 2 MiB or more are mapped 2 MiB-aligned and marked MADV_HUGEPAGE (honoured where
// transparent huge pages are `madvise` or `always`; elsewhere a no-op). Smaller blocks come from
// operator new as usual. Meant for arrays written whole when allocated (power-of-two sized, so
// no rounding slack): a growing vector's untouched
// capacity would become resident 2 MiB at a time.
template <class T>
struct HugePageAllocator {
  using value_type = T;
  static constexpr size_t kHuge = size_t{2} << 20;
  HugePageAllocator() noexcept = default;
  template <class U>
  HugePageAllocator(const HugePageAllocator<U>&) noexcept {}
  static size_t rounded(size_t n) { return (n * sizeof(T) + kHuge - 1) & ~(kHuge - 1); }
  T* allocate(size_t n) {
    if (n * sizeof(T) < kHuge) return std::allocator<T>{}.allocate(n);
    const size_t bytes = rounded(n);
    // Over-map by 2 MiB, then trim both ends to a 2 MiB-aligned block.
    void* m = mmap(nullptr, bytes + kHuge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) throw std::bad_alloc();
    const auto base = reinterpret_cast<uintptr_t>(m);
    const uintptr_t start = (base + kHuge - 1) & ~(uintptr_t{kHuge} - 1);
    if (start > base) munmap(m, start - base);
    if (base + kHuge > start) munmap(reinterpret_cast<void*>(start + bytes), base + kHuge - start);
    madvise(reinterpret_cast<void*>(start), bytes, MADV_HUGEPAGE);
    return reinterpret_cast<T*>(start);
  }
  void deallocate(T* p, size_t n) noexcept {
    if (n * sizeof(T) < kHuge) std::allocator<T>{}.deallocate(p, n);
    else munmap(p, rounded(n));
  }
  friend bool operator==(const HugePageAllocator&, const HugePageAllocator&) { return true; }
};

}  // namespace helm
