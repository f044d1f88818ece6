#include "harness/node/sampled_history.h"

#include <algorithm>

namespace helm {

void SampledHistories::range(UserId user, int64_t begin, int64_t end, int64_t keep_from,
                             std::vector<ItemId>& out) {
  if (end <= begin) return;
  keep_from = std::min(keep_from, begin);
  User& u = users_[user];
  // A range before what is kept (rare: the same user's requests resolved out of order, or a KV
  // hit's tail kept before a miss asks for the whole window) or past its end: start again from
  // `begin` rather than draw the gap.
  if (begin < u.begin || begin > u.end) {
    u.begin = u.end = begin;
    u.pos.clear();
    u.ids.clear();
  }
  if (end > u.end) {
    items_.draw_range(user, u.end, end, drawn_);  // it keeps what it needs: no second copy
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
  if (keep_from > u.begin) {  // windows only move on: forget what this one left behind
    const auto k = std::lower_bound(u.pos.begin(), u.pos.begin() + lo, keep_from) - u.pos.begin();
    u.pos.erase(u.pos.begin(), u.pos.begin() + k);
    u.ids.erase(u.ids.begin(), u.ids.begin() + k);
    u.begin = keep_from;
  }
}

}  // namespace helm
