#include "harness/cluster/ordered_rows.h"

#include <algorithm>

namespace helm {

OrderedRequestRows::OrderedRequestRows(RowSink& out, int64_t expected) : out_(out), expected_(expected) {}

void OrderedRequestRows::add(const RequestRow& r) {
  if (r.id < 0 || r.id >= expected_) {
    ++end_.out_of_range;
    return;
  }
  if (r.id < next_) {
    ++end_.duplicates;
    return;
  }
  const auto at = static_cast<size_t>(r.id - next_);
  if (at >= ring_.size()) {
    ring_.resize(at + 1);
    have_.resize(at + 1, false);
  }
  if (have_[at]) {
    ++end_.duplicates;
    return;
  }
  ring_[at] = r;
  have_[at] = true;
  ++waiting_;
  end_.max_waiting = std::max(end_.max_waiting, waiting_);
  while (!have_.empty() && have_.front()) {  // the contiguous prefix goes out
    out_.add(ring_.front());
    ring_.pop_front();
    have_.pop_front();
    --waiting_;
    ++next_;
  }
}

OrderedRequestRows::End OrderedRequestRows::finish() {
  auto lost = [this](int64_t id) {
    ++end_.missing;
    if (end_.first_missing.size() < End::kListed) end_.first_missing.push_back(id);
  };
  for (size_t i = 0; i < have_.size(); ++i) {
    if (have_[i]) out_.add(ring_[i]);
    else lost(next_ + static_cast<int64_t>(i));
  }
  for (int64_t id = next_ + static_cast<int64_t>(have_.size()); id < expected_; ++id) lost(id);
  next_ = expected_;
  ring_.clear();
  have_.clear();
  waiting_ = 0;
  return end_;
}

}  // namespace helm
