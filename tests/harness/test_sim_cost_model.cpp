// Cost-model files (round trip, bad files -> BadInput naming the file and field, shipped names),
// the flop counts against the model's own, and the fit on synthetic samples.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "gr_model/calibrate.h"
#include "gr_model/model.h"
#include "test_sim_util.h"

using namespace helm;

namespace {
std::string tmp(const std::string& name) { return simtest::temp_file("helm_test_sim_", name); }
using simtest::load_error;
}  // namespace

TEST(CostModelFile, RoundTrip) {
  CostModel m = simtest::flat_cost_model();
  m.notes = "why";
  m.model = "tiny";
  m.link_source = "test";
  m.samples.push_back({"prefill", {{0, 5, 3}, {2, 1, 0}}, 1234.5});
  const std::string p = tmp("rt.json");
  save_cost_model(m, p);
  const CostModel r = load_cost_model(p);
  EXPECT_EQ(r.name, m.name);
  EXPECT_EQ(r.model, "tiny");
  EXPECT_EQ(r.batch_ns, m.batch_ns);
  EXPECT_EQ(r.dense_ns_per_gflop.x, m.dense_ns_per_gflop.x);
  EXPECT_EQ(r.dense_ns_per_gflop.y, m.dense_ns_per_gflop.y);
  EXPECT_EQ(r.emb_miss_ns, m.emb_miss_ns);
  EXPECT_EQ(r.link_bytes_per_s, m.link_bytes_per_s);
  ASSERT_EQ(r.samples.size(), 1u);
  EXPECT_EQ(r.samples[0].seqs, m.samples[0].seqs);
  EXPECT_EQ(r.samples[0].ns, 1234.5);
}

TEST(CostModelFile, BadFilesNameTheFileAndField) {
  const CostModel m = simtest::flat_cost_model();
  const std::string good = tmp("good.json");
  save_cost_model(m, good);
  nlohmann::json j;
  std::ifstream(good) >> j;
  auto write = [&](const nlohmann::json& v, const std::string& name) {
    const std::string p = tmp(name);
    std::ofstream(p) << v.dump();
    return p;
  };
  nlohmann::json a = j;
  a["hstu"].erase("attn_ns_per_gflop");
  std::string p = write(a, "missing.json");
  EXPECT_NE(load_error(p).find(p), std::string::npos);
  EXPECT_NE(load_error(p).find("hstu.attn_ns_per_gflop"), std::string::npos);
  nlohmann::json b = j;
  b["link"]["bytes_per_s"] = "fast";
  p = write(b, "type.json");
  EXPECT_NE(load_error(p).find("link.bytes_per_s"), std::string::npos);
  nlohmann::json c = j;
  c["hstu"]["dense_ns_per_gflop"]["tokens"] = {5, 1};
  p = write(c, "order.json");
  EXPECT_NE(load_error(p).find("hstu.dense_ns_per_gflop"), std::string::npos);
  nlohmann::json d = j;
  d["host"]["wake_ns"] = -1;
  p = write(d, "negative.json");
  EXPECT_NE(load_error(p).find("host.wake_ns"), std::string::npos);
  p = tmp("garbage.json");
  std::ofstream(p) << "{ not json";
  EXPECT_NE(load_error(p).find(p), std::string::npos);
  // A number past double's range: the JSON library's out_of_range, not a parse_error (fuzz_cost_model).
  p = tmp("overflow.json");
  std::ofstream(p) << "{\"format\": 2458E6065}";
  EXPECT_NE(load_error(p).find(p), std::string::npos);
  EXPECT_NE(load_error(tmp("does-not-exist.json")).find("does-not-exist"), std::string::npos);
  EXPECT_THROW(resolve_cost_model("no-such-shipped-model"), BadInput);
}

TEST(CostModelFile, ShippedModelsLoadByName) {
  setenv("HELM_COST_MODELS", HELM_SOURCE_DIR "/cost_models", 1);
  for (const char* name : {"a100-80gb", "h100"}) {
    const CostModel m = load_cost_model(resolve_cost_model(name));
    EXPECT_EQ(m.name, name);
    EXPECT_EQ(m.bytes_per_element, 2);
    EXPECT_GT(m.link_bytes_per_s, 1e10);
  }
  unsetenv("HELM_COST_MODELS");
}

TEST(CostModel, FlopsMatchTheModel) {
  for (const char* name : {"tiny", "small", "ml-20m"}) {
    const ModelConfig& c = model_config(name);
    const Weights w = random_weights(c, 100, 1);
    const HstuModel model(w);
    std::vector<SeqInput> in{{0, 10, 4}, {7, 3, 0}, {20, 0, 5}};
    HstuWork work;
    for (const auto& s : in) work.add(c, s.cached_len, s.new_tokens, s.num_candidates, 4);
    const auto f = model.flop_count(in);
    EXPECT_DOUBLE_EQ(work.dense_flops, f.proj + f.out) << name;
    EXPECT_DOUBLE_EQ(work.attn_flops, f.attn) << name;
    EXPECT_EQ(work.tokens, 10 + 4 + 3 + 5);
  }
}

TEST(CostModel, FitRecoversAKnownModel) {
  const ModelConfig& c = model_config("small");
  CostModel truth = simtest::flat_cost_model();
  truth.dense_ns_per_gflop = {{1, 8, 32, 128, 512}, {4e7, 3e7, 2e7, 1.5e7, 1.2e7}};
  CostModel m = truth;
  for (int64_t n : {1, 8, 32, 100, 300, 511})
    m.samples.push_back({"prefill", {{0, n, 32}}, 0});
  for (int64_t c0 : {50, 200, 400}) m.samples.push_back({"incremental", {{c0, 8, 32}}, 0});
  m.samples.push_back({"batch", {{0, 100, 32}, {100, 8, 32}, {0, 8, 32}}, 0});
  for (auto& s : m.samples) s.ns = truth.sample_ns(c, s);
  fit_hstu(c, m);
  EXPECT_LT(m.fit_max_rel_err, 0.02);
}
