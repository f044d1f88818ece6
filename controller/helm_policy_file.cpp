#include "controller/helm_policy_file.h"

#include <cmath>

#include "common/error.h"
#include "common/h5.h"
#include "common/version.h"

namespace helm {
namespace {

constexpr const char* kFormat = "helm-policy";
constexpr int64_t kVersion = 1;

void write_mlp(h5::File& f, const std::string& group, const nn::Mlp<float>& m) {
  f.create_group(group);
  f.set_attr(group, "layers", static_cast<int64_t>(m.layers()));
  for (int l = 0; l < m.layers(); ++l) {
    const auto W = m.W(l);
    std::vector<float> rows(static_cast<size_t>(W.size()));
    for (int i = 0; i < W.rows(); ++i)
      for (int j = 0; j < W.cols(); ++j) rows[static_cast<size_t>(i) * W.cols() + j] = W(i, j);
    f.write(group + "/W" + std::to_string(l), rows,
            {static_cast<hsize_t>(W.rows()), static_cast<hsize_t>(W.cols())});
    const auto b = m.b(l);
    f.write(group + "/b" + std::to_string(l), std::vector<float>(b.data(), b.data() + b.size()),
            {static_cast<hsize_t>(b.size())});
  }
}

nn::Mlp<float> read_mlp(const h5::File& f, const std::string& group, int in, int out) {
  const int64_t layers = f.attr_int(group, "layers");
  if (layers < 1 || layers > 16) bad_input("{}: {}: attribute 'layers' = {} is not in [1, 16]", f.path(), group, layers);
  std::vector<int> sizes{in};
  std::vector<std::vector<float>> W, b;
  for (int64_t l = 0; l < layers; ++l) {
    const std::string wn = group + "/W" + std::to_string(l), bn = group + "/b" + std::to_string(l);
    std::vector<hsize_t> wd, bd;
    W.push_back(f.read<float>(wn, &wd));
    b.push_back(f.read<float>(bn, &bd));
    if (wd.size() != 2 || wd[1] != static_cast<hsize_t>(sizes.back()) || wd[0] == 0 || wd[0] > 4096)
      bad_input("{}: {}: shape must be [out, {}] (out in 1..4096)", f.path(), wn, sizes.back());
    if (bd.size() != 1 || bd[0] != wd[0])
      bad_input("{}: {}: shape must be [{}]", f.path(), bn, wd[0]);
    sizes.push_back(static_cast<int>(wd[0]));
  }
  if (sizes.back() != out)
    bad_input("{}: {}/W{}: {} outputs, expected {}", f.path(), group, layers - 1, sizes.back(), out);
  nn::Mlp<float> m(sizes);
  for (int l = 0; l < m.layers(); ++l) {
    auto Wl = m.W(l);
    for (int i = 0; i < Wl.rows(); ++i)
      for (int j = 0; j < Wl.cols(); ++j) Wl(i, j) = W[l][static_cast<size_t>(i) * Wl.cols() + j];
    for (int i = 0; i < Wl.rows(); ++i) m.b(l)(i) = b[l][i];
  }
  for (float v : m.params())
    if (!std::isfinite(v)) bad_input("{}: {}: weights must be finite", f.path(), group);
  return m;
}

std::vector<double> read_vec(const h5::File& f, const std::string& name, size_t n) {
  std::vector<hsize_t> d;
  auto v = f.read<double>(name, &d);
  if (d.size() != 1 || d[0] != n) bad_input("{}: {}: shape must be [{}]", f.path(), name, n);
  for (double x : v)
    if (!std::isfinite(x)) bad_input("{}: {}: values must be finite", f.path(), name);
  return v;
}

}  // namespace

HelmPolicyFile untrained_helm_policy(const PpoConfig& cfg, uint64_t seed) {
  HelmPolicyFile p;
  PpoConfig c = cfg;
  c.policy_out_gain = 0;  // zero action: hold the split
  Rng rng(stream_seed(seed, "weights"));
  p.base = ActorCritic(kHelmStateDim, 1, c, rng);
  p.git_revision = git_revision();
  p.git_dirty = git_dirty() ? 1 : 0;
  p.train_config = "untrained";
  return p;
}

void save_helm_policy(const std::string& path, const HelmPolicyFile& p) {
  h5::File f(path, h5::Mode::kCreate);
  f.set_attr("/", "format", std::string(kFormat));
  f.set_attr("/", "version", kVersion);
  f.set_attr("/", "git_revision", p.git_revision);
  f.set_attr("/", "git_dirty", p.git_dirty);
  f.set_attr("/", "state_names", std::string(helm_state_names()));
  f.set_attr("/", "definitions", helm_definitions(p.reward, p.max_delta));
  f.set_attr("/", "train_config", p.train_config);
  f.set_attr("/", "updates", p.updates);
  f.set_attr("/", "samples", p.samples);
  f.set_attr("/", "train_seconds", p.train_seconds);
  f.set_attr("/", "max_delta", p.max_delta);
  f.write("/state/norm_mean", p.norm.mean(), {static_cast<hsize_t>(p.norm.dim())});
  f.write("/state/norm_var", p.norm.var(), {static_cast<hsize_t>(p.norm.dim())});
  f.write("/state/norm_count", std::vector<double>{p.norm.count()});
  f.create_group("/reward");
  f.set_attr("/reward", "slo_ns", p.reward.slo_ns);
  f.set_attr("/reward", "p99_cap", p.reward.p99_cap);
  f.set_attr("/reward", "viol_penalty", p.reward.viol_penalty);
  f.set_attr("/reward", "move_cost", p.reward.move_cost);
  write_mlp(f, "/policy/mean", p.base.mean);
  write_mlp(f, "/policy/value", p.base.value);
  f.write("/policy/log_std", p.base.log_std, {static_cast<hsize_t>(p.base.log_std.size())});
  f.flush();
}

HelmPolicyFile load_helm_policy(const std::string& path) {
  const h5::File f(path, h5::Mode::kRead);
  if (!f.has_attr("/", "format") || f.attr_string("/", "format") != kFormat)
    bad_input("{}: /: attribute 'format' must be '{}' (not a HELM policy file)", path, kFormat);
  if (const int64_t v = f.attr_int("/", "version"); v != kVersion)
    bad_input("{}: /: attribute 'version' is {}, this build reads {}", path, v, kVersion);
  const std::string names = f.attr_string("/", "state_names");
  if (names != helm_state_names())
    bad_input("{}: /: attribute 'state_names' is '{}', this build's state is '{}'", path, names, helm_state_names());
  HelmPolicyFile p;
  p.git_revision = f.attr_string("/", "git_revision");
  p.git_dirty = f.attr_int("/", "git_dirty");
  p.train_config = f.attr_string("/", "train_config");
  p.updates = f.attr_int("/", "updates");
  p.samples = f.attr_int("/", "samples");
  p.train_seconds = f.attr_double("/", "train_seconds");
  p.max_delta = f.attr_double("/", "max_delta");
  if (!(p.max_delta > 0 && p.max_delta <= 1)) bad_input("{}: /: attribute 'max_delta' must be in (0, 1]", path);
  const auto mean = read_vec(f, "/state/norm_mean", kHelmStateDim);
  const auto var = read_vec(f, "/state/norm_var", kHelmStateDim);
  for (double v : var)
    if (v < 0) bad_input("{}: /state/norm_var: variances must be >= 0", path);
  const double count = f.read_scalar<double>("/state/norm_count");
  p.norm.set(mean, var, count);
  p.norm.freeze();
  p.reward.slo_ns = f.attr_double("/reward", "slo_ns");
  p.reward.p99_cap = f.attr_double("/reward", "p99_cap");
  p.reward.viol_penalty = f.attr_double("/reward", "viol_penalty");
  p.reward.move_cost = f.attr_double("/reward", "move_cost");
  if (!(p.reward.slo_ns > 0)) bad_input("{}: /reward: attribute 'slo_ns' must be positive", path);
  p.base.mean = read_mlp(f, "/policy/mean", kHelmStateDim, 1);
  p.base.value = read_mlp(f, "/policy/value", kHelmStateDim, 1);
  std::vector<hsize_t> d;
  p.base.log_std = f.read<float>("/policy/log_std", &d);
  if (d.size() != 1 || d[0] != 1) bad_input("{}: /policy/log_std: shape must be [1]", path);
  return p;
}

}  // namespace helm
