#include "gr_model/link_rule.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/error.h"

namespace helm {

CostSample link_shapes(const ModelConfig& cfg, int batch, int candidates) {
  CostSample s;
  s.kind = "batch";
  const int64_t w = cfg.N - 1, inc = std::min<int64_t>(8, w);  // the model attends over N - 1 at most
  for (int i = 0; i < std::max(1, batch); ++i)
    s.seqs.push_back(i % 2 == 0 ? std::array<int64_t, 3>{0, w, candidates}
                                : std::array<int64_t, 3>{w - inc, inc, candidates});
  return s;
}

LinkRule link_like(const ModelConfig& cfg, const CostModel& target, const CostSample& shapes,
                   double cpu_ns) {
  HELM_CHECK(cpu_ns > 0, "link rule: the CPU time of the shapes must be positive");
  if (!(target.link_bytes_per_s > 0))
    bad_input("--link-like: cost model '{}' states no link rate", target.name);
  LinkRule r;
  r.target = target.name;
  r.cpu_ns = cpu_ns;
  r.target_ns = target.sample_ns(cfg, shapes);
  r.bytes_per_s = target.link_bytes_per_s * r.target_ns / cpu_ns;
  r.describe = fmt::format(
      "{:.4g} MB/s = {} link {:.4g} GB/s x its predicted {:.1f} us / this CPU's measured {:.1f} us "
      "for the same {} sequences (window {}, {} candidates): a miss costs the same share of compute",
      r.bytes_per_s / 1e6, target.name, target.link_bytes_per_s / 1e9, r.target_ns / 1e3, cpu_ns / 1e3,
      shapes.seqs.size(), cfg.N - 1, shapes.seqs.empty() ? 0 : shapes.seqs[0][2]);
  return r;
}

}  // namespace helm
