// The emulated host-to-device link of the CPU backend: --h2d-gbps when given, else the link rule
// (gr_model/link_rule.h) against the --link-like cost model, with the CPU side measured by the
// process that will serve (a worker, before it lowers its priority; `calibrate` itself).
#pragma once
#include <string>

#include "gr_model/link_rule.h"
#include "harness/cli/run_options.h"

namespace helm {

struct LinkSetup {
  double bytes_per_s = 0;
  double cpu_ns = 0;     // the shapes measured here (0 when --h2d-gbps was given)
  std::string rule;      // "h2d-gbps" or "link-like:NAME"
  std::string describe;  // how the rate was derived, for the results file
};

bool link_needs_measurement(const RunOptions& o);
// Times the rule's representative batches of the run's model on this process (ns, median).
double measure_link_shapes(const RunOptions& o, const ModelConfig& cfg, int candidates);
// The rate: `cpu_ns` is the measured time of the shapes (ignored with --h2d-gbps).
LinkSetup link_setup(const RunOptions& o, const ModelConfig& cfg, int candidates, double cpu_ns);

}  // namespace helm
