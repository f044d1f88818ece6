// How the host KV tier's bytes cross between pool pages and host memory. The tier decides what
// moves (which user, which pages); a copier moves it, because on a GPU the pool's pages are
// device memory the host must never dereference, and the copies belong on the worker's copy
// stream, not on the host.
//   spill    a pool page -> a tier page in host memory (a user evicted from the pool);
//   onboard  a tier page -> a pool page (a pool miss that the tier holds).
// A copier may copy at once (MemcpyPageCopier: host-memory pools) or only enqueue
// (harness/node/page_copy_queue.h: the CUDA executor carries the copies out on its copy stream,
// before the forward that reads them). Either way the copies must take effect in the order they
// were issued: a tier page may be spilled into right after its bytes were onboarded, and a pool
// page onboarded into right after it was spilled. The host never reads a tier page itself, so
// nothing else has to wait for an enqueued copy.
// Host memory for tier pages comes from the copier too (pinned where the copies are DMA).
#pragma once
#include <cstddef>

namespace helm {

class PageCopier {
 public:
  virtual ~PageCopier() = default;
  // `bytes` of host memory, 64-byte aligned, valid until free_host; throws std::bad_alloc.
  virtual std::byte* alloc_host(size_t bytes) = 0;
  virtual void free_host(std::byte* p) = 0;
  virtual void spill(std::byte* host, const std::byte* page, size_t n) = 0;
  virtual void onboard(std::byte* page, const std::byte* host, size_t n) = 0;
};

// Pools in host memory (CpuDevice): memcpy, done when the call returns.
class MemcpyPageCopier final : public PageCopier {
 public:
  std::byte* alloc_host(size_t bytes) override;
  void free_host(std::byte* p) override;
  void spill(std::byte* host, const std::byte* page, size_t n) override;
  void onboard(std::byte* page, const std::byte* host, size_t n) override;
};

}  // namespace helm
