// `helm-bench train [--out POLICY.h5] [--budget-s S] [sim options]`: trains HELM's base policy
// offline in the simulator (controller/train.h's push style). Episode after episode it builds a
// trace for one (profile, regime, load, seed) cell of the training mix, runs simulate() with
// --memory-policy helm:train=KEY, and ends the episode; every node's window is a sample of the
// one shared policy. The mix cycles profiles fastest, then regimes, then loads, and every
// episode draws a fresh workload seed, so a budget cut anywhere has seen every profile.
// Writes the policy file (helm_policy_file.h) and a training curve CSV (one row per update);
// scripts/plot_train_curve.py draws the PNG when /usr/bin/python3 is there.
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <unistd.h>

#include "common/error.h"
#include "common/progress.h"
#include "common/rng.h"
#include "controller/train.h"
#include "harness/cli/commands.h"
#include "harness/sim/sim_driver.h"

namespace helm {
namespace {

std::vector<std::string> split_list(const std::string& s, const char* opt) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string tok; std::getline(in, tok, ',');)
    if (!tok.empty()) out.push_back(tok);
  if (out.empty()) bad_input("{}: needs at least one entry (got '{}')", opt, s);
  return out;
}

std::vector<double> number_list(const std::string& s, const char* opt) {
  std::vector<double> out;
  for (const auto& tok : split_list(s, opt)) {
    char* end = nullptr;
    const double v = std::strtod(tok.c_str(), &end);
    if (end == tok.c_str() || *end != '\0' || !(v > 0)) bad_input("{}: '{}' is not a positive number", opt, tok);
    out.push_back(v);
  }
  return out;
}

// The plotting script next to the checkout (build/bin/helm-bench -> scripts/), else none.
std::string plot_script() {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path bin = fs::read_symlink("/proc/self/exe", ec).parent_path();
  if (ec) return {};
  for (const fs::path& p : {bin.parent_path().parent_path() / "scripts/plot_train_curve.py",
                            bin.parent_path() / "share/helm-bench/scripts/plot_train_curve.py"})
    if (fs::exists(p, ec)) return p.string();
  return {};
}

}  // namespace

int cmd_train(int argc, char** argv) {
  namespace po = cli::po;
  RunOptions opt;
  // The training mix's defaults: small profiles so an episode takes about a second of CPU.
  // kuairand-27k is left out of the default mix: its 8000-token histories simulate at ~300
  // requests/s, a minute per episode (--profiles adds it back).
  opt.out = "helm-policy.h5";
  opt.scale = 0.1;
  opt.duration_s = 10;
  opt.warmup_s = 0;
  opt.drain_s = 2;
  int nodes = 4, max_updates = 0, rollout = 512;
  uint64_t train_seed = 0;
  double budget_s = 600;
  std::string cost_name = "a100-80gb", curve, profiles = "amazon-books,ml-20m,taobao",
              regimes = "steady,trend,burst", loads = "100,300,900";
  po::options_description desc("train options");
  po::options_description s("Training (every other option is sim's)");
  s.add_options()
      ("budget-s", po::value(&budget_s)->default_value(budget_s), "wall-clock bound (seconds)")
      ("max-updates", po::value(&max_updates)->default_value(max_updates),
       "PPO updates (0: as many as the budget allows; > 0 anneals the learning rate over them)")
      ("rollout", po::value(&rollout)->default_value(rollout), "transitions per update, all nodes pooled")
      ("train-seed", po::value(&train_seed)->default_value(train_seed), "weights, exploration and episode seeds")
      ("curve", po::value(&curve), "training curve CSV (default: POLICY stem + -curve.csv)")
      ("nodes", po::value(&nodes)->default_value(nodes), "simulated nodes (samples of the one policy)")
      ("cost-model", po::value(&cost_name)->default_value(cost_name), "as for sim: a shipped name or a path")
      ("profiles", po::value(&profiles)->default_value(profiles), "datasets cycled over (comma list)")
      ("regimes", po::value(&regimes)->default_value(regimes), "workloads cycled over (comma list)")
      ("loads", po::value(&loads)->default_value(loads), "arrival rates per node (requests/s, comma list)");
  desc.add(s);
  add_run_options(desc, opt);
  auto p = cli::parse("train", "[--out POLICY.h5] [--budget-s S] [sim options]", desc, argc, argv);
  if (p.help) return 0;
  if (nodes < 1) bad_input("--nodes: must be at least 1 (got {})", nodes);
  if (!(budget_s > 0)) bad_input("--budget-s: must be positive (got {})", budget_s);
  if (max_updates < 0) bad_input("--max-updates: must be 0 or more (got {})", max_updates);
  if (rollout < 32 * nodes) bad_input("--rollout: must be at least 32 x --nodes = {} (got {})", 32 * nodes, rollout);
  // An explicit --dataset / --workload / --qps narrows the mix to that one value.
  const auto profile_list = p.vm["dataset"].defaulted() ? split_list(profiles, "--profiles") : std::vector{opt.dataset};
  const auto regime_list = p.vm["workload"].defaulted() ? split_list(regimes, "--regimes") : std::vector{opt.workload};
  const auto load_list = p.vm["qps"].defaulted() ? number_list(loads, "--loads") : std::vector{opt.qps / nodes};
  if (curve.empty()) curve = std::filesystem::path(opt.out).replace_extension("").string() + "-curve.csv";

  const std::string cost_path = resolve_cost_model(cost_name);
  const CostModel cost = load_cost_model(cost_path);
  const SimOptions so = sim_options(nodes, cost, cost_path, opt, !p.vm["h2d-latency-us"].defaulted());
  const std::string key = fmt::format("train-{}", ::getpid());
  opt.memory_policy = "helm:train=" + key;
  const std::string config_text = use_cost_model_pool(opt, cost, p.vm["pool-mib"].defaulted(), cli::effective_config(p.vm));

  TrainConfig tc;
  tc.rollout = rollout;
  tc.budget_s = budget_s;
  tc.max_updates = max_updates;
  tc.seed = train_seed;
  tc.reward.slo_ns = opt.slo_ms * 1e6;
  tc.max_delta = opt.max_step;
  tc.description = fmt::format(
      "helm-bench train: sim on cost model {}, {} nodes, profiles {} x regimes {} x loads {} per node req/s, "
      "scale {}, duration {} s, control interval {} ms, SLO {} ms; a fresh workload seed per episode",
      cost.name, nodes, profiles, regimes, loads, opt.scale, opt.duration_s, opt.control_interval_ms, opt.slo_ms);

  std::ofstream csv(curve);
  if (!csv) bad_input("--curve: cannot write '{}'", curve);
  csv << "update,samples,episodes,elapsed_s,mean_reward,policy_loss,value_loss,entropy,approx_kl,clip_frac\n";
  const ProgressOptions po_opt = progress_options("train");
  const bool show = po_opt.out != nullptr;
  int64_t episodes = 0;
  double last_line = -1e9;
  auto on_update = [&](const TrainProgress& t) {
    const PpoStats& st = t.stats;
    csv << fmt::format("{},{},{},{:.3f},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g}\n", t.update, t.samples, episodes,
                       t.elapsed_s, t.mean_reward, st.policy_loss, st.value_loss, st.entropy, st.approx_kl,
                       st.clip_frac);
    csv.flush();
    // As common/progress.h: a terminal redraws the line after every update; elsewhere (Slurm
    // files, pipes) a plain line every HELM_PROGRESS seconds (default 30).
    if (!show || (!po_opt.redraw && t.elapsed_s - last_line < po_opt.every_s)) return;
    last_line = t.elapsed_s;
    const std::string line = fmt::format("train: update {}/{}, {} samples, {} episodes, mean reward {:.4f}, "
                                         "{:.0f} s elapsed, ETA {:.0f} s", t.update, t.planned, t.samples,
                                         episodes, t.mean_reward, t.elapsed_s, t.eta_s);
    if (po_opt.redraw) *po_opt.out << "\r" << line << "\x1b[K" << std::flush;
    else *po_opt.out << line << "\n";
  };
  BaseTrainer trainer(nodes, static_cast<Nanos>(opt.control_interval_ms * 1e6), tc, on_update);
  register_trainer(key, &trainer);
  std::cout << fmt::format("helm-bench train: {} profiles x {} regimes x {} loads, {} nodes, cost model {}, "
                           "budget {} s{}\n", profile_list.size(), regime_list.size(), load_list.size(), nodes,
                           cost.name, budget_s, max_updates > 0 ? fmt::format(", {} updates", max_updates) : "");
  int64_t requests = 0;
  double sim_s = 0;
  const size_t P = profile_list.size(), R = regime_list.size(), L = load_list.size();
  try {
    for (; !trainer.finished(); ++episodes) {
      const size_t e = static_cast<size_t>(episodes);
      RunOptions eo = opt;
      eo.dataset = profile_list[e % P];
      eo.workload = regime_list[(e / P) % R];
      eo.qps = load_list[(e / (P * R)) % L] * nodes;
      eo.seed = stream_seed(train_seed, fmt::format("train-episode-{}", episodes));
      const RunContext ctx = build_run_context(eo, config_text);
      const SimResult r = simulate(ctx, cost, so);
      trainer.end_episode();
      requests += static_cast<int64_t>(r.rows.size());
      sim_s += r.wall_s;
    }
  } catch (...) {
    register_trainer(key, nullptr);
    throw;
  }
  register_trainer(key, nullptr);
  if (show && po_opt.redraw) *po_opt.out << "\n";
  csv.close();
  const HelmPolicyFile pf = trainer.result();
  save_helm_policy(opt.out, pf);
  const TrainProgress& t = trainer.progress();
  std::cout << fmt::format("trained: {} updates, {} samples, {} episodes, {} requests in {:.1f} s ({:.1f} s in the "
                           "event loop, {:.0f} samples/s); last mean reward {:.4f}\npolicy: {}\ncurve: {}\n",
                           t.update, t.samples, episodes, requests, pf.train_seconds, sim_s,
                           pf.train_seconds > 0 ? t.samples / pf.train_seconds : 0.0, t.mean_reward, opt.out, curve);
  const std::string script = plot_script();
  if (!script.empty() && std::filesystem::exists("/usr/bin/python3")) {
    const std::string png = std::filesystem::path(curve).replace_extension(".png").string();
    const std::string cmd = fmt::format("/usr/bin/python3 '{}' '{}' '{}'", script, curve, png);
    if (std::system(cmd.c_str()) == 0) std::cout << "curve plot: " << png << "\n";
    else std::cerr << "helm-bench train: warning: the plot failed (" << cmd << ")\n";
  }
  return 0;
}

}  // namespace helm
