#include "harness/node/node_runtime.h"

#include "common/error.h"

namespace helm {

bool Batcher::admit(const Queued& q) {
  if (q_.size() >= opt_.queue_cap) return false;
  q_.push_back(q);
  tokens_ += q.tokens;
  return true;
}

bool Batcher::ready(Nanos now) const {
  if (q_.empty()) return false;
  return static_cast<int>(q_.size()) >= opt_.max_requests || tokens_ >= opt_.max_tokens ||
         now >= deadline();
}

Nanos Batcher::deadline() const {
  return q_.empty() ? std::numeric_limits<Nanos>::max() : q_.front().received + opt_.timeout;
}

std::vector<Queued> Batcher::take() {
  std::vector<Queued> batch;
  int64_t tokens = 0;
  while (!q_.empty() && static_cast<int>(batch.size()) < opt_.max_requests) {
    const Queued& next = q_.front();
    if (!batch.empty() && tokens + next.tokens > opt_.max_tokens) break;
    tokens += next.tokens;
    tokens_ -= next.tokens;
    batch.push_back(next);
    q_.pop_front();
  }
  return batch;
}

std::vector<Queued> Batcher::drain() {
  std::vector<Queued> all(q_.begin(), q_.end());
  q_.clear();
  tokens_ = 0;
  return all;
}

bool NodeRuntime::admit(int64_t id, Nanos arrival, Nanos now) {
  return batcher_.admit(Queued{id, arrival, now, exec_.estimate_tokens(id)});
}

bool NodeRuntime::poll(Nanos now, std::vector<Outcome>& out) {
  if (!batcher_.ready(now)) return false;
  const auto batch = batcher_.take();
  const size_t first = out.size();
  exec_.execute(batch, now, out);
  HELM_CHECK(out.size() == first + batch.size(), "executor returned {} outcomes for {} requests",
             out.size() - first, batch.size());
  for (size_t i = 0; i < batch.size(); ++i) out[first + i].arrival = batch[i].arrival;
  return true;
}

}  // namespace helm
