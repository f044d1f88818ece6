#include "harness/node/link_setup.h"

#include <fmt/format.h>

#include "common/error.h"
#include "gr_model/calibrate.h"

namespace helm {

namespace {
CostSample shapes_for(const RunOptions& o, const ModelConfig& cfg, int candidates) {
  return link_shapes(cfg, o.batch_max_requests, candidates);
}
}  // namespace

bool link_needs_measurement(const RunOptions& o) {
  return !(o.h2d_gbps > 0) && o.executor != "noop" && o.backend == "cpu";
}

double measure_link_shapes(const RunOptions& o, const ModelConfig& cfg, int candidates) {
  CostSample s = shapes_for(o, cfg, candidates);
  CalibrateOptions c;
  c.seed = o.seed;
  c.reps = 9;
  c.page_bytes = static_cast<size_t>(o.page_kib) * 1024;
  time_cpu_batches(cfg, std::span<CostSample>(&s, 1), c);
  return s.ns;
}

LinkSetup link_setup(const RunOptions& o, const ModelConfig& cfg, int candidates, double cpu_ns) {
  LinkSetup l;
  if (o.executor == "noop" && !(o.h2d_gbps > 0)) {  // nothing is copied: the rate only prices the view
    l.bytes_per_s = 25e9;
    l.rule = "none";
    l.describe = "not used: --executor noop copies nothing (the router's view prices a miss at 25 GB/s)";
    return l;
  }
  if (o.backend == "cuda" && !(o.h2d_gbps > 0)) {  // the real PCIe link: each worker measures it
    l.bytes_per_s = load_cost_model(resolve_cost_model(o.link_like)).link_bytes_per_s;
    l.rule = "cuda";
    l.describe = fmt::format("the real link (each worker measures its host-to-device rate); the router's "
                             "view prices a miss at --link-like {}'s {:.4g} GB/s", o.link_like, l.bytes_per_s / 1e9);
    return l;
  }
  if (!link_needs_measurement(o)) {
    l.bytes_per_s = o.h2d_gbps * 1e9;
    l.rule = "h2d-gbps";
    l.describe = fmt::format("{:.4g} GB/s (--h2d-gbps), {:.0f} us per transfer", o.h2d_gbps, o.h2d_latency_us);
    return l;
  }
  const CostModel target = load_cost_model(resolve_cost_model(o.link_like));
  const LinkRule r = link_like(cfg, target, shapes_for(o, cfg, candidates), cpu_ns);
  l.bytes_per_s = r.bytes_per_s;
  l.cpu_ns = cpu_ns;
  l.rule = "link-like:" + target.name;
  l.describe = fmt::format("{}; {:.0f} us per transfer (not scaled)", r.describe, o.h2d_latency_us);
  return l;
}

}  // namespace helm
