// Memory policies: every control interval, for one node, the EMB share of the pool it should
// move toward. The contract (DESIGN.md): decide() is cheap (microseconds), deterministic given
// the sequence of windows it has seen, and returns a share in [0, 1]. How fast the node moves
// (--max-step) and how (--repartition naive|budgeted) are not the policy's business.
//
// One file per policy (policy_*.cpp) and one explicit registry (registry.cpp): no
// self-registration from static initialisers (the linker drops those from static libraries).
#pragma once
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "controller/window.h"

namespace helm {

// What one decision was made of. HELM fills every field; for the others the default below
// holds (the whole target is the "base", nothing else).
struct PolicyOutput {
  double target = 0;
  double base_part = 0, residual_part = 0;  // HELM: target = clamp(base_part + residual_part)
  bool burst = false;       // a burst alarm shaped this decision
  double reward = 0;        // reward of the window just closed: the previous decision's outcome
  double refill_scale = 1;  // share of the refill bandwidth the node should use (burst throttle)
};

class MemoryPolicy {
 public:
  virtual ~MemoryPolicy() = default;
  // The split the node starts with, before any window.
  virtual double initial_share() const = 0;
  // Target EMB share after the window `w` (w.emb_share is the split that was in effect).
  virtual double decide(const NodeWindowStats& w) = 0;
  // decide() and its parts; policies with parts override this and make decide() its target.
  virtual PolicyOutput decide_parts(const NodeWindowStats& w) {
    PolicyOutput o;
    o.target = o.base_part = decide(w);
    return o;
  }
  // True if decide() reads the miss-ratio curves (the driver then collects them).
  virtual bool needs_curves() const { return false; }
};

// What a policy may know about where it runs.
struct PolicyContext {
  int node = 0;                  // 0-based worker node
  int nodes = 1;
  Nanos interval = 1'000'000'000;  // control interval
  Nanos slo = 0;                 // the run's SLO (0: not given; policies that need it default)
};

struct PolicyEntry {
  const char* name;   // "static", "mrc", ...: the spec is NAME or NAME:ARG
  const char* usage;  // one line for --help
  std::unique_ptr<MemoryPolicy> (*make)(std::string_view arg, const PolicyContext& ctx);
};

// Every policy, in the order --help lists them.
std::span<const PolicyEntry> policy_registry();
// A --memory-policy value ("static:0.3", "mrc", "oracle:FILE", ...), parsed and validated once:
// every node's policy, its initial split and whether curves are collected come from here, so no
// other module reads the text. BadInput naming --memory-policy on an unknown name or a bad
// argument.
struct PolicySpec {
  std::string text;               // as given
  const PolicyEntry* entry = nullptr;
  std::string arg;                // after the first ':'
  bool needs_curves = false;
  std::unique_ptr<MemoryPolicy> make(const PolicyContext& ctx) const { return entry->make(arg, ctx); }
  // The split a node starts at (static:R1,R2,... assigns them to nodes in turn).
  double initial_share(const PolicyContext& ctx) const { return make(ctx)->initial_share(); }
};
PolicySpec parse_policy_spec(std::string_view spec);
std::unique_ptr<MemoryPolicy> make_policy(std::string_view spec, const PolicyContext& ctx);
// One line per policy (for --help).
std::string policy_usage();

// The per-interval step rule: from `current` toward `target` by at most max_step.
double step_toward(double current, double target, double max_step);

}  // namespace helm
