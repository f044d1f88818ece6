#include "harness/node/copy_plan.h"

#include <algorithm>

#include "common/error.h"

namespace helm {

std::vector<PlanStep> plan_batch(const BatchCopies& b) {
  std::vector<PlanStep> s;
  // Host-tier page copies first: a spill reads a page the batch evicted from the KV cache, and
  // that page may already hold one of the batch's EMB miss rows once those land.
  if (b.kv_pages > 0) s.push_back({PlanStream::copy, PlanOp::kv_pages, b.kv_pages, b.kv_pages * b.page_bytes});
  if (b.emb_rows > 0) s.push_back({PlanStream::copy, PlanOp::emb_rows, b.emb_rows, b.emb_rows * b.row_bytes});
  s.push_back({PlanStream::copy, PlanOp::record, 0, 0, kDemandDone});
  s.push_back({PlanStream::compute, PlanOp::record, 0, 0, kComputeStart});
  s.push_back({PlanStream::compute, PlanOp::wait, 0, 0, kDemandDone});
  if (b.refill_outstanding) s.push_back({PlanStream::compute, PlanOp::wait, 0, 0, kRefillDone});
  s.push_back({PlanStream::compute, PlanOp::forward});
  s.push_back({PlanStream::compute, PlanOp::record, 0, 0, kComputeEnd});
  return s;
}

std::vector<PlanStep> plan_spills(int64_t pages, int64_t page_bytes) {
  if (pages <= 0) return {};
  return {{PlanStream::copy, PlanOp::kv_pages, pages, pages * page_bytes},
          {PlanStream::copy, PlanOp::record, 0, 0, kSpillDone}};
}

std::vector<PlanStep> plan_refill(int64_t rows, int64_t row_bytes, int64_t budget_bytes, int64_t* taken,
                                  bool after_spills) {
  const int64_t n = row_bytes > 0 ? std::clamp<int64_t>(budget_bytes / row_bytes, 0, rows) : 0;
  if (taken) *taken = n;
  if (n == 0) return {};
  std::vector<PlanStep> s;
  if (after_spills) s.push_back({PlanStream::refill, PlanOp::wait, 0, 0, kSpillDone});
  s.push_back({PlanStream::refill, PlanOp::refill_rows, n, n * row_bytes});
  s.push_back({PlanStream::refill, PlanOp::record, 0, 0, kRefillDone});
  return s;
}

std::string check_schedule(std::span<const PlanStep> s, int64_t refill_budget) {
  bool demand_pending = false, demand_recorded = false, waited_demand = false;
  bool refill_pending = false, waited_refill = true;
  bool spills_unwaited = false, spills_recorded = false;  // page copies a refill must not overtake
  bool emb_rows_issued = false;                           // since the last forward
  int64_t refill_bytes = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const PlanStep& p = s[i];
    const std::string at = "step " + std::to_string(i) + ": ";
    switch (p.op) {
      case PlanOp::emb_rows:
      case PlanOp::kv_pages:
        if (p.stream != PlanStream::copy) return at + "a demand copy off the copy stream";
        if (p.op == PlanOp::kv_pages && emb_rows_issued)
          return at + "host-tier page copies after the batch's EMB rows (a row may land in a page before its spill)";
        if (p.op == PlanOp::kv_pages) spills_unwaited = true, spills_recorded = false;
        if (p.op == PlanOp::emb_rows) emb_rows_issued = true;
        demand_pending = true;
        demand_recorded = waited_demand = false;
        break;
      case PlanOp::refill_rows:
        if (p.stream != PlanStream::refill) return at + "a refill off the refill stream";
        if (spills_unwaited) return at + "a refill may overwrite pages still being spilled";
        refill_bytes += p.bytes;
        if (refill_budget >= 0 && refill_bytes > refill_budget) return at + "refill over its budget";
        refill_pending = true;
        waited_refill = false;
        break;
      case PlanOp::record:
        if ((p.event == kDemandDone || p.event == kSpillDone) && p.stream == PlanStream::copy)
          demand_recorded = true, demand_pending = false, spills_recorded = spills_unwaited;
        if (p.event == kRefillDone && p.stream != PlanStream::refill) return at + "refill event off its stream";
        if (p.event == kRefillDone) refill_pending = false;
        break;
      case PlanOp::wait:
        if (p.stream == PlanStream::copy && p.event == kRefillDone) return at + "demand copies wait behind refill";
        if (p.stream == PlanStream::compute && p.event == kDemandDone) waited_demand = demand_recorded;
        if (p.stream == PlanStream::compute && p.event == kRefillDone) waited_refill = true;
        if (p.stream == PlanStream::refill && p.event == kSpillDone && spills_recorded) spills_unwaited = false;
        break;
      case PlanOp::forward:
        if (p.stream != PlanStream::compute) return at + "the forward off the compute stream";
        if (demand_pending || !waited_demand) return at + "the forward does not wait for its demand copies";
        if (refill_pending) return at + "a refill without its event before the forward";
        if (!waited_refill) return at + "the forward does not wait for the refill before it";
        waited_demand = false;
        spills_unwaited = emb_rows_issued = false;  // host-synchronous: all it waited for has landed
        refill_bytes = 0;
        break;
    }
  }
  return "";
}

std::string describe(std::span<const PlanStep> s) {
  static const char* const kStream[] = {"copy", "refill", "compute"};
  static const char* const kOp[] = {"emb_rows", "kv_pages", "refill_rows", "record", "wait", "forward"};
  std::string out;
  for (const PlanStep& p : s) {
    if (!out.empty()) out += ' ';
    out += fmt::format("{}:{}", kStream[static_cast<int>(p.stream)], kOp[static_cast<int>(p.op)]);
    if (p.op == PlanOp::record || p.op == PlanOp::wait) out += fmt::format("({})", p.event);
    else if (p.op != PlanOp::forward) out += fmt::format("({}, {}B)", p.count, p.bytes);
  }
  return out;
}

size_t default_pool_bytes(size_t free_bytes, size_t activation_bytes, size_t page_bytes) {
  const size_t margin = std::max<size_t>(size_t{512} << 20, free_bytes / 20);
  const size_t need = activation_bytes + margin + page_bytes;
  if (page_bytes == 0 || free_bytes < need)
    bad_input("--pool-mib: the GPU has {} MiB free after the weights, less than activations ({} MiB) "
              "and the margin ({} MiB); give a smaller --pool-mib or a smaller model",
              free_bytes >> 20, activation_bytes >> 20, margin >> 20);
  return (free_bytes - activation_bytes - margin) / page_bytes * page_bytes;
}

}  // namespace helm
