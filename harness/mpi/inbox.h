// Rank 0's receiving side without a blocking call. A blocking MPI_Recv after MPI_Iprobe waits for
// the sender whenever a message is above the transport's eager limit (rendezvous): a worker busy
// in a long batch, or SCHED_IDLE on an oversubscribed box, then stalls rank 0's pacing for as
// long as it computes (seconds under overload: dispatch lag grew to tens of seconds). So every
// message is matched with MPI_Improbe and received with MPI_Imrecv; completed messages are
// handed over in the order each source sent them (outcomes after the evictions before them).
#pragma once
#include <mpi.h>

#include <deque>
#include <functional>
#include <vector>

namespace helm::mpi {

class Inbox {
 public:
  struct Message {
    int source = 0, tag = 0;
    std::vector<char> bytes;
  };
  explicit Inbox(int world) : pending_(static_cast<size_t>(world)) {}
  // Matches every message that has arrived, starts its receive, and calls `deliver` for each
  // completed one (per source in send order). Never blocks.
  void poll(const std::function<void(const Message&)>& deliver);
  size_t in_flight() const;

 private:
  struct Pending {
    Message m;
    MPI_Request req = MPI_REQUEST_NULL;
  };
  std::vector<std::deque<Pending>> pending_;  // per source
};

}  // namespace helm::mpi
