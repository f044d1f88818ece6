// Shared fixtures of the simulator tests: a tiny run context and a CPU-like cost model.
#pragma once
#include <filesystem>
#include <string>

#include "common/error.h"
#include "gr_model/cost_model.h"
#include "harness/run_context.h"
#include "harness/sim/sim_driver.h"

namespace helm::simtest {

// A path in the temp folder; `prefix` keeps each test file's names apart.
inline std::string temp_file(const std::string& prefix, const std::string& name) {
  return (std::filesystem::temp_directory_path() / (prefix + name)).string();
}

// The BadInput message of loading a cost-model file ("" when it loads).
inline std::string load_error(const std::string& path) {
  try {
    load_cost_model(path);
  } catch (const BadInput& e) {
    return e.what();
  }
  return "";
}

inline RunOptions tiny_options() {
  RunOptions o;
  o.model = "tiny";
  o.qps = 200;
  o.duration_s = 2;
  o.users = 300;
  o.items = 2000;
  o.session_gap_s = 0.5;
  o.history_median = 20;
  o.pool_mib = 1;
  o.page_kib = 4;
  o.warmup_s = 0.2;
  o.drain_s = 1;
  return o;
}

// Round numbers so expected times are easy to state; fp32 K/V like the CPU backend.
inline CostModel flat_cost_model() {
  CostModel m;
  m.name = "flat";
  m.backend = "cpu";
  m.device = "test";
  m.date = "2026-01-01";
  m.source = "test";
  m.batch_ns = 100'000;
  m.seq_ns = 10'000;
  m.dense_ns_per_gflop = {{1, 1000}, {2e7, 1e7}};
  m.attn_ns_per_gflop = 2e7;
  m.bytes_per_element = 4;
  m.request_ns = 5'000;
  m.history_ns_per_item = 10;
  m.emb_hit_ns = 20;
  m.emb_miss_ns = 100;
  m.wake_ns = 50'000;
  m.admit_ns = 100'000;
  m.link_bytes_per_s = 1e8;
  m.link_latency_ns = 10'000;
  return m;
}

// Simulator options for `nodes` nodes on the cost model's link.
inline SimOptions sim_options(int nodes, const CostModel& m) {
  SimOptions s;
  s.nodes = nodes;
  s.link_bytes_per_s = m.link_bytes_per_s;
  s.link_latency = static_cast<Nanos>(m.link_latency_ns);
  return s;
}

}  // namespace helm::simtest
