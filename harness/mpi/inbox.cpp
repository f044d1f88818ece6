#include "harness/mpi/inbox.h"

#include "harness/mpi/mpi_util.h"

namespace helm::mpi {

void Inbox::poll(const std::function<void(const Message&)>& deliver) {
  for (;;) {
    int flag = 0;
    MPI_Message msg;
    MPI_Status st;
    HELM_MPI(MPI_Improbe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &msg, &st));
    if (!flag) break;
    int bytes = 0;
    HELM_MPI(MPI_Get_count(&st, MPI_BYTE, &bytes));
    auto& q = pending_.at(static_cast<size_t>(st.MPI_SOURCE));
    q.push_back({Message{st.MPI_SOURCE, st.MPI_TAG, std::vector<char>(static_cast<size_t>(bytes))}});
    HELM_MPI(MPI_Imrecv(q.back().m.bytes.data(), bytes, MPI_BYTE, &msg, &q.back().req));
  }
  for (auto& q : pending_) {
    while (!q.empty()) {
      int done = 0;
      HELM_MPI(MPI_Test(&q.front().req, &done, MPI_STATUS_IGNORE));
      if (!done) break;  // later messages of this source wait: order per source is kept
      deliver(q.front().m);
      q.pop_front();
    }
  }
}

size_t Inbox::in_flight() const {
  size_t n = 0;
  for (const auto& q : pending_) n += q.size();
  return n;
}

}  // namespace helm::mpi
