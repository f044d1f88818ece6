// `helm-bench report`: one table row per results file, for papers and sweeps.
// Columns: file, dataset, workload, memory_policy, router (root attributes), p50_ms,
// p99_completed_ms (over completed requests), p99_all_ms (over all requests, lost ones counted as
// infinite: `inf` when more than 1% were lost; compare policies by this one), slo_pct (drops are
// misses), goodput_rps (completions within the SLO per second), throughput_rps, emb_hit_pct,
// kv_hit_pct, requests (generated after warm-up), dropped, valid (dispatch lag within 5% of the
// SLO and every request recorded exactly once), then one column per `tag_*` root attribute found
// in any file (named without the prefix; blank where absent). csv also carries p999_ms,
// completed, failed and dispatch_lag_p99_ms (every figure of the summary).
// Figures are recomputed from /requests with summarize(), using the file's slo_ms and warmup_ns.
#pragma once
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace helm {

enum class Format { kMarkdown, kCsv, kLatex };

Format parse_format(std::string_view name);  // markdown|csv|latex, else BadInput

// Throws BadInput naming the file for any unreadable, non-HDF5 or wrong-schema file, before
// printing anything.
void report(const std::vector<std::string>& files, Format fmt, std::ostream& out);

}  // namespace helm
