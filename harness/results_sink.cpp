#include "harness/results_sink.h"

namespace helm {

ResultsSink::ResultsSink(const std::string& path, const RootAttributes& attrs,
                         std::chrono::milliseconds flush_every)
    : writer_(path, attrs), every_(flush_every), thread_([this] { loop(); }) {}

ResultsSink::~ResultsSink() {
  if (thread_.joinable()) {
    try {
      finish({});
    } catch (...) {
    }
  }
}

void ResultsSink::add(const RequestRow& r) {
  std::lock_guard lk(mu_);
  req_.push_back(r);
}
void ResultsSink::add(const NodeRow& r) {
  std::lock_guard lk(mu_);
  nodes_.push_back(r);
}
void ResultsSink::add(const ControllerRow& r) {
  std::lock_guard lk(mu_);
  ctrl_.push_back(r);
}

void ResultsSink::drain_into_file() {
  std::vector<RequestRow> req;
  std::vector<NodeRow> nodes;
  std::vector<ControllerRow> ctrl;
  {
    std::lock_guard lk(mu_);
    req.swap(req_);
    nodes.swap(nodes_);
    ctrl.swap(ctrl_);
  }
  if (!req.empty()) writer_.append(std::span<const RequestRow>(req));
  if (!nodes.empty()) writer_.append(std::span<const NodeRow>(nodes));
  if (!ctrl.empty()) writer_.append(std::span<const ControllerRow>(ctrl));
  writer_.flush();
}

void ResultsSink::loop() {
  std::unique_lock lk(mu_);
  while (!done_) {
    cv_.wait_for(lk, every_, [this] { return done_; });
    lk.unlock();
    drain_into_file();
    lk.lock();
  }
}

void ResultsSink::finish(const RootAttributes& footer, const std::vector<int64_t>& peak_rss,
                         const std::vector<std::pair<std::string, std::vector<int64_t>>>& per_rank) {
  {
    std::lock_guard lk(mu_);
    done_ = true;
  }
  cv_.notify_all();
  thread_.join();
  drain_into_file();
  for (const auto& [k, v] : footer.items()) writer_.set_attr(k, v);
  if (!peak_rss.empty()) writer_.set_attr_array("peak_rss_bytes", peak_rss);
  for (const auto& [name, values] : per_rank)
    if (!values.empty()) writer_.set_attr_array(name, values);
  writer_.close();
}

}  // namespace helm
