// Clock: every read of time goes through one of these, so the same node runtime runs on wall
// time in `run` and on virtual time in `sim` (and on a manual clock in tests).
#pragma once
#include <chrono>
#include <cstdint>

namespace helm {

using Nanos = int64_t;  // all times in the harness are int64 nanoseconds

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Nanos now() const = 0;
};

// Monotonic wall clock, as nanoseconds since an origin fixed at construction.
class SteadyClock final : public Clock {
 public:
  SteadyClock() : origin_(std::chrono::steady_clock::now()) {}
  explicit SteadyClock(std::chrono::steady_clock::time_point origin) : origin_(origin) {}
  Nanos now() const override {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                                origin_)
        .count();
  }
  std::chrono::steady_clock::time_point origin() const { return origin_; }

 private:
  std::chrono::steady_clock::time_point origin_;
};

// Time that moves only when told to: the simulator's event loop and unit tests.
class ManualClock final : public Clock {
 public:
  Nanos now() const override { return t_; }
  void set(Nanos t) { t_ = t; }
  void advance(Nanos dt) { t_ += dt; }

 private:
  Nanos t_ = 0;
};

}  // namespace helm
