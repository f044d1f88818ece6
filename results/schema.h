// The results file's schema: one plain struct per table, and the HDF5 compound types that map
// them. Field names are the column names h5py and pandas users see, so they are part of the
// contract: renaming or removing a field, or changing what it means, bumps kSchemaVersion.
//
// Conventions: times are int64 ns from the start of the run on rank 0's clock (Nanos); counts are
// int64; rates and shares are float64; flags are uint8 (0/1) or int8 (small enums).
#pragma once
#include <cstdint>
#include <string_view>

#include "common/clock.h"
#include "common/h5.h"
#include "common/node_counters.h"

namespace helm {

// Version history (the reader reads every version from kOldestSchemaVersion on):
//   1  the first published schema;
//   2  /nodes: emb_hit_predicted (the EMB miss-ratio curve's hit rate at the split in effect);
//   3  /controller: refill_scale (the share of the refill budget the decision allowed);
//      /nodes: gpu_power_w, gpu_sm_clock_mhz, gpu_mem_used_mib (NVML; -1 where unavailable).
inline constexpr int64_t kSchemaVersion = 3;
inline constexpr int64_t kOldestSchemaVersion = 1;

// A column added after version 1: files of earlier versions lack it, and the reader fills it with
// `absent` (a double column) instead of failing. Columns not listed exist since version 1.
struct AddedField {
  const char* table;  // Table<Row>::kPath
  const char* field;
  int64_t since;      // the first schema_version that has it
  double absent;      // its value in rows read from older files
};
// nullptr when `field` of `table` is an original column.
const AddedField* added_field(std::string_view table, std::string_view field);

// RequestRow::status
inline constexpr int8_t kCompleted = 0;
inline constexpr int8_t kDropped = 1;  // refused by admission, or still queued when the drain ended
inline constexpr int8_t kFailed = 2;   // the executor reported an error

// /requests: one row per generated request, including warm-up ones (summaries filter by arrival).
struct RequestRow {
  int64_t id = 0;            // index in the trace: a run's ids are exactly 0..n-1
  int64_t user = 0;
  int32_t node = -1;         // worker node (0-based); -1 if never routed
  int32_t phase = 0;         // workload phase index (0 for single-phase workloads)
  Nanos arrival = 0;         // scheduled arrival (latency counts from here, not from dispatch)
  Nanos dispatch_lag = 0;    // actual send time - arrival
  Nanos start = 0;           // its batch started on the worker
  Nanos finish = 0;          // completion on the worker; 0 if not completed
  Nanos latency = 0;         // finish - arrival if completed, else 0
  uint8_t slo_met = 0;       // completed and latency <= the run's slo_ms
  int8_t status = kCompleted;
  int32_t batch_size = 0;    // requests in the batch that served it
  int32_t history_len = 0;   // history tokens (items) attended over
  int64_t computed_tokens = 0;     // history tokens whose K/V were computed (not found in a cache)
  int64_t kv_hit_tokens_pool = 0;  // history tokens whose K/V came from the HBM pool
  int64_t kv_hit_tokens_host = 0;  // ... from the host tier (onboarded over the link)
  int64_t emb_lookups = 0;
  int64_t emb_hits = 0;
  int64_t h2d_bytes = 0;     // host-to-device bytes this request caused (EMB misses + KV onboarding)
  bool operator==(const RequestRow&) const = default;
};

// /controller: one row per memory-policy decision.
struct ControllerRow {
  Nanos time = 0;
  int32_t node = 0;
  double ratio_applied = 0;  // EMB share in effect after this decision
  double target = 0;         // EMB share the policy asked for
  double base_part = 0;      // HELM: the PPO base policy's share; other policies: = target
  double residual_part = 0;  // HELM: the residual correction; others: 0
  uint8_t burst_flag = 0;
  double reward = 0;
  Nanos decision_ns = 0;     // time the decision took to compute
  double refill_scale = 1;   // share of the node's refill budget it may use (HELM: < 1 in a burst)
  bool operator==(const ControllerRow&) const = default;
};

// /nodes: one row per node per control interval: the counters of common/node_counters.h.
struct NodeRow : NodeCounters {
  bool operator==(const NodeRow&) const = default;
};

// Where each row type lives and how it maps to HDF5. mem_type() describes the struct in memory;
// file_type() is the same members, in declaration order, packed and little-endian.
template <typename Row>
struct Table;
template <>
struct Table<RequestRow> {
  static constexpr const char* kPath = "/requests";
  static h5::Id mem_type();
  static h5::Id file_type();
};
template <>
struct Table<ControllerRow> {
  static constexpr const char* kPath = "/controller";
  static h5::Id mem_type();
  static h5::Id file_type();
};
template <>
struct Table<NodeRow> {
  static constexpr const char* kPath = "/nodes";
  static h5::Id mem_type();
  static h5::Id file_type();
};

}  // namespace helm
