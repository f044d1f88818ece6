#include "allocator/h2d_link.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"

namespace helm {

H2DLink::H2DLink(double bytes_per_second, Nanos fixed_latency_ns)
    : bytes_per_ns_(bytes_per_second / 1e9), latency_(fixed_latency_ns) {
  HELM_CHECK(bytes_per_second > 0 && fixed_latency_ns >= 0, "link rate {} B/s, latency {} ns",
             bytes_per_second, fixed_latency_ns);
}

Nanos H2DLink::transfer_time(size_t bytes) const {
  return latency_ + static_cast<Nanos>(std::ceil(static_cast<double>(bytes) / bytes_per_ns_));
}

Nanos H2DLink::reserve(Nanos start, size_t bytes, LinkPurpose purpose) {
  const Nanos t = transfer_time(bytes);
  busy_until_ = start + t;
  stats_.busy_ns += t;
  stats_.bytes[static_cast<int>(purpose)] += bytes;
  stats_.transfers[static_cast<int>(purpose)] += 1;
  return busy_until_;
}

Nanos H2DLink::demand(Nanos now, size_t bytes, LinkPurpose purpose) {
  if (bytes == 0) return now;
  // FIFO among demand transfers; behind at most the background chunk already in flight.
  return reserve(std::max(now, busy_until_), bytes, purpose);
}

Nanos H2DLink::try_background(Nanos now, size_t bytes, LinkPurpose purpose) {
  if (busy_until_ > now) return -1;
  if (bytes == 0) return now;
  return reserve(now, bytes, purpose);
}

}  // namespace helm
