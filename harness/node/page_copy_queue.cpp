#include "harness/node/page_copy_queue.h"

namespace helm {

int64_t PageCopyQueue::pending_bytes() const {
  int64_t b = 0;
  for (const PageCopy& c : q_) b += static_cast<int64_t>(c.bytes);
  return b;
}

}  // namespace helm
