// The host-to-device link as a reservation timeline.
//
// Why emulate it: on the CPU backend a memcpy costs next to nothing while the model runs ~1000x
// slower than on an A100, which would erase the EMB/KV trade-off. So every transfer into the pool
// reserves time on this timeline: a fixed latency plus bytes / rate, where the rate keeps the
// A100's compute-to-PCIe ratio (see harness: the default is scaled by the measured sgemm rate).
//
// Priorities: demand transfers (a batch is waiting) go before background traffic (refill).
// Background work is cut into chunks and a chunk is only started when no demand is queued; a
// demand transfer waits at most for the chunk in flight (transfers are not preempted mid-way).
// Times are the caller's clock (ns); the link never reads a clock itself, so `run` and `sim`
// drive it identically.
#pragma once
#include <cstddef>
#include <cstdint>

#include "common/clock.h"

namespace helm {

enum class LinkPurpose : int { kEmbDemand = 0, kKvOnboard = 1, kRefill = 2 };
constexpr int kLinkPurposes = 3;

struct LinkStats {
  uint64_t bytes[kLinkPurposes] = {};
  uint64_t transfers[kLinkPurposes] = {};
  Nanos busy_ns = 0;  // total reserved time
};

class H2DLink {
 public:
  // bytes_per_second > 0; fixed_latency_ns >= 0.
  H2DLink(double bytes_per_second, Nanos fixed_latency_ns);

  // Reserve a demand transfer issued at `now`; returns when its bytes are in the pool.
  Nanos demand(Nanos now, size_t bytes, LinkPurpose purpose = LinkPurpose::kEmbDemand);
  // Start a background chunk at `now` if the link is idle then; returns its completion time,
  // or -1 if the link is busy (the caller retries later, e.g. at idle_at()).
  Nanos try_background(Nanos now, size_t bytes, LinkPurpose purpose = LinkPurpose::kRefill);
  // When the link has no reservation left after `now`.
  Nanos idle_at() const { return busy_until_; }
  Nanos transfer_time(size_t bytes) const;
  double bytes_per_second() const { return bytes_per_ns_ * 1e9; }
  Nanos fixed_latency() const { return latency_; }
  const LinkStats& stats() const { return stats_; }

 private:
  Nanos reserve(Nanos start, size_t bytes, LinkPurpose purpose);
  double bytes_per_ns_;
  Nanos latency_;
  Nanos busy_until_ = 0;
  LinkStats stats_;
};

}  // namespace helm
