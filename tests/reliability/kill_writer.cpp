// A results writer to kill: rank 0's real ResultsSink (writer thread, periodic flush) fed rows
// whose fields are a function of their id, forever, until SIGKILL. kill_writer_test.sh kills it
// at random points and checks that each file opens and reads back a consistent prefix.
// Usage: kill_writer PATH FLUSH_MS ROWS_PER_MS [MAX_ROWS]  (MAX_ROWS > 0: finish and close, as the
// ThreadSanitizer run of the second tier does)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "harness/results_sink.h"

int main(int argc, char** argv) {
  if (argc != 4 && argc != 5) {
    std::fprintf(stderr, "usage: kill_writer PATH FLUSH_MS ROWS_PER_MS [MAX_ROWS]\n");
    return 2;
  }
  const std::string path = argv[1];
  const auto every = std::chrono::milliseconds(std::atoi(argv[2]));
  const int per_ms = std::atoi(argv[3]);
  const int64_t max_rows = argc == 5 ? std::atoll(argv[4]) : 0;
  helm::RootAttributes attrs;
  // The header attributes a run writes at its start (the report needs the SLO).
  attrs.set("kind", "kill test").set("slo_ms", 100.0).set("flush_ms", static_cast<int64_t>(every.count()));
  helm::ResultsSink sink(path, attrs, every);
  std::printf("started\n");
  std::fflush(stdout);
  for (int64_t id = 0; max_rows <= 0 || id < max_rows; ++id) {
    helm::RequestRow r;
    r.id = id;
    r.user = id * 7 % 1000;
    r.node = static_cast<int32_t>(id % 3);
    r.arrival = id * 1000;
    r.finish = id * 1000 + 500;
    r.latency = 500;
    r.history_len = static_cast<int32_t>(id % 100);
    sink.add(r);
    if (id % 1000 == 0) {
      helm::ControllerRow c;
      c.time = id * 1000;
      c.node = static_cast<int32_t>(id / 1000 % 3);
      c.ratio_applied = c.target = 0.5;
      sink.add(c);
    }
    if (id % per_ms == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  sink.finish(helm::RootAttributes{});
  return 0;
}
