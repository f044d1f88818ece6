#include "workloads/trace_file.h"

#include <fmt/format.h>

#include "common/error.h"
#include "common/h5.h"

namespace helm {

void write_trace(const std::string& path, const Trace& trace, const WorkloadSpec& spec,
                 const TraceStats& st, const ItemSample* sample) {
  h5::File f(path, h5::Mode::kCreate);
  const auto& rq = trace.requests;
  std::vector<int64_t> id(rq.size()), user(rq.size()), arrival(rq.size());
  std::vector<int32_t> len(rq.size()), phase(rq.size());
  for (size_t k = 0; k < rq.size(); ++k) {
    id[k] = rq[k].id, user[k] = rq[k].user, arrival[k] = rq[k].arrival;
    len[k] = rq[k].history_len, phase[k] = rq[k].phase;
  }
  f.write("/requests/id", id);
  f.write("/requests/user", user);
  f.write("/requests/arrival", arrival);
  f.write("/requests/history_len", len);
  f.write("/requests/phase", phase);
  if (sample) {
    f.write("/sample/item", sample->item);
    f.write("/sample/time", sample->time);
  }
  f.set_attr("/", "kind", std::string("helm-bench trace"));
  f.set_attr("/", "schema", kTraceSchema);
  f.set_attr("/", "spec", spec_text(spec));
  f.set_attr("/", "name", trace.name);
  std::string notes;
  for (const auto& n : trace.notes) notes += n + "\n";
  f.set_attr("/", "notes", notes);
  f.set_attr("/", "num_users", trace.items ? trace.items->num_users() : int64_t{0});
  f.set_attr("/", "num_items", trace.items ? trace.items->num_items() : int64_t{0});
  f.set_attr("/", "session_timeout_ns", static_cast<int64_t>(trace.session_timeout));
  f.set_attr("/", "stats", format_stats(st));
  f.set_attr("/", "interarrival_cv", st.interarrival_cv);
  f.set_attr("/", "peak_to_mean", st.peak_to_mean);
  f.set_attr("/", "mean_in_session", st.mean_in_session);
  f.flush();
}

LoadedTrace load_trace(const std::string& path) {
  h5::quiet_errors();
  h5::File f(path, h5::Mode::kRead);
  if (!f.has_attr("/", "kind") || f.attr_string("/", "kind") != "helm-bench trace")
    bad_input("{}: not a helm-bench trace file (root attribute 'kind' is missing or not 'helm-bench trace')", path);
  if (const int64_t v = f.attr_int("/", "schema"); v != kTraceSchema)
    bad_input("{}: attribute 'schema' is {}, this build reads {}", path, v, kTraceSchema);
  LoadedTrace out;
  out.spec = spec_from_text(f.attr_string("/", "spec"), path + ": attribute 'spec'");
  const auto id = f.read<int64_t>("/requests/id"), user = f.read<int64_t>("/requests/user"),
             arrival = f.read<int64_t>("/requests/arrival");
  const auto len = f.read<int32_t>("/requests/history_len"), phase = f.read<int32_t>("/requests/phase");
  const size_t n = id.size();
  const std::pair<const char*, size_t> sizes[] = {{"user", user.size()}, {"arrival", arrival.size()},
                                                  {"history_len", len.size()}, {"phase", phase.size()}};
  for (const auto& [name, sz] : sizes)
    if (sz != n) bad_input("{}: /requests/{} has {} rows, /requests/id has {}", path, name, sz, n);
  try {
    out.trace = build_trace(out.spec);
  } catch (const BadInput& e) {
    bad_input("{}: rebuilding the trace from its spec: {}", path, e.what());
  }
  const auto& rq = out.trace.requests;
  if (rq.size() != n)
    bad_input("{}: /requests has {} rows but its spec generates {} requests (edited, or written by "
              "another version of the generator)", path, n, rq.size());
  for (size_t k = 0; k < n; ++k) {
    const char* field = id[k] != rq[k].id                ? "id"
                        : user[k] != rq[k].user           ? "user"
                        : arrival[k] != rq[k].arrival     ? "arrival"
                        : len[k] != rq[k].history_len     ? "history_len"
                        : phase[k] != rq[k].phase         ? "phase"
                                                          : nullptr;
    if (field)
      bad_input("{}: /requests/{} row {} differs from the trace its spec generates (edited, or written "
                "by another version of the generator)", path, field, k);
  }
  return out;
}

}  // namespace helm
