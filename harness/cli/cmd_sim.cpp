// `helm-bench sim --nodes N --cost-model NAME|FILE [every option of run]`: the discrete-event
// simulation (sim_driver.h), written to the same results file as a real run.
#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <iostream>

#include "common/error.h"
#include "harness/cli/commands.h"
#include "harness/cli/provenance.h"
#include "harness/node/emb_sample.h"
#include "harness/sim/sim_driver.h"
#include "harness/results_sink.h"

namespace helm {

int cmd_sim(int argc, char** argv) {
  const auto wall0 = std::chrono::steady_clock::now();  // end to end: trace, loop, results file
  namespace po = cli::po;
  RunOptions opt;
  int nodes = 1;
  std::string cost_name = "a100-80gb";
  std::vector<std::string> fail_specs;
  std::string on_fail = "fail";
  po::options_description desc("sim options");
  po::options_description s("Simulation");
  s.add_options()
      ("nodes", po::value(&nodes)->default_value(nodes), "simulated nodes (one device each)")
      ("cost-model", po::value(&cost_name)->default_value(cost_name),
       "a shipped cost model (cost_models/NAME.json: a100-80gb, h100, cpu-*) or a path to one")
      ("fail-node", po::value(&fail_specs)->composing(),
       "K@T[:T2]: node K is lost at T s (queue, running batch and caches gone) and back empty at T2 "
       "(repeatable); the front end notices at the next control tick")
      ("on-fail", po::value(&on_fail)->default_value(on_fail),
       "what a lost node's requests become: fail (counted as failed_node_down) | reroute (to live nodes)");
  desc.add(s);
  add_run_options(desc, opt);
  auto p = cli::parse("sim", "--nodes N --cost-model NAME|FILE [run options]", desc, argc, argv);
  if (p.help) return 0;
  if (nodes < 1 || nodes > 65536) bad_input("--nodes: must be in [1, 65536] (got {})", nodes);
  std::vector<NodeFault> faults = parse_node_faults(fail_specs, nodes);  // before any work
  const bool reroute = parse_on_fail(on_fail);
  if (opt.out.empty()) {
    char buf[64];
    const auto t = std::time(nullptr);
    std::strftime(buf, sizeof buf, "helm-sim-%Y%m%d-%H%M%S.h5", std::localtime(&t));
    opt.out = buf;
  }
  const std::string cost_path = resolve_cost_model(cost_name);
  const CostModel cost = load_cost_model(cost_path);
  const std::string config = use_cost_model_pool(opt, cost, p.vm["pool-mib"].defaulted(), cli::effective_config(p.vm));
  RunContext ctx = build_run_context(opt, config);
  {
    const auto& m = ctx.model;  // one user's K/V at the model's window
    const double user_kv = static_cast<double>(KvLayout::for_page(m.layers, m.heads, m.d_qk, m.d_v, 1 << 20,
                                                                  static_cast<size_t>(cost.bytes_per_element))
                                                   .bytes_per_token()) * (m.N - 1);
    const double pool = opt.pool_mib * opt.scale * 1024 * 1024;
    if (pool < user_kv)
      std::cerr << fmt::format("helm-bench sim: warning: the pool ({:.3g} MiB = --pool-mib {} x --scale {}) holds "
                               "less than one user's K/V ({:.3g} MiB at window {}): KV hits are impossible\n",
                               pool / 1048576, opt.pool_mib, opt.scale, user_kv / 1048576, m.N - 1);
  }
  if (!cost.model.empty() && cost.model != ctx.model.name)
    std::cerr << fmt::format("helm-bench sim: warning: cost model '{}' was calibrated on model '{}', "
                             "this run uses '{}' (costs scale by flop counts only)\n",
                             cost.name, cost.model, ctx.model.name);

  // The link: --h2d-gbps / --h2d-latency-us when given, else the cost model's.
  SimOptions so = sim_options(nodes, cost, cost_path, opt, !p.vm["h2d-latency-us"].defaulted());
  so.faults = std::move(faults);
  so.reroute = reroute;
  const std::string link = fmt::format("{:.4g} MB/s, {} ns per transfer ({})", so.link_bytes_per_s / 1e6,
                                       so.link_latency, opt.h2d_gbps > 0 ? "--h2d-gbps" : cost.link_source);
  std::cout << "helm-bench sim: " << nodes << " nodes, " << ctx.trace.requests.size() << " requests, trace "
            << ctx.trace.name << ", cost model " << cost.name << " (" << cost_path << ")\n"
            << "--- effective configuration ---\n" << ctx.config_text << "-------------------------------\n"
            << "h2d link: " << link << "\n";
  const EmbSample es = emb_sample(opt.emb_sample, static_cast<size_t>(opt.page_kib) * 1024, ctx.model.D, opt.seed);
  if (!es.exact())
    std::cout << fmt::format("emb sample: {:.4g} in effect (--emb-sample {} rounded to whole rows per page): the EMB "
                             "cache is a miniature, its counts (EMB hits, lookups, h2d bytes) are estimates\n",
                             es.rate, opt.emb_sample);

  RootAttributes attrs = provenance_attributes(ctx, 1);
  attrs.set("mode", "sim")
      .set("mpi_size", int64_t{1})
      .set("sim_nodes", static_cast<int64_t>(nodes))
      // The EMB sampling rate in effect (1 = exact; below 1 the EMB columns are estimates).
      .set("emb_sample", es.rate)
      .set("devices", fmt::format("simulated {} x{}", cost.device, nodes))
      .set("cost_model", cost.name)
      .set("cost_model_path", cost_path)
      .set("cost_model_source", cost.source)
      .set("kv_dtype", cost.bytes_per_element == 2 ? "bf16" : "fp32")
      .set("h2d_bytes_per_s", so.link_bytes_per_s)
      .set("h2d_link", link);
  // The rows stream to the file during the run (the writer thread of `run`'s rank 0, flushed
  // every second), so memory does not grow with the run's rows and a killed sim leaves a file
  // that opens up to its last flush; the footer comes only at the end.
  SimResult r;
  {
    ResultsSink file(opt.out, attrs);
    try {
      r = simulate(ctx, cost, so, &file);
    } catch (...) {  // bad input found by the simulation: no partial file left behind
      file.finish({});
      std::filesystem::remove(opt.out);
      throw;
    }
    RootAttributes end = r.end.footer;
    end.set("sim_events", r.events)
        .set("sim_batches", r.batches)
        .set("sim_wall_s", r.wall_s)
        .set("sim_reorder_max_rows", r.reorder_max_rows);
    file.finish(end, {peak_rss_bytes()});
  }
  const double total_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  const double n = static_cast<double>(ctx.trace.requests.size());
  std::cout << format_footer(r.end.summary, r.end.notes)
            << fmt::format("sim: {} events, {} batches; event loop {:.3f} s wall ({:.0f} requests/s), end to end "
                           "{:.3f} s ({:.0f} requests/s: trace, loop and results file)\n",
                           r.events, r.batches, r.wall_s, r.wall_s > 0 ? n / r.wall_s : 0.0, total_s,
                           total_s > 0 ? n / total_s : 0.0)
            << "results: " << opt.out << "\n";
  return 0;
}

}  // namespace helm
