// The copy/compute plan of a GPU worker, as host code: which bytes move on which stream, in what
// order, and what the forward waits behind. The CUDA executor (node/cuda/cuda_executor.h) only
// carries out these steps; the plan itself, and the invariants a schedule must keep, are tested
// without a GPU (tests/harness/test_copy_plan.cpp).
//
// Streams: `copy` (demand: EMB miss rows, host-tier K/V pages), `refill` (background EMB refill,
// lower priority), `compute` (the forward). Events name points on a stream that another waits on.
// Host-tier K/V pages (kv_pages) are the tier's spills (pool -> host) and onboards (host -> pool)
// in the order the tier issued them (node/page_copy_queue.h), all on `copy`: one stream keeps
// that order, which the tier relies on (a page is onboarded into right after it was spilled).
// The forward is host-synchronous (it returns with the scores on the host), so everything it
// waited on has landed before the host issues anything after it.
// Invariants (check_schedule):
//   - demand copies only on `copy`, refill only on `refill`, the forward only on `compute`;
//   - a forward waits (device-side) for the event recorded after every demand copy of its batch,
//     and for the last refill recorded before it (a refilled row may be hit by the next batch);
//   - a batch's host-tier page copies come before its EMB rows (a spill reads a page the batch
//     evicted from the KV cache, which an EMB miss row may then fill);
//   - refill is never waited on by `copy`: demand copies never queue behind refill;
//   - a refill after spills issued between batches waits for them (the pages a KV shrink spilled
//     may be the EMB pages it then fills);
//   - refill bytes per control interval stay within the budget given to plan_refill.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace helm {

enum class PlanStream : uint8_t { copy, refill, compute };
enum class PlanOp : uint8_t { emb_rows, kv_pages, refill_rows, record, wait, forward };

struct PlanStep {
  PlanStream stream = PlanStream::copy;
  PlanOp op = PlanOp::record;
  int64_t count = 0, bytes = 0;  // rows or pages, and their bytes (copies only)
  int event = -1;                // record / wait: which event
};

// Event numbers of one worker.
inline constexpr int kDemandDone = 0, kComputeStart = 1, kComputeEnd = 2, kRefillDone = 3, kSpillDone = 4;

struct BatchCopies {
  int64_t emb_rows = 0, row_bytes = 0;    // EMB misses of the batch
  int64_t kv_pages = 0, page_bytes = 0;   // host-tier K/V page copies of the batch (spills, onboards)
  bool refill_outstanding = false;        // a refill was enqueued since the last batch
};

// One batch: demand copies on `copy` (host-tier pages, then EMB rows), then the forward on
// `compute` behind them.
std::vector<PlanStep> plan_batch(const BatchCopies& b);
// Host-tier spills issued between batches (a KV shrink's evictions): on `copy`, then recorded.
std::vector<PlanStep> plan_spills(int64_t pages, int64_t page_bytes);
// Background refill between batches: at most `budget_bytes` of the `rows` queued (whole rows).
// Returns the rows taken through `taken`. after_spills: plan_spills ran since the last forward,
// so the refill first waits for them.
std::vector<PlanStep> plan_refill(int64_t rows, int64_t row_bytes, int64_t budget_bytes, int64_t* taken,
                                  bool after_spills = false);

// "" when `s` (a whole recorded schedule, batches and refills interleaved) keeps the
// invariants above with refill at most `refill_budget` bytes between consecutive forwards
// (<0: unchecked); else the first violation, in words.
std::string check_schedule(std::span<const PlanStep> s, int64_t refill_budget = -1);
std::string describe(std::span<const PlanStep> s);  // "copy:emb_rows(3, 768B) copy:record(0) ..."

// The pool's default size on a GPU: what cudaMemGetInfo reports free once the weights are up,
// less the activations of the largest batch and a margin (max(512 MiB, 5% of free) for the CUDA
// context's later growth, cuBLAS workspaces and fragmentation), in whole pages. BadInput when
// nothing is left (naming --pool-mib).
size_t default_pool_bytes(size_t free_bytes, size_t activation_bytes, size_t page_bytes);

}  // namespace helm
