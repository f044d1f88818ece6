// The simulator's event queue: a min-heap on (time, kind, sequence number). Kinds break ties at
// equal times in a fixed order (a completion frees its node before an arrival at the same
// instant looks for a batch; a timeout comes after arrivals, so a batch filled by an arrival is
// taken whole), and the sequence number (insertion order) breaks the rest, so the order never
// depends on the heap's internals: the same inputs give the same run.
#pragma once
#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

#include "common/clock.h"

namespace helm {

enum SimEventKind : int { kSimFault = 0, kSimCompletion = 1, kSimArrival = 2, kSimTimeout = 3, kSimTick = 4 };

struct SimEvent {
  Nanos time = 0;
  int kind = 0;
  int64_t seq = 0;
  int node = -1;
  bool operator>(const SimEvent& o) const {
    if (time != o.time) return time > o.time;
    if (kind != o.kind) return kind > o.kind;
    return seq > o.seq;
  }
};

class SimEventQueue {
 public:
  // Returns the event's sequence number (a driver may cancel an event by remembering it).
  int64_t push(Nanos time, int kind, int node) {
    q_.push(SimEvent{time, kind, seq_, node});
    return seq_++;
  }
  bool empty() const { return q_.empty(); }
  const SimEvent& top() const { return q_.top(); }
  SimEvent pop() {
    SimEvent e = q_.top();
    q_.pop();
    return e;
  }
  size_t size() const { return q_.size(); }

 private:
  std::priority_queue<SimEvent, std::vector<SimEvent>, std::greater<>> q_;
  int64_t seq_ = 0;
};

}  // namespace helm
