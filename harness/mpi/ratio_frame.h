// One ratio broadcast on the wire: [sequence number, last flag, ratio_0 .. ratio_{n-1}] as
// doubles, so NCCL and MPI carry the same fixed-size buffer. The sequence number lets a worker
// check it saw every broadcast in order; the last flag tells it to stop posting collectives, so
// every worker posts exactly as many as rank 0 sends and the run's end cannot hang.
// Host code only (no MPI, no CUDA): tested on its own.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace helm {

struct RatioFrame {
  int64_t seq = 0;  // 1, 2, ... in the order rank 0 posted them
  bool last = false;
  std::vector<double> ratios;

  static size_t wire_size(int n) { return static_cast<size_t>(n) + 2; }
  std::vector<double> encode() const {
    std::vector<double> w;
    w.reserve(ratios.size() + 2);
    w.push_back(static_cast<double>(seq));  // exact up to 2^53 broadcasts
    w.push_back(last ? 1.0 : 0.0);
    w.insert(w.end(), ratios.begin(), ratios.end());
    return w;
  }
  // `expected`: the sequence number the receiver waits for; anything else is a lost or
  // reordered broadcast, which would leave the collectives unmatched: an error, never skipped.
  static RatioFrame decode(const double* w, int n, int64_t expected) {
    RatioFrame f;
    f.seq = static_cast<int64_t>(w[0]);
    f.last = w[1] != 0.0;
    if (f.seq != expected)
      throw std::runtime_error("ratio broadcast: got sequence " + std::to_string(f.seq) +
                               ", expected " + std::to_string(expected));
    f.ratios.assign(w + 2, w + 2 + n);
    return f;
  }
};

// Rank 0's side of the schedule: numbers the frames and refuses anything after the last.
class RatioSequencer {
 public:
  RatioFrame next(const std::vector<double>& ratios, bool last) {
    if (closed_) throw std::logic_error("ratio broadcast: post after the last frame");
    closed_ = last;
    return RatioFrame{++seq_, last, ratios};
  }
  int64_t posted() const { return seq_; }
  bool closed() const { return closed_; }

 private:
  int64_t seq_ = 0;
  bool closed_ = false;
};

}  // namespace helm
