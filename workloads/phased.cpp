#include "workloads/phased.h"

#include <algorithm>

#include "common/error.h"

namespace helm {

PhasedItems::PhasedItems(std::vector<std::shared_ptr<const ItemSource>> sources) {
  for (auto& s : sources) {
    groups_.push_back({s, num_users_, num_items_});
    num_users_ += s->num_users();
    num_items_ += s->num_items();
  }
  HELM_CHECK(!groups_.empty(), "a phased catalogue needs at least one source");
}

size_t PhasedItems::group_of(UserId user) const {
  auto it = std::upper_bound(groups_.begin(), groups_.end(), user,
                             [](UserId u, const Group& g) { return u < g.user_offset; });
  HELM_CHECK(it != groups_.begin() && user < num_users_, "user {} outside [0, {})", user, num_users_);
  return static_cast<size_t>(it - groups_.begin()) - 1;
}

void PhasedItems::history(UserId user, int64_t len, std::vector<ItemId>& out) const {
  const Group& g = groups_[group_of(user)];
  g.items->history(user - g.user_offset, len, out);
  for (auto& i : out) i += g.item_offset;
}

void PhasedItems::history_range(UserId user, int64_t begin, int64_t end, std::vector<ItemId>& out) const {
  const Group& g = groups_[group_of(user)];
  g.items->history_range(user - g.user_offset, begin, end, out);
  for (auto& i : out) i += g.item_offset;
}

void PhasedItems::draw_range(UserId user, int64_t begin, int64_t end, std::vector<ItemId>& out) const {
  const Group& g = groups_[group_of(user)];
  g.items->draw_range(user - g.user_offset, begin, end, out);
  for (auto& i : out) i += g.item_offset;
}

void PhasedItems::candidates(const Request& r, int M, std::vector<ItemId>& out) const {
  const Group& g = groups_[group_of(r.user)];
  Request local = r;  // candidates are a function of (seed, request id, time), not of the user id
  local.user -= g.user_offset;
  g.items->candidates(local, M, out);
  for (auto& i : out) i += g.item_offset;
}

}  // namespace helm
