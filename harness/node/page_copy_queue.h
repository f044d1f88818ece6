// The host KV tier's page copies, queued in the order the tier issues them, for an executor that
// carries them out at its plan's kv_pages step (node/copy_plan.h): the CUDA executor with
// cudaMemcpyAsync on its copy stream, so the spills and onboards of a batch are enqueued in
// issue order (one stream: they take effect in that order) and before the event the forward
// waits on. Host memory comes from the functions given (pinned memory on the CUDA backend).
// Host code: tested without a GPU (tests/harness/test_host_kv_schedule.cpp).
#pragma once
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "allocator/page_copier.h"

namespace helm {

struct PageCopy {
  bool spill = false;  // true: pool page -> host (device-to-host); false: host -> pool page
  std::byte* dst = nullptr;
  const std::byte* src = nullptr;
  size_t bytes = 0;
};

class PageCopyQueue final : public PageCopier {
 public:
  using Alloc = std::function<std::byte*(size_t)>;
  using Free = std::function<void(std::byte*)>;
  PageCopyQueue(Alloc alloc, Free free) : alloc_(std::move(alloc)), free_(std::move(free)) {}

  std::byte* alloc_host(size_t bytes) override { return alloc_(bytes); }
  void free_host(std::byte* p) override { free_(p); }
  void spill(std::byte* host, const std::byte* page, size_t n) override { q_.push_back({true, host, page, n}); }
  void onboard(std::byte* page, const std::byte* host, size_t n) override { q_.push_back({false, page, host, n}); }

  // The copies issued since the last take(), in issue order; the queue is empty afterwards.
  std::vector<PageCopy> take() { return std::exchange(q_, {}); }
  size_t pending() const { return q_.size(); }
  int64_t pending_bytes() const;

 private:
  Alloc alloc_;
  Free free_;
  std::vector<PageCopy> q_;
};

}  // namespace helm
