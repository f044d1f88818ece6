#include "results/schema.h"

#include <cstddef>
#include <iterator>
#include <span>
#include <type_traits>

namespace helm {
namespace {

struct Member {
  const char* name;
  size_t offset;  // in the struct
  hid_t mem;      // native type
  hid_t file;     // little-endian type of the same width
};

template <typename T>
Member member(const char* name, size_t offset) {
  if constexpr (std::is_same_v<T, int64_t>) return {name, offset, H5T_NATIVE_INT64, H5T_STD_I64LE};
  else if constexpr (std::is_same_v<T, int32_t>) return {name, offset, H5T_NATIVE_INT32, H5T_STD_I32LE};
  else if constexpr (std::is_same_v<T, int8_t>) return {name, offset, H5T_NATIVE_INT8, H5T_STD_I8LE};
  else if constexpr (std::is_same_v<T, uint8_t>) return {name, offset, H5T_NATIVE_UINT8, H5T_STD_U8LE};
  else {
    static_assert(std::is_same_v<T, double>, "schema fields are int64/int32/int8/uint8/double");
    return {name, offset, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE};
  }
}

#define HELM_FIELD(Row, f) member<decltype(Row::f)>(#f, offsetof(Row, f))

h5::Id mem_compound(size_t size, std::span<const Member> ms) {
  h5::Id t(H5Tcreate(H5T_COMPOUND, size));
  for (const auto& m : ms) H5Tinsert(t, m.name, m.offset, m.mem);
  return t;
}

// Packed, in declaration order: the column order h5py shows, with no padding bytes on disk.
h5::Id file_compound(std::span<const Member> ms) {
  size_t size = 0;
  for (const auto& m : ms) size += H5Tget_size(m.file);
  h5::Id t(H5Tcreate(H5T_COMPOUND, size));
  size_t off = 0;
  for (const auto& m : ms) {
    H5Tinsert(t, m.name, off, m.file);
    off += H5Tget_size(m.file);
  }
  return t;
}

// Each table's members, listed once; the listing order is the file's column order.
std::span<const Member> request_members() {
  using R = RequestRow;
  static const Member ms[] = {
      HELM_FIELD(R, id),          HELM_FIELD(R, user),          HELM_FIELD(R, node),
      HELM_FIELD(R, phase),       HELM_FIELD(R, arrival),       HELM_FIELD(R, dispatch_lag),
      HELM_FIELD(R, start),       HELM_FIELD(R, finish),        HELM_FIELD(R, latency),
      HELM_FIELD(R, slo_met),     HELM_FIELD(R, status),        HELM_FIELD(R, batch_size),
      HELM_FIELD(R, history_len), HELM_FIELD(R, computed_tokens),
      HELM_FIELD(R, kv_hit_tokens_pool), HELM_FIELD(R, kv_hit_tokens_host),
      HELM_FIELD(R, emb_lookups), HELM_FIELD(R, emb_hits),      HELM_FIELD(R, h2d_bytes)};
  return ms;
}

std::span<const Member> controller_members() {
  using C = ControllerRow;
  static const Member ms[] = {
      HELM_FIELD(C, time),          HELM_FIELD(C, node),       HELM_FIELD(C, ratio_applied),
      HELM_FIELD(C, target),        HELM_FIELD(C, base_part),  HELM_FIELD(C, residual_part),
      HELM_FIELD(C, burst_flag),    HELM_FIELD(C, reward),     HELM_FIELD(C, decision_ns),
      HELM_FIELD(C, refill_scale)};
  return ms;
}

std::span<const Member> node_members() {
  using N = NodeRow;
#define HELM_NODE_MEMBER(type, name, what) HELM_FIELD(N, name),
  static const Member ms[] = {HELM_NODE_COUNTERS(HELM_NODE_MEMBER)};
#undef HELM_NODE_MEMBER
  return ms;
}

#undef HELM_FIELD

}  // namespace

const AddedField* added_field(std::string_view table, std::string_view field) {
  // -1: "no prediction" / "no reading" (the counters' own convention); 1: older files had no
  // refill throttle (refill used its whole budget).
  static const AddedField kAdded[] = {{"/nodes", "emb_hit_predicted", 2, -1.0},
                                      {"/nodes", "gpu_power_w", 3, -1.0},
                                      {"/nodes", "gpu_sm_clock_mhz", 3, -1.0},
                                      {"/nodes", "gpu_mem_used_mib", 3, -1.0},
                                      {"/controller", "refill_scale", 3, 1.0}};
  for (const auto& a : kAdded)
    if (table == a.table && field == a.field) return &a;
  return nullptr;
}

h5::Id Table<RequestRow>::mem_type() { return mem_compound(sizeof(RequestRow), request_members()); }
h5::Id Table<RequestRow>::file_type() { return file_compound(request_members()); }
h5::Id Table<ControllerRow>::mem_type() {
  return mem_compound(sizeof(ControllerRow), controller_members());
}
h5::Id Table<ControllerRow>::file_type() { return file_compound(controller_members()); }
h5::Id Table<NodeRow>::mem_type() { return mem_compound(sizeof(NodeRow), node_members()); }
h5::Id Table<NodeRow>::file_type() { return file_compound(node_members()); }

}  // namespace helm
