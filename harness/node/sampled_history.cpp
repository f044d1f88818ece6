#include "harness/node/sampled_history.h"

#include <algorithm>

namespace helm {

void SampledHistories::range(UserId user, int64_t begin, int64_t end, std::vector<ItemId>& out) {
  if (end <= begin) return;
  User& u = users_[user];
  // A range before what is kept (rare: the same user's requests resolved out of order) or past
  // its end: start again from `begin` rather than draw the gap.
  if (begin < u.begin || begin > u.end) {
    u.begin = u.end = begin;
    u.pos.clear();
    u.ids.clear();
  }
  if (end > u.end) {
    items_.history_range(user, u.end, end, drawn_);
    for (size_t k = 0; k < drawn_.size(); ++k)
      if (sample_.keep(drawn_[k])) {
        u.pos.push_back(static_cast<int32_t>(u.end + static_cast<int64_t>(k)));
        u.ids.push_back(drawn_[k]);
      }
    u.end = end;
  }
  const auto lo = std::lower_bound(u.pos.begin(), u.pos.end(), begin) - u.pos.begin();
  const auto hi = std::lower_bound(u.pos.begin() + lo, u.pos.end(), end) - u.pos.begin();
  out.insert(out.end(), u.ids.begin() + lo, u.ids.begin() + hi);
  if (begin > u.begin) {  // windows only move on: forget what this one left behind
    u.pos.erase(u.pos.begin(), u.pos.begin() + lo);
    u.ids.erase(u.ids.begin(), u.ids.begin() + lo);
    u.begin = begin;
  }
}

}  // namespace helm
