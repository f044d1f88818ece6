// `helm-bench report`: one table row per results file, for papers and sweeps.
// Columns: file, dataset, workload, memory_policy, router (root attributes), P50 and P99 (ms),
// SLO %, throughput (req/s), EMB hit %, KV hit %, requests (generated after warm-up), valid
// (dispatch lag within 5% of the SLO and every request recorded exactly once), then one column per
// `tag_*` root attribute found in any file (named without the prefix; blank where absent).
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
