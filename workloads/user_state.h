// The session machine's per-user state (synthetic.cpp), at a cost that stays flat however many
// of the population are in session:
//   - BusySet: one bit per user of the population (in session or not) with two summary levels
//     (a bit per full word), so "the first idle user at or after u, wrapping" costs three word
//     scans instead of a walk over the population (which went quadratic once nearly every user
//     was in session: 1024 nodes at 200K qps never finished). 1 bit per user: 15M users = 2 MiB.
//   - UserLens: history length per user the trace has touched, in an open-addressing table
//     (linear probing, no tombstones: users are never erased), so memory follows the touched
//     users, not the population; or a dense array when the population is not much larger.
// Both are exact replacements of a scan and a std::unordered_map: the same answers, in the same
// order, so the traces they build are the same.
#pragma once
#include <bit>
#include <cstdint>
#include <vector>

namespace helm {

class BusySet {
 public:
  explicit BusySet(int64_t n) : n_(n) {
    // Level 0: a bit per user; level k+1: a bit per full word of level k. Bits past the end are
    // busy, so a search never returns them.
    int64_t bits = n;
    do {
      const int64_t words = (bits + 63) / 64;
      std::vector<uint64_t> lv(static_cast<size_t>(words), 0);
      if (bits % 64) lv.back() = ~uint64_t{0} << (bits % 64);
      levels_.push_back(std::move(lv));
      bits = words;
    } while (bits > 1);
    for (size_t k = 0; k + 1 < levels_.size(); ++k)  // a word of padding alone may be full
      for (size_t w = 0; w < levels_[k].size(); ++w)
        if (levels_[k][w] == ~uint64_t{0}) levels_[k + 1][w / 64] |= uint64_t{1} << (w % 64);
  }
  bool busy(int64_t u) const { return (levels_[0][static_cast<size_t>(u) / 64] >> (u % 64)) & 1; }
  void set(int64_t u) {
    for (size_t k = 0; k < levels_.size(); ++k) {
      uint64_t& w = levels_[k][static_cast<size_t>(u) / 64];
      w |= uint64_t{1} << (u % 64);
      if (w != ~uint64_t{0}) return;  // the word is not full: the levels above do not change
      u /= 64;
    }
  }
  void clear(int64_t u) {
    for (size_t k = 0; k < levels_.size(); ++k) {
      uint64_t& w = levels_[k][static_cast<size_t>(u) / 64];
      const bool was_full = w == ~uint64_t{0};
      w &= ~(uint64_t{1} << (u % 64));
      if (!was_full) return;
      u /= 64;
    }
  }
  // The first idle user in [from, n), then in [0, from): what a scan from `from` modulo n finds.
  // -1 if everyone is busy.
  int64_t next_idle_wrapping(int64_t from) const {
    const int64_t u = next_idle(from, 0);
    return u >= 0 ? u : next_idle(0, 0);
  }

 private:
  // First zero bit at index >= i of level k (indices of level k count its bits), or -1.
  int64_t next_idle(int64_t i, size_t k) const {
    const auto& lv = levels_[k];
    const int64_t words = static_cast<int64_t>(lv.size());
    int64_t w = i / 64;
    if (w >= words) return -1;
    uint64_t free = ~lv[static_cast<size_t>(w)] & (~uint64_t{0} << (i % 64));
    if (!free) {
      if (k + 1 == levels_.size()) return -1;
      w = next_idle(w + 1, k + 1);  // the next word of this level that is not full
      if (w < 0) return -1;
      free = ~lv[static_cast<size_t>(w)];
    }
    return w * 64 + std::countr_zero(free);
  }
  int64_t n_;
  std::vector<std::vector<uint64_t>> levels_;
};

class UserLens {
 public:
  static constexpr int32_t kAbsent = -1;
  // `population`: ids are in [0, population). A population within a few times the users the
  // trace is expected to touch is kept in a dense array (one cache line per lookup, no probing);
  // a larger one in the hash table, so memory follows the touched users.
  UserLens(int64_t population, size_t expected) {
    if (population >= 0 && static_cast<uint64_t>(population) <= 4 * static_cast<uint64_t>(expected)) {
      dense_.assign(static_cast<size_t>(population), kUntouched);
      return;
    }
    size_t cap = 64;
    while (cap < 2 * expected) cap <<= 1;
    cells_.assign(cap, Cell{kNoKey, kAbsent});
  }
  bool contains(int64_t u) const {
    if (!dense_.empty()) return dense_[static_cast<size_t>(u)] != kUntouched;
    return cells_[slot(u)].key == u;
  }
  // The length slot of u, inserted as kAbsent (not seen yet) when new.
  int32_t& operator[](int64_t u) {
    if (!dense_.empty()) {
      int32_t& v = dense_[static_cast<size_t>(u)];
      if (v == kUntouched) v = kAbsent, ++size_;
      return v;
    }
    size_t s = slot(u);
    if (cells_[s].key == u) return cells_[s].len;
    if (2 * (size_ + 1) > cells_.size()) {
      grow();
      s = slot(u);
    }
    cells_[s].key = u;
    ++size_;
    return cells_[s].len;
  }
  size_t size() const { return size_; }

 private:
  static constexpr int64_t kNoKey = INT64_MIN;
  static constexpr int32_t kUntouched = INT32_MIN;  // dense: never looked up
  struct Cell {  // key and value together: one cache miss per lookup
    int64_t key;
    int32_t len;
  };
  static uint64_t mix(uint64_t k) {
    k = (k ^ (k >> 30)) * 0xBF58476D1CE4E5B9ull;
    k = (k ^ (k >> 27)) * 0x94D049BB133111EBull;
    return k ^ (k >> 31);
  }
  // u's slot, or the empty slot where it would go.
  size_t slot(int64_t u) const {
    const size_t mask = cells_.size() - 1;
    size_t s = mix(static_cast<uint64_t>(u)) & mask;
    while (cells_[s].key != u && cells_[s].key != kNoKey) s = (s + 1) & mask;
    return s;
  }
  void grow() {
    std::vector<Cell> old(cells_.size() * 2, Cell{kNoKey, kAbsent});
    std::swap(old, cells_);
    for (const Cell& c : old)
      if (c.key != kNoKey) cells_[slot(c.key)] = c;
  }
  std::vector<int32_t> dense_;
  std::vector<Cell> cells_;
  size_t size_ = 0;
};

}  // namespace helm
