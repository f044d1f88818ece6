// Helpers of the router tests (tests/scheduler): one request as the routers see it.
#pragma once
#include <cstdint>

#include "scheduler/router.h"

namespace helm::test {

// User `user`'s request (its id is the user) with a history window of `window` tokens, all of it
// the history, and `cand` candidates.
inline RouteRequest req(int64_t user, int64_t window, int64_t cand = 0) {
  RouteRequest r;
  r.id = user, r.user = user, r.history_len = window, r.window = window, r.candidates = cand;
  return r;
}

}  // namespace helm::test
