// Rank 0's results writer on its own thread: the pacing loop only hands rows over (a mutex and a
// swap), HDF5 compression and I/O happen here, and the file is flushed every `flush_every` so a
// killed run leaves a readable file.
#pragma once
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "harness/cluster/row_sink.h"
#include "results/writer.h"

namespace helm {

class ResultsSink final : public RowSink {
 public:
  ResultsSink(const std::string& path, const RootAttributes& attrs,
              std::chrono::milliseconds flush_every = std::chrono::milliseconds(1000));
  ~ResultsSink() override;  // finish() if not done
  void add(const RequestRow& r) override;
  void add(const NodeRow& r) override;
  void add(const ControllerRow& r) override;
  // Stops the thread, writes what is left, adds `footer` attributes and closes the file.
  // `peak_rss`: one value per rank (the root attribute peak_rss_bytes); `per_rank`: more int64
  // arrays (name, values: one per rank, or e.g. clock_samples' rows); empty ones are not written.
  void finish(const RootAttributes& footer, const std::vector<int64_t>& peak_rss = {},
              const std::vector<std::pair<std::string, std::vector<int64_t>>>& per_rank = {});

 private:
  void loop();
  void drain_into_file();
  ResultsWriter writer_;
  std::chrono::milliseconds every_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::vector<RequestRow> req_;
  std::vector<NodeRow> nodes_;
  std::vector<ControllerRow> ctrl_;
  std::thread thread_;
};

}  // namespace helm
