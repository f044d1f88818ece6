// What a trace looks like in numbers (printed by `helm-bench trace`, recorded with results).
#pragma once
#include <cstdint>
#include <string>

#include "workloads/request.h"

namespace helm {

struct TraceStats {
  int64_t requests = 0;
  int64_t users = 0;           // population (ItemSource::num_users)
  int64_t distinct_users = 0;  // users with at least one request
  double mean_history = 0;
  int64_t p99_history = 0;         // nearest rank
  double revisit_fraction = 0;     // requests whose user had an earlier request in the trace
  double mean_in_session = 0;      // users in session at once, whole cluster (divide by nodes)
  double interarrival_cv = 0;      // 1 for Poisson
  double mean_rate = 0;            // requests per second over the trace's span
  double peak_to_mean = 0;         // busiest 1-second window / mean rate
  // Filled by item_sample(): distinct items the requests look up (candidates + history growth).
  int64_t distinct_items = -1;     // -1: not computed
  int64_t item_draws = 0;
};

// What the requests look up on the embedding side, to count distinct items and draw
// rank-frequency pictures: each request's M candidates and the history items added since the
// user's previous request in the trace (a KV hit's new tokens; none at the user's first).
struct ItemSample {
  std::vector<int64_t> item;  // sampled draws (at most max_draws, every k-th request)
  std::vector<int64_t> time;  // arrival of the request that drew it
  int64_t distinct = 0;       // distinct items over ALL requests' draws (a bitmap of the catalogue)
  int64_t draws = 0;          // draws over all requests
};
ItemSample item_sample(const Trace& trace, int M, size_t max_draws = 1 << 20);

// "In session": a user counts from one request to the next when the gap is at most
// `session_timeout` (0: use trace.session_timeout). Mean = time in session / window length, over
// the trace minus min(timeout, span / 4) at each end (so sessions cut by the ends bias nothing).
TraceStats trace_stats(const Trace& trace, Nanos session_timeout = 0);
std::string format_stats(const TraceStats& s);  // one "name: value" per line

}  // namespace helm
