#include "gr_model/weights_io.h"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>

#include "common/error.h"
#include "common/h5.h"
#include "common/rng.h"
#include "gr_model/model.h"
#include "gr_model/reference.h"

namespace helm {
namespace {
constexpr const char* kModel = "/model";

std::string shape_str(const std::vector<hsize_t>& dims) {
  if (dims.empty()) return "scalar";
  return fmt::format("{}", fmt::join(dims, "x"));
}

// Reads a float dataset (float32 or float64 on disk) whose shape must be `want` ({} = scalar,
// also accepted as shape 1); `from` names the attributes the expected shape comes from.
std::vector<float> read_shaped(const h5::File& f, const std::string& obj,
                               std::vector<hsize_t> want, const char* from) {
  std::vector<hsize_t> dims;
  std::vector<float> v = f.read<float>(obj, &dims);
  const bool scalar_ok = want.empty() && v.size() == 1 && dims.size() <= 1;
  if (!scalar_ok && dims != want)
    bad_input("{}: {}: shape {}, expected {}{}{}", f.path(), obj, shape_str(dims),
              shape_str(want), *from ? " from attributes " : "", from);
  for (size_t i = 0; i < v.size(); ++i)
    if (!std::isfinite(v[i])) bad_input("{}: {}: non-finite value at flat index {}", f.path(), obj, i);
  return v;
}

int attr_dim(const h5::File& f, const char* name) {
  const int64_t v = f.attr_int(kModel, name);
  if (v < -(int64_t{1} << 30) || v > (int64_t{1} << 30))
    bad_input("{}: /model: attribute '{}' = {} out of range", f.path(), name, v);
  return static_cast<int>(v);
}

std::vector<int64_t> read_ids(const h5::File& f, const std::string& obj) {
  std::vector<hsize_t> dims;
  auto v = f.read<int64_t>(obj, &dims);
  if (dims.size() > 1)  // a 0-d (scalar) dataset counts as one id
    bad_input("{}: {}: expected a 1-D array of item ids, found shape {}", f.path(), obj, shape_str(dims));
  return v;
}
}  // namespace

void save_weights(const Weights& w, const std::string& path) {
  check_shapes(w);
  const ModelConfig& c = w.cfg;
  const hsize_t D = c.D, W = c.uvqk_width(), HV = static_cast<hsize_t>(c.heads) * c.d_v;
  h5::File f(path, h5::Mode::kOpenOrCreate);
  f.create_group(kModel);
  f.set_attr(kModel, "config", c.name);
  f.set_attr(kModel, "D", int64_t{c.D});
  f.set_attr(kModel, "layers", int64_t{c.layers});
  f.set_attr(kModel, "heads", int64_t{c.heads});
  f.set_attr(kModel, "d_qk", int64_t{c.d_qk});
  f.set_attr(kModel, "d_v", int64_t{c.d_v});
  f.set_attr(kModel, "N", int64_t{c.N});
  f.set_attr(kModel, "items", w.items);
  f.set_attr(kModel, "seed", static_cast<int64_t>(w.seed));  // two's complement of the uint64
  f.write("/model/E", materialise(*w.E), {static_cast<hsize_t>(w.items), D});
  f.write("/model/P", w.P, {static_cast<hsize_t>(c.N), D});
  for (int l = 0; l < c.layers; ++l) {
    const auto& lw = w.layers[l];
    const std::string g = fmt::format("/model/layers/{}/", l);
    f.write(g + "W_uvqk", lw.W_uvqk, {D, W});
    f.write(g + "b_uvqk", lw.b_uvqk, {W});
    f.write(g + "rab", lw.rab, {static_cast<hsize_t>(c.N)});
    f.write(g + "W_o", lw.W_o, {HV, D});
    f.write(g + "b_o", lw.b_o, {D});
  }
  f.write("/model/head/w", w.head_w, {D});
  f.write("/model/head/b", std::vector<float>{w.head_b});
}

Weights load_weights(const std::string& path) {
  h5::File f(path, h5::Mode::kRead);
  if (!f.exists(kModel)) bad_input("{}: /model: missing group", path);
  Weights w;
  ModelConfig& c = w.cfg;
  c.name = f.attr_string(kModel, "config");
  c.D = attr_dim(f, "D");
  c.layers = attr_dim(f, "layers");
  c.heads = attr_dim(f, "heads");
  c.d_qk = attr_dim(f, "d_qk");
  c.d_v = attr_dim(f, "d_v");
  c.N = attr_dim(f, "N");
  // M is not a file attribute: the named config's M where the name is known, else 0 (unset).
  for (const auto& n : model_config_names())
    if (n == c.name) c.M = model_config(n).M;
  validate(c, path + ": /model");
  w.items = f.attr_int(kModel, "items");
  if (w.items < 1) bad_input("{}: /model: attribute 'items' must be positive (found {})", path, w.items);
  w.seed = static_cast<uint64_t>(f.attr_int(kModel, "seed"));
  const hsize_t D = c.D, W = c.uvqk_width(), HV = static_cast<hsize_t>(c.heads) * c.d_v;
  auto E = read_shaped(f, "/model/E", {static_cast<hsize_t>(w.items), D}, "items, D");
  w.E = std::make_shared<DenseHostTable>(w.items, c.D, std::move(E));
  w.P = read_shaped(f, "/model/P", {static_cast<hsize_t>(c.N), D}, "N, D");
  for (int l = 0; l < c.layers; ++l) {
    const std::string g = fmt::format("/model/layers/{}/", l);
    LayerWeights lw;
    lw.W_uvqk = read_shaped(f, g + "W_uvqk", {D, W}, "D, heads, d_qk, d_v");
    lw.b_uvqk = read_shaped(f, g + "b_uvqk", {W}, "heads, d_qk, d_v");
    lw.rab = read_shaped(f, g + "rab", {static_cast<hsize_t>(c.N)}, "N");
    lw.W_o = read_shaped(f, g + "W_o", {HV, D}, "heads, d_v, D");
    lw.b_o = read_shaped(f, g + "b_o", {D}, "D");
    w.layers.push_back(std::move(lw));
  }
  w.head_w = read_shaped(f, "/model/head/w", {D}, "D");
  w.head_b = read_shaped(f, "/model/head/b", {}, "")[0];
  return w;
}

void init_forward_file(const std::string& path, const std::string& config, uint64_t seed,
                       int64_t items) {
  const ModelConfig& c = model_config(config);
  if (items < 1) bad_input("{}: items must be positive (found {})", path, items);
  // E is written materialised: keep files to a size a test or a check can afford (1 GiB).
  if (items > (int64_t{1} << 28) / c.D)
    bad_input("{}: {} items x D {} is too large to materialise in a weight file (max {} items)",
              path, items, c.D, (int64_t{1} << 28) / c.D);
  const Weights w = random_weights(c, items, seed);
  { h5::File create(path, h5::Mode::kCreate); }
  save_weights(w, path);
  // A small random input, so that `forward --init` alone gives a runnable golden file.
  Rng rng(stream_seed(seed, "forward-input"));
  const int L = std::min(c.history_cap(), 24), M = std::max(c.M, 1);
  std::vector<int64_t> hist(L), cand(M);
  for (auto& h : hist) h = static_cast<int64_t>(rng.below(static_cast<uint64_t>(items)));
  for (auto& m : cand) m = static_cast<int64_t>(rng.below(static_cast<uint64_t>(items)));
  h5::File f(path, h5::Mode::kReadWrite);
  f.write("/input/history", hist);
  f.write("/input/candidates", cand);
  f.write("/input/cached_prefix", std::vector<int64_t>{L / 2});
}

void run_forward_file(const std::string& in, const std::string& out) {
  const Weights w = load_weights(in);
  std::vector<int64_t> hist, cand;
  int64_t L0 = 0;
  {
    h5::File f(in, h5::Mode::kRead);
    hist = read_ids(f, "/input/history");
    cand = read_ids(f, "/input/candidates");
    if (f.exists("/input/cached_prefix")) L0 = f.read_scalar<int64_t>("/input/cached_prefix");
  }
  const int64_t L = static_cast<int64_t>(hist.size()), cap = w.cfg.history_cap();
  if (L < 1 || L > cap)
    bad_input("{}: /input/history: length {} outside [1, N-1 = {}] (windowing is the caller's job)",
              in, L, cap);
  for (const auto* ids : {&hist, &cand}) {
    const char* name = ids == &hist ? "/input/history" : "/input/candidates";
    for (size_t i = 0; i < ids->size(); ++i)
      if ((*ids)[i] < 0 || (*ids)[i] >= w.items)
        bad_input("{}: {}[{}]: item id {} out of range [0, items = {})", in, name, i, (*ids)[i], w.items);
  }
  if (L0 < 0 || L0 > L)
    bad_input("{}: /input/cached_prefix: {} outside [0, history length {}]", in, L0, L);
  const HstuModel model(w);
  const std::vector<float> scores = score_sequence(model, w, hist, cand, L0);
  h5::File f(out, std::filesystem::exists(out) ? h5::Mode::kReadWrite : h5::Mode::kCreate);
  f.write("/output/scores", scores, {static_cast<hsize_t>(scores.size())});
}

}  // namespace helm
