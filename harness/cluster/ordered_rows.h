// A reorder buffer in front of a RowSink: /requests rows come out in id order 0, 1, 2, ...
// whatever order they finish in. A row waits only while a lower id is still in flight: the
// contiguous finished prefix goes out at once, so what it holds is the rows finished ahead of the
// oldest unfinished request (requests finish within queueing + drain of their arrival), not the
// run. /nodes and /controller rows pass straight through. This is what lets `sim` stream its
// results file during the run yet write /requests exactly as it did from a whole vector.
#pragma once
#include <cstdint>
#include <deque>
#include <vector>

#include "harness/cluster/row_sink.h"

namespace helm {

class OrderedRequestRows final : public RowSink {
 public:
  // `expected`: ids are 0..expected-1.
  OrderedRequestRows(RowSink& out, int64_t expected);
  void add(const RequestRow& r) override;  // an id seen before or out of range is counted, not passed on
  void add(const NodeRow& r) override { out_.add(r); }
  void add(const ControllerRow& r) override { out_.add(r); }

  struct End {
    int64_t missing = 0;                 // ids that never came
    std::vector<int64_t> first_missing;  // the lowest of them, at most kListed
    int64_t duplicates = 0, out_of_range = 0;
    size_t max_waiting = 0;              // the most rows held at once
    bool clean() const { return missing == 0 && duplicates == 0 && out_of_range == 0; }
    static constexpr size_t kListed = 10;
  };
  // Ends the stream: rows still waiting behind a missing id are passed on (in id order, the gap
  // left out) so nothing that came is lost; the missing ids are reported.
  End finish();

  size_t waiting() const { return waiting_; }
  int64_t next() const { return next_; }  // the lowest id not passed on yet

 private:
  RowSink& out_;
  int64_t expected_;
  int64_t next_ = 0;               // ring_[0] holds id next_
  std::deque<RequestRow> ring_;    // ids next_, next_ + 1, ...: a slot per id up to the highest come
  std::deque<bool> have_;          // whether that slot's row has come
  size_t waiting_ = 0;
  End end_;
};

}  // namespace helm
