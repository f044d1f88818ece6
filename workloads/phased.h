// One catalogue and one user population for a trace whose phases use different datasets.
//
// Each distinct dataset of --phases is a group with its own ItemSource; the union lays them side
// by side: group g's users are [user_offset[g], user_offset[g] + its users) and its items
// likewise, so ids of different datasets never collide (no false KV or embedding hits) and one
// embedding table of sum(items) rows serves the whole trace. Phases naming the same dataset
// share one group, so a user keeps their history across a regime change.
#pragma once
#include <memory>
#include <vector>

#include "workloads/request.h"

namespace helm {

class PhasedItems final : public ItemSource {
 public:
  struct Group {
    std::shared_ptr<const ItemSource> items;
    int64_t user_offset = 0, item_offset = 0;
  };
  explicit PhasedItems(std::vector<std::shared_ptr<const ItemSource>> sources);
  int64_t num_items() const override { return num_items_; }
  int64_t num_users() const override { return num_users_; }
  void history(UserId user, int64_t len, std::vector<ItemId>& out) const override;
  void history_range(UserId user, int64_t begin, int64_t end, std::vector<ItemId>& out) const override;
  void draw_range(UserId user, int64_t begin, int64_t end, std::vector<ItemId>& out) const override;
  void candidates(const Request& r, int M, std::vector<ItemId>& out) const override;
  const std::vector<Group>& groups() const { return groups_; }
  size_t group_of(UserId user) const;  // the group whose user range holds `user`

 private:
  std::vector<Group> groups_;
  int64_t num_items_ = 0, num_users_ = 0;
};

}  // namespace helm
