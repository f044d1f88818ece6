#include "harness/cluster/request_rows.h"

#include <fmt/format.h>

namespace helm {

RequestRow initial_row(const Request& r) {
  RequestRow row;
  row.id = r.id;
  row.user = r.user;
  row.phase = r.phase;
  row.arrival = r.arrival;
  row.history_len = r.history_len;
  return row;
}

std::vector<RequestRow> initial_rows(const Trace& trace) {
  std::vector<RequestRow> rows;
  rows.reserve(trace.requests.size());
  for (const Request& r : trace.requests) rows.push_back(initial_row(r));
  return rows;
}

void apply_outcome(RequestRow& row, const Outcome& o, int node, int8_t status, Nanos slo_ns) {
  row.node = node;
  row.status = status;
  row.batch_size = o.batch_size;
  if (status != kCompleted) return;
  row.start = o.start;
  row.finish = o.finish;
  row.latency = o.finish - row.arrival;
  row.slo_met = row.latency <= slo_ns;
  row.computed_tokens = o.computed_tokens;
  row.kv_hit_tokens_pool = o.kv_hit_tokens_pool;
  row.kv_hit_tokens_host = o.kv_hit_tokens_host;
  row.emb_lookups = o.emb_lookups;
  row.emb_hits = o.emb_hits;
  row.h2d_bytes = o.h2d_bytes;
  if (o.history_len) row.history_len = static_cast<int32_t>(o.history_len);
}

RunEnd end_run(const RunContext& ctx, Summary summary, int64_t missing, int64_t duplicates,
               const std::string& backend_note, int64_t count_mismatches) {
  RunEnd e;
  e.summary = summary;
  if (duplicates || missing || count_mismatches) e.summary.exactly_once = false;
  e.notes = ctx.trace.notes;
  if (!backend_note.empty()) e.notes.push_back(backend_note);
  if (duplicates) e.notes.push_back(fmt::format("{} duplicate outcomes received", duplicates));
  if (missing) e.notes.push_back(fmt::format("{} requests had no outcome (recorded as failed)", missing));
  if (count_mismatches)
    e.notes.push_back(fmt::format("{} nodes sent a different number of outcomes than arrived", count_mismatches));
  e.footer = footer_attributes(e.summary);
  e.footer.set("outcome_duplicates", duplicates).set("outcome_missing", missing);
  e.footer.set("outcome_count_mismatches", count_mismatches);
  return e;
}

}  // namespace helm
