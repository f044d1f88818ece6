#include "gr_model/weights.h"

#include <cmath>

#include "common/error.h"
#include "common/rng.h"

namespace helm {
namespace {
std::vector<float> uniform(Rng& rng, size_t n, double scale) {
  std::vector<float> v(n);
  for (auto& x : v) x = static_cast<float>((2.0 * rng.uniform() - 1.0) * scale);
  return v;
}
}  // namespace

Weights random_weights(const ModelConfig& cfg, int64_t items, uint64_t seed) {
  validate(cfg, "model config '" + cfg.name + "'");
  if (items < 1) bad_input("model '{}': items must be positive (found {})", cfg.name, items);
  Weights w;
  w.cfg = cfg;
  w.items = items;
  w.seed = seed;
  w.E = std::make_shared<GeneratedHostTable>(items, cfg.D, stream_seed(seed, "emb"), 0.1f);
  Rng rng(stream_seed(seed, "weights"));
  const size_t D = cfg.D, W = cfg.uvqk_width(), HV = static_cast<size_t>(cfg.heads) * cfg.d_v;
  w.P = uniform(rng, cfg.N * D, 0.1);
  w.layers.resize(cfg.layers);
  for (auto& l : w.layers) {
    const double s_in = 1.0 / std::sqrt(static_cast<double>(D));
    const double s_o = 1.0 / std::sqrt(static_cast<double>(HV));
    l.W_uvqk = uniform(rng, D * W, s_in);
    l.b_uvqk = uniform(rng, W, s_in);
    l.rab = uniform(rng, cfg.N, 0.1);
    l.W_o = uniform(rng, HV * D, s_o);
    l.b_o = uniform(rng, D, s_o);
  }
  w.head_w = uniform(rng, D, 1.0 / std::sqrt(static_cast<double>(D)));
  w.head_b = static_cast<float>((2.0 * rng.uniform() - 1.0) * 0.1);
  return w;
}

void check_shapes(const Weights& w) {
  const auto& c = w.cfg;
  const size_t D = c.D, W = c.uvqk_width(), HV = static_cast<size_t>(c.heads) * c.d_v;
  HELM_CHECK(w.E && w.E->rows() == w.items && w.E->dim() == c.D, "E of {} rows", w.items);
  HELM_CHECK(w.P.size() == c.N * D, "P has {} floats", w.P.size());
  HELM_CHECK(static_cast<int>(w.layers.size()) == c.layers, "{} layers", w.layers.size());
  for (const auto& l : w.layers) {
    HELM_CHECK(l.W_uvqk.size() == D * W && l.b_uvqk.size() == W, "W_uvqk/b_uvqk size");
    HELM_CHECK(l.rab.size() == static_cast<size_t>(c.N), "rab size {}", l.rab.size());
    HELM_CHECK(l.W_o.size() == HV * D && l.b_o.size() == D, "W_o/b_o size");
  }
  HELM_CHECK(w.head_w.size() == D, "head_w size {}", w.head_w.size());
}

}  // namespace helm
