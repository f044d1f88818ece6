// The sampled ids of users' histories, by position (sim's EMB miniature, emb_sample.h): each
// user's history is drawn and filtered once, as far as its requests reach, so a request's
// sampled ids cost O(rate x computed tokens) instead of drawing and hashing its whole window
// again (the item source's own window cache holds 16M items, fewer than a full-size KuaiRand
// run keeps in session, so windows were drawn again and again).
// Equal to history_range() + EmbSample::filter() for every range (tests/harness/test_emb_sample.cpp).
// One per simulation, shared by its nodes; not thread-safe (the simulator is one thread).
// Memory: rate x the span of each user's windows touched (a window's start moving on drops
// what it left behind).
#pragma once
#include <unordered_map>
#include <vector>

#include "harness/node/emb_sample.h"
#include "workloads/request.h"

namespace helm {

class SampledHistories {
 public:
  SampledHistories(const ItemSource& items, const EmbSample& sample) : items_(items), sample_(sample) {}
  // Appends the sampled ids at positions [begin, end) of `user`'s history, in order. Positions
  // before `keep_from` (<= begin: the window's start, when only its tail is computed) may be
  // forgotten; the rest are kept for the user's next request (a KV miss after a hit computes
  // the whole window again).
  void range(UserId user, int64_t begin, int64_t end, std::vector<ItemId>& out) { range(user, begin, end, begin, out); }
  void range(UserId user, int64_t begin, int64_t end, int64_t keep_from, std::vector<ItemId>& out);

 private:
  struct User {
    int64_t begin = 0, end = 0;  // positions [begin, end) are filtered
    std::vector<int32_t> pos;    // of the sampled ids, ascending
    std::vector<ItemId> ids;
  };
  const ItemSource& items_;
  EmbSample sample_;
  std::unordered_map<UserId, User> users_;
  std::vector<ItemId> drawn_;
};

}  // namespace helm
