// HSTU weights (MODEL.md): random (seeded) or loaded from a weight file (weights_io.h).
//
// Layout is row-major fp32 throughout. The item-embedding table E sits behind HostTable so that a
// 32M-item catalogue can be generated on demand; files carry it materialised.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "allocator/host_table.h"
#include "gr_model/config.h"

namespace helm {

struct LayerWeights {
  std::vector<float> W_uvqk;  // D x (2 H d_v + 2 H d_qk), columns split U, V, Q, K in that order
  std::vector<float> b_uvqk;  // 2 H d_v + 2 H d_qk
  std::vector<float> rab;     // N: relative attention bias, indexed by pos_i - pos_j
  std::vector<float> W_o;     // (H d_v) x D
  std::vector<float> b_o;     // D
};

struct Weights {
  ModelConfig cfg;
  int64_t items = 0;
  uint64_t seed = 0;
  std::shared_ptr<const HostTable> E;  // items x D
  std::vector<float> P;                // N x D positional embeddings
  std::vector<LayerWeights> layers;
  std::vector<float> head_w;  // D
  float head_b = 0;
};

// Seeded random weights. E is generated on demand (stream "emb", uniform +-0.1); the rest comes
// from one Rng on stream "weights" in a fixed order (P, then per layer W_uvqk, b_uvqk, rab, W_o,
// b_o, then head_w, head_b), uniform with scale ~1/sqrt(fan_in); rab is small (+-0.1).
Weights random_weights(const ModelConfig& cfg, int64_t items, uint64_t seed);

// Throws logic_error if any array has the wrong size for w.cfg (a bug, not bad input: loaders
// check files themselves and report the field).
void check_shapes(const Weights& w);

}  // namespace helm
