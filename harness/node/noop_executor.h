// `--executor noop`: completes every request the moment its batch starts, with no model and no
// caches. It measures what the harness itself sustains (rank 0's pacing, messages, batching):
// the ceiling of a run, and the reference a driver comparison needs (`run` vs `sim`, same trace).
#pragma once
#include "harness/node/node_executor.h"

namespace helm {

class NoopExecutor final : public NodeExecutor {
 public:
  explicit NoopExecutor(const Trace& trace, double emb_share) : trace_(trace), share_(emb_share) {}
  int64_t estimate_tokens(int64_t) override { return 1; }
  void execute(std::span<const Queued> batch, Nanos start, std::vector<Outcome>& out) override {
    for (const Queued& q : batch) {
      Outcome o;
      o.id = q.id;
      o.arrival = q.arrival;
      o.start = o.finish = start;
      o.batch_size = static_cast<int32_t>(batch.size());
      o.history_len = trace_.requests[static_cast<size_t>(q.id)].history_len;
      out.push_back(o);
    }
  }
  LinkStats link_stats() const override { return {}; }
  double emb_share() const override { return share_; }
  KvProbe probe_kv(UserId) const override { return {}; }
  void set_eviction_callback(std::function<void(UserId)>) override {}
  void set_share(double r) override { share_ = r; }

 private:
  const Trace& trace_;
  double share_;
};

}  // namespace helm
