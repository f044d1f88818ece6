// Requests and traces: what every other module sees of a workload.
//
// A trace is a pure function of (dataset or profile, regime, qps, duration, seed), so every MPI
// rank rebuilds it and messages carry request ids only. Histories are never materialised per
// request (a KuaiRand-like user has 8000 items): a request carries the user and the history
// LENGTH, and the trace's ItemSource answers the items on demand.
#pragma once
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"

namespace helm {

using ItemId = int64_t;  // same alias as allocator/host_table.h (identical redeclaration is legal)
using UserId = int64_t;

struct Request {
  int64_t id = 0;           // 0..n-1, equal to the request's index in Trace::requests
  UserId user = 0;          // dense, 0..num_users-1
  Nanos arrival = 0;        // scheduled, ns from the start of the run
  int32_t history_len = 0;  // items the user interacted with before this visit
  int32_t phase = 0;        // which --phases segment produced it (0 without phases)
};

class ItemSource {
 public:
  virtual ~ItemSource() = default;
  virtual int64_t num_items() const = 0;  // catalogue size: items are 0..num_items-1
  virtual int64_t num_users() const = 0;  // user population: users are 0..num_users-1
  // The user's first `len` items, oldest first, replacing `out`'s contents. Prefix-stable:
  // history(u, a) is a prefix of history(u, b) for a <= b, which is what lets a KV cache reuse
  // an earlier visit's keys and values.
  virtual void history(UserId user, int64_t len, std::vector<ItemId>& out) const = 0;
  // Items at positions [begin, end) of the user's history (what a visit added since an earlier
  // one). The default slices history(); sources with long histories override it.
  virtual void history_range(UserId user, int64_t begin, int64_t end, std::vector<ItemId>& out) const {
    history(user, end, out);
    out.erase(out.begin(), out.begin() + std::min<int64_t>(begin, static_cast<int64_t>(out.size())));
  }
  // The same items as history_range(), for a caller that keeps what it needs itself: a source
  // may skip its own caches of recent windows (they would hold a second copy).
  virtual void draw_range(UserId user, int64_t begin, int64_t end, std::vector<ItemId>& out) const {
    history_range(user, begin, end, out);
  }
  // M candidate items to score, a pure function of (seed, request id); see candidates.h.
  virtual void candidates(const Request& r, int M, std::vector<ItemId>& out) const = 0;
};

struct Trace {
  std::vector<Request> requests;  // sorted by arrival; ids 0..n-1
  std::shared_ptr<const ItemSource> items;
  std::string name;                // e.g. "synthetic:steady" or "movielens:PATH:steady"
  std::vector<std::string> notes;  // e.g. "file ended before --duration: 812 visits"
  // Gap above which two requests of one user count as different sessions in trace_stats().
  Nanos session_timeout = 0;
};

}  // namespace helm
