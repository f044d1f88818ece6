// Helpers shared by the results tests: unique temporary files and hand-built rows.
#pragma once
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "results/schema.h"

namespace helm::test {

// A path unique to this test and process (ctest runs tests in parallel), removed at scope end.
class TempFile {
 public:
  explicit TempFile(const std::string& suffix = ".h5") {
    static int serial = 0;  // several files in one test
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = (std::filesystem::temp_directory_path() /
             fmt::format("helm_results_{}_{}_{}_{}{}", info->test_suite_name(), info->name(),
                         ::getpid(), serial++, suffix))
                .string();
    std::filesystem::remove(path_);
  }
  ~TempFile() { std::filesystem::remove(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A completed request: arrival at `arrival_ms`, latency `latency_ms`.
inline RequestRow completed(int64_t id, double arrival_ms, double latency_ms) {
  RequestRow r;
  r.id = id;
  r.user = id % 7;
  r.node = static_cast<int32_t>(id % 3);
  r.arrival = static_cast<Nanos>(arrival_ms * 1e6);
  r.start = r.arrival + 1000;
  r.finish = r.arrival + static_cast<Nanos>(latency_ms * 1e6);
  r.latency = r.finish - r.arrival;
  r.status = kCompleted;
  r.batch_size = 4;
  r.history_len = 100;
  return r;
}

inline RequestRow dropped(int64_t id, double arrival_ms) {
  RequestRow r;
  r.id = id;
  r.arrival = static_cast<Nanos>(arrival_ms * 1e6);
  r.status = kDropped;
  return r;
}

}  // namespace helm::test
