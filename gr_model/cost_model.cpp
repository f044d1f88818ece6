#include "gr_model/cost_model.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/error.h"

namespace helm {

using nlohmann::json;
namespace fs = std::filesystem;

double PiecewiseLinear::operator()(double v) const {
  if (x.empty()) return 0;
  if (v <= x.front()) return y.front();
  if (v >= x.back()) return y.back();
  const size_t k = static_cast<size_t>(std::upper_bound(x.begin(), x.end(), v) - x.begin());
  const double t = (v - x[k - 1]) / (x[k] - x[k - 1]);
  return y[k - 1] + t * (y[k] - y[k - 1]);
}

void HstuWork::add(const ModelConfig& c, int64_t cached, int64_t new_tokens, int64_t cands,
                   double bpe) {
  // The same counts as HstuModel::flop_count (the last layer skips history queries and W_o of
  // history rows); tests compare the two.
  const double D = c.D, W = c.uvqk_width(), HV = c.heads * c.d_v, Ly = c.layers;
  const double n = static_cast<double>(new_tokens), m = static_cast<double>(cands);
  const double L0 = static_cast<double>(cached), L = L0 + n;
  const double per_pair = 2.0 * c.heads * (c.d_qk + c.d_v);
  const double hist_pairs = n * L0 + n * (n + 1) / 2, cand_pairs = m * (L + 1);
  ++sequences;
  tokens += new_tokens + cands;
  dense_flops += Ly * 2.0 * (n + m) * D * W + ((Ly - 1) * (n + m) + m) * 2.0 * HV * D;
  attn_flops += ((Ly - 1) * hist_pairs + Ly * cand_pairs) * per_pair;
  // Per token and layer: X, LN(X), [U V Q K], O, LN(O)*U, once each in and out (roofline bound).
  act_bytes += Ly * (n + m) * bpe * (3.0 * D + 2.0 * W + 3.0 * HV);
  kv_read_bytes += Ly * (L + (m > 0 ? 1 : 0)) * c.heads * (c.d_qk + c.d_v) * bpe;
}

Nanos CostModel::hstu_ns(const ModelConfig& c, const HstuWork& w) const {
  if (w.sequences == 0) return 0;
  double dense = w.dense_flops * dense_ns_per_gflop(static_cast<double>(w.tokens)) * 1e-9;
  double attn = w.attn_flops * attn_ns_per_gflop * 1e-9;
  if (hbm_bytes_per_s > 0) {
    const double weights = c.layers * (double(c.D) * c.uvqk_width() + double(c.heads) * c.d_v * c.D) *
                           bytes_per_element;
    dense = std::max(dense, (w.act_bytes + weights) / hbm_bytes_per_s * 1e9);
    attn = std::max(attn, w.kv_read_bytes / hbm_bytes_per_s * 1e9);
  }
  return static_cast<Nanos>(std::llround(batch_ns + seq_ns * w.sequences + dense + attn));
}

Nanos CostModel::recompute_ns(const ModelConfig& c, std::span<const std::array<int64_t, 3>> seqs) const {
  HstuWork w, cached;
  for (const auto& q : seqs) {
    w.add(c, q[0], q[1], q[2], bytes_per_element);
    cached.add(c, q[0] + q[1], 0, q[2], bytes_per_element);
  }
  return std::max<Nanos>(0, hstu_ns(c, w) - hstu_ns(c, cached));
}

Nanos CostModel::idle_penalty(Nanos idle) const {
  if (idle_penalty_ns.x.empty()) return 0;
  return std::max<Nanos>(0, static_cast<Nanos>(std::llround(idle_penalty_ns(static_cast<double>(idle)))));
}

Nanos CostModel::host_ns(int64_t requests, int64_t history_items, int64_t hits, int64_t misses) const {
  return static_cast<Nanos>(std::llround(request_ns * requests + history_ns_per_item * history_items +
                                         emb_hit_ns * hits + emb_miss_ns * misses));
}

double CostModel::sample_ns(const ModelConfig& c, const CostSample& s) const {
  HstuWork w;
  for (const auto& q : s.seqs) w.add(c, q[0], q[1], q[2], bytes_per_element);
  return static_cast<double>(hstu_ns(c, w));
}

namespace {

// Field access that names the file and the field on every fault.
struct Reader {
  std::string file;
  [[noreturn]] void fail(const std::string& field, const std::string& why) const {
    bad_input("{}: field '{}' {}", file, field, why);
  }
  const json& obj(const json& j, const std::string& key, const std::string& path) const {
    if (!j.contains(key)) fail(path, "is missing");
    const json& v = j.at(key);
    if (!v.is_object()) fail(path, "must be an object");
    return v;
  }
  double num(const json& j, const std::string& key, const std::string& path, bool positive = false) const {
    if (!j.contains(key)) fail(path, "is missing");
    const json& v = j.at(key);
    if (!v.is_number()) fail(path, "must be a number");
    const double d = v.get<double>();
    if (!std::isfinite(d) || d < 0 || (positive && d == 0))
      fail(path, positive ? "must be positive" : "must not be negative");
    return d;
  }
  std::string str(const json& j, const std::string& key, const std::string& path, bool required = true) const {
    if (!j.contains(key)) {
      if (required) fail(path, "is missing");
      return "";
    }
    if (!j.at(key).is_string()) fail(path, "must be a string");
    return j.at(key).get<std::string>();
  }
  // An optional array of quantiles (delay_quantiles.h); empty when the field is absent.
  DelayQuantiles quantiles(const json& j, const std::string& key, const std::string& path) const {
    if (!j.contains(key)) return {};
    const json& v = j.at(key);
    if (!v.is_array()) fail(path, "must be an array of numbers");
    std::vector<double> q;
    for (const json& e : v) {
      if (!e.is_number()) fail(path, "must hold numbers");
      q.push_back(e.get<double>());
    }
    std::string why;
    DelayQuantiles d = DelayQuantiles::from_values(std::move(q), why);
    if (d.empty()) fail(path, why);
    return d;
  }
  // {X: [...], Y: [...]}: knots at strictly ascending X, non-negative values.
  PiecewiseLinear pwl(const json& j, const std::string& key, const std::string& path, const std::string& xs = "tokens",
                      const std::string& ys = "value") const {
    const json& o = obj(j, key, path);
    PiecewiseLinear f;
    for (int k = 0; k < 2; ++k) {
      const std::string& part = k == 0 ? xs : ys;
      const std::string p = path + "." + part;
      if (!o.contains(part) || !o.at(part).is_array()) fail(p, "must be an array of numbers");
      for (const json& v : o.at(part)) {
        if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() < 0)
          fail(p, "must hold non-negative numbers");
        (k == 0 ? f.x : f.y).push_back(v.get<double>());
      }
    }
    if (f.x.empty() || f.x.size() != f.y.size()) fail(path, "needs as many " + xs + " as " + ys + " (at least one)");
    for (size_t i = 1; i < f.x.size(); ++i)
      if (!(f.x[i] > f.x[i - 1])) fail(path + "." + xs, "must be strictly ascending");
    return f;
  }
};

}  // namespace

CostModel load_cost_model(const std::string& path) {
  std::ifstream in(path);
  if (!in) bad_input("{}: cannot open the cost-model file", path);
  json j;
  try {
    j = json::parse(in);
  } catch (const json::exception& e) {  // parse_error, and out_of_range for a number past double
    bad_input("{}: not a JSON file ({})", path, e.what());
  }
  Reader r{path};
  if (!j.is_object()) r.fail("(root)", "must be an object");
  if (r.str(j, "format", "format") != "helm-bench cost model") r.fail("format", "must be \"helm-bench cost model\"");
  if (r.num(j, "version", "version") != 1) r.fail("version", "must be 1");
  CostModel m;
  m.name = r.str(j, "name", "name");
  m.backend = r.str(j, "backend", "backend");
  m.device = r.str(j, "device", "device");
  m.date = r.str(j, "date", "date");
  m.source = r.str(j, "source", "source");
  m.notes = r.str(j, "notes", "notes", false);
  m.model = r.str(j, "model", "model", false);
  const json& h = r.obj(j, "hstu", "hstu");
  m.batch_ns = r.num(h, "batch_ns", "hstu.batch_ns");
  m.seq_ns = r.num(h, "seq_ns", "hstu.seq_ns");
  m.dense_ns_per_gflop = r.pwl(h, "dense_ns_per_gflop", "hstu.dense_ns_per_gflop");
  m.attn_ns_per_gflop = r.num(h, "attn_ns_per_gflop", "hstu.attn_ns_per_gflop");
  m.hbm_bytes_per_s = r.num(h, "hbm_bytes_per_s", "hstu.hbm_bytes_per_s");
  m.bytes_per_element = r.num(h, "bytes_per_element", "hstu.bytes_per_element", true);
  m.forward_spread = r.quantiles(h, "spread_quantiles", "hstu.spread_quantiles");
  if (h.contains("idle_penalty"))
    m.idle_penalty_ns = r.pwl(h, "idle_penalty", "hstu.idle_penalty", "idle_ns", "penalty_ns");
  const json& o = r.obj(j, "host", "host");
  m.request_ns = r.num(o, "request_ns", "host.request_ns");
  m.history_ns_per_item = r.num(o, "history_ns_per_item", "host.history_ns_per_item");
  m.emb_hit_ns = r.num(o, "emb_hit_ns", "host.emb_hit_ns");
  m.emb_miss_ns = r.num(o, "emb_miss_ns", "host.emb_miss_ns");
  m.wake_ns = r.num(o, "wake_ns", "host.wake_ns");
  m.admit_ns = r.num(o, "admit_ns", "host.admit_ns");
  m.wake_quantiles = r.quantiles(o, "wake_quantiles_ns", "host.wake_quantiles_ns");
  m.admit_quantiles = r.quantiles(o, "admit_quantiles_ns", "host.admit_quantiles_ns");
  const json& l = r.obj(j, "link", "link");
  m.link_bytes_per_s = r.num(l, "bytes_per_s", "link.bytes_per_s", true);
  m.link_latency_ns = r.num(l, "latency_ns", "link.latency_ns");
  m.link_source = r.str(l, "source", "link.source", false);
  if (j.contains("memory")) {
    const json& mem = r.obj(j, "memory", "memory");
    m.pool_mib = r.num(mem, "pool_mib", "memory.pool_mib", true);
    m.pool_source = r.str(mem, "source", "memory.source", false);
  }
  if (j.contains("fit")) {
    const json& f = r.obj(j, "fit", "fit");
    m.fit_mean_rel_err = r.num(f, "mean_rel_err", "fit.mean_rel_err");
    m.fit_max_rel_err = r.num(f, "max_rel_err", "fit.max_rel_err");
  }
  if (j.contains("samples")) {
    if (!j.at("samples").is_array()) r.fail("samples", "must be an array");
    size_t i = 0;
    for (const json& s : j.at("samples")) {
      const std::string p = "samples[" + std::to_string(i++) + "]";
      if (!s.is_object()) r.fail(p, "must be an object");
      CostSample cs;
      cs.kind = r.str(s, "kind", p + ".kind");
      cs.ns = r.num(s, "ns", p + ".ns");
      if (!s.contains("seqs") || !s.at("seqs").is_array()) r.fail(p + ".seqs", "must be an array of [cached, new, candidates]");
      for (const json& q : s.at("seqs")) {
        if (!q.is_array() || q.size() != 3) r.fail(p + ".seqs", "must hold [cached, new, candidates] triples");
        std::array<int64_t, 3> t{};
        for (size_t k = 0; k < 3; ++k) {
          if (!q[k].is_number_integer() || q[k].get<int64_t>() < 0) r.fail(p + ".seqs", "must hold non-negative integers");
          t[k] = q[k].get<int64_t>();
        }
        cs.seqs.push_back(t);
      }
      m.samples.push_back(std::move(cs));
    }
  }
  return m;
}

void save_cost_model(const CostModel& m, const std::string& path) {
  json samples = json::array();
  for (const auto& s : m.samples) {
    json seqs = json::array();
    for (const auto& q : s.seqs) seqs.push_back({q[0], q[1], q[2]});
    samples.push_back({{"kind", s.kind}, {"ns", s.ns}, {"seqs", seqs}});
  }
  json j = {
      {"format", "helm-bench cost model"}, {"version", 1}, {"name", m.name}, {"backend", m.backend},
      {"device", m.device}, {"date", m.date}, {"source", m.source}, {"notes", m.notes}, {"model", m.model},
      {"hstu", {{"batch_ns", m.batch_ns}, {"seq_ns", m.seq_ns},
                {"dense_ns_per_gflop", {{"tokens", m.dense_ns_per_gflop.x}, {"value", m.dense_ns_per_gflop.y}}},
                {"attn_ns_per_gflop", m.attn_ns_per_gflop}, {"hbm_bytes_per_s", m.hbm_bytes_per_s},
                {"bytes_per_element", m.bytes_per_element}}},
      {"host", {{"request_ns", m.request_ns}, {"history_ns_per_item", m.history_ns_per_item},
                {"emb_hit_ns", m.emb_hit_ns}, {"emb_miss_ns", m.emb_miss_ns}, {"wake_ns", m.wake_ns},
                {"admit_ns", m.admit_ns}}},
      {"link", {{"bytes_per_s", m.link_bytes_per_s}, {"latency_ns", m.link_latency_ns}, {"source", m.link_source}}},
      {"fit", {{"mean_rel_err", m.fit_mean_rel_err}, {"max_rel_err", m.fit_max_rel_err}}},
      {"samples", samples}};
  if (!m.forward_spread.empty()) j["hstu"]["spread_quantiles"] = m.forward_spread.values();
  if (!m.idle_penalty_ns.x.empty())
    j["hstu"]["idle_penalty"] = {{"idle_ns", m.idle_penalty_ns.x}, {"penalty_ns", m.idle_penalty_ns.y}};
  if (!m.wake_quantiles.empty()) j["host"]["wake_quantiles_ns"] = m.wake_quantiles.values();
  if (!m.admit_quantiles.empty()) j["host"]["admit_quantiles_ns"] = m.admit_quantiles.values();
  if (m.pool_mib > 0) j["memory"] = {{"pool_mib", m.pool_mib}, {"source", m.pool_source}};
  std::ofstream out(path);
  if (!out) bad_input("--out: cannot write '{}'", path);
  out << j.dump(1) << "\n";
  if (!out) throw std::runtime_error("writing " + path + " failed");
}

std::string cost_model_dir() {
  if (const char* e = std::getenv("HELM_COST_MODELS")) return e;
  // Next to the executable first, so an installed or moved tree uses its own models:
  // PREFIX/bin/helm-bench -> PREFIX/share/helm-bench/cost_models (cmake --install), then
  // CHECKOUT/build/bin/helm-bench -> CHECKOUT/cost_models (a build folder in the checkout);
  // last the checkout's folder fixed at configure time (a build folder elsewhere).
  std::error_code ec;
  const fs::path bin = fs::read_symlink("/proc/self/exe", ec).parent_path();
  if (!ec)
    for (const fs::path& p : {bin.parent_path() / "share/helm-bench/cost_models",
                              bin.parent_path().parent_path() / "cost_models"})
      if (fs::is_directory(p, ec)) return p.string();
#ifdef HELM_COST_MODEL_DIR
  if (fs::is_directory(HELM_COST_MODEL_DIR)) return HELM_COST_MODEL_DIR;
#endif
  return "cost_models";
}

std::vector<std::string> shipped_cost_models() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(cost_model_dir(), ec))
    if (e.path().extension() == ".json") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string resolve_cost_model(const std::string& v) {
  if (v.find('/') != std::string::npos || v.ends_with(".json")) return v;
  const fs::path p = fs::path(cost_model_dir()) / (v + ".json");
  if (!fs::exists(p)) {
    std::string names;
    for (const auto& n : shipped_cost_models()) names += (names.empty() ? "" : ", ") + n;
    bad_input("--cost-model: '{}' is not a shipped cost model ({} in {}) nor a path", v, names, cost_model_dir());
  }
  return p.string();
}

}  // namespace helm
