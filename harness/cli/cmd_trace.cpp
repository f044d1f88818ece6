// `helm-bench trace`: build a trace from the same flags as `run` (or read one with --trace),
// print its statistics and, with --out, write it to an HDF5 trace file (workloads/trace_file.h)
// that `run --trace FILE` replays and scripts/plot_trace.py draws.
#include <chrono>
#include <iostream>

#include "common/error.h"
#include "harness/cli/commands.h"
#include "harness/run_context.h"
#include "workloads/trace_file.h"
#include "workloads/trace_stats.h"

namespace helm {

int cmd_trace(int argc, char** argv) {
  RunOptions opt;
  int64_t sample_draws = 1 << 20;
  bool no_items = false;
  cli::po::options_description desc("trace options (the workload options are those of run)");
  add_run_options(desc, opt);
  cli::po::options_description extra("Trace");
  extra.add_options()
      ("sample-draws", cli::po::value(&sample_draws)->default_value(sample_draws),
       "item draws kept in the file's /sample for rank-frequency plots")
      ("no-items", cli::po::bool_switch(&no_items),
       "skip the item statistics (distinct items, /sample): faster on huge traces");
  desc.add(extra);
  auto p = cli::parse("trace", "[options] [--out FILE.h5]", desc, argc, argv);
  if (p.help) return 0;
  if (sample_draws < 0) bad_input("--sample-draws: must not be negative (got {})", sample_draws);
  const auto t0 = std::chrono::steady_clock::now();
  const RunContext ctx = build_run_context(opt, cli::effective_config(p.vm));
  const auto t1 = std::chrono::steady_clock::now();
  TraceStats st = trace_stats(ctx.trace);
  ItemSample sample;
  if (!no_items) {
    sample = item_sample(ctx.trace, ctx.candidates, static_cast<size_t>(sample_draws));
    st.distinct_items = sample.distinct;
    st.item_draws = sample.draws;
  }
  const auto t2 = std::chrono::steady_clock::now();
  std::cout << "trace: " << ctx.trace.name << "\nmodel: " << ctx.model.name << " (N " << ctx.model.N
            << ", M " << ctx.candidates << ")\ncatalogue: " << ctx.trace.items->num_items() << " items\n";
  for (const auto& n : ctx.trace.notes) std::cout << "note: " << n << "\n";
  std::cout << format_stats(st);
  std::cout << "(users in session at once are the whole cluster's: divide by the node count)\n";
  std::cout << fmt::format("built in {:.2f} s, item statistics in {:.2f} s\n",
                           std::chrono::duration<double>(t1 - t0).count(),
                           std::chrono::duration<double>(t2 - t1).count());
  if (!opt.out.empty()) {
    write_trace(opt.out, ctx.trace, ctx.spec, st, no_items ? nullptr : &sample);
    std::cout << "wrote " << opt.out << " (" << ctx.trace.requests.size() << " requests)\n";
  }
  return 0;
}

}  // namespace helm
