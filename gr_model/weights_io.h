// The weight and golden-I/O file of MODEL.md (`helm-bench forward`), HDF5:
//   /model  attributes config, D, layers, heads, d_qk, d_v, N, items, seed
//   /model/E, /model/P, /model/layers/<l>/{W_uvqk, b_uvqk, rab, W_o, b_o}, /model/head/{w, b}
//   /input/history, /input/candidates (int64), optional /input/cached_prefix (scalar)
//   /output/scores (float32)
// Files may come from any tool (h5py): attributes of any integer type and float32 or float64
// datasets are accepted. Every fault is a BadInput of one line naming the file and the field.
#pragma once
#include <cstdint>
#include <string>

#include "gr_model/weights.h"

namespace helm {

// Writes /model of w into `path` (created if absent, other groups kept), E materialised.
void save_weights(const Weights& w, const std::string& path);

// Reads /model, checking every dataset's shape against the attributes.
Weights load_weights(const std::string& path);

// Creates `path` (truncating it) with seeded random weights of `config` and `items` items, E
// materialised (refused for catalogues too large to write), plus a small random /input
// (history of min(N-1, 24) items, cached_prefix half of it, M candidates) so that the file is
// immediately runnable by run_forward_file.
void init_forward_file(const std::string& path, const std::string& config, uint64_t seed,
                       int64_t items);

// Reads /model and /input from `in`, scores the candidates (first cached_prefix tokens as an
// earlier visit, the rest incrementally) and writes /output/scores to `out` (may equal `in`).
void run_forward_file(const std::string& in, const std::string& out);

}  // namespace helm
