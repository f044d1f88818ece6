// The weight / golden-I/O file: round trips, files written by h5py, and bad files that must
// raise BadInput naming the file and the field.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "common/blas.h"
#include "common/error.h"
#include "common/h5.h"
#include "gr_model/reference.h"
#include "gr_model/weights_io.h"
#include "test_util.h"
#include "tests/require.h"

using namespace helm;
namespace fs = std::filesystem;

namespace {
std::string tmp_path(const std::string& name) {
  return (fs::temp_directory_path() / ("helm_gr_" + std::to_string(::getpid()) + "_" + name)).string();
}

// Scores the file's /input through the reference, from the weights in the file.
std::vector<double> reference_of(const std::string& path) {
  const Weights w = load_weights(path);
  h5::File f(path, h5::Mode::kRead);
  return reference_scores(w, f.read<int64_t>("/input/history"), f.read<int64_t>("/input/candidates"));
}

// Runs `run_forward_file` and expects a BadInput whose message contains every `needle`.
void expect_bad(const std::string& path, std::initializer_list<std::string> needles) {
  try {
    run_forward_file(path, path);
    ADD_FAILURE() << "no BadInput for " << path;
  } catch (const BadInput& e) {
    const std::string msg = e.what();
    for (const auto& n : needles) EXPECT_NE(msg.find(n), std::string::npos) << msg << " lacks " << n;
  }
}
}  // namespace

TEST(WeightsIo, SaveLoadRoundTrip) {
  init_blas();
  const auto path = tmp_path("rt.h5");
  const Weights w = random_weights(model_config("tiny"), 300, 4);
  { h5::File create(path, h5::Mode::kCreate); }
  save_weights(w, path);
  const Weights r = load_weights(path);
  EXPECT_EQ(r.cfg.D, 16);
  EXPECT_EQ(r.cfg.M, 8);
  EXPECT_EQ(r.items, 300);
  EXPECT_EQ(r.seed, 4u);
  EXPECT_EQ(materialise(*r.E), materialise(*w.E));
  EXPECT_EQ(r.layers[1].W_uvqk, w.layers[1].W_uvqk);
  EXPECT_EQ(r.head_b, w.head_b);
  fs::remove(path);
}

TEST(WeightsIo, ForwardFileRoundTrip) {
  init_blas();
  const auto in = tmp_path("fwd.h5"), out = tmp_path("fwd_out.h5");
  for (const char* cfg : {"tiny", "small"}) {
    init_forward_file(in, cfg, 7, 500);
    run_forward_file(in, in);  // in place
    run_forward_file(in, out);
    const auto ref = reference_of(in);
    h5::File fi(in, h5::Mode::kRead), fo(out, h5::Mode::kRead);
    const auto s_in = fi.read<float>("/output/scores"), s_out = fo.read<float>("/output/scores");
    EXPECT_EQ(s_in.size(), static_cast<size_t>(model_config(cfg).M));
    EXPECT_EQ(s_in, s_out);
    EXPECT_LE(test::rel_err(s_in, ref), 1e-5) << cfg;
    EXPECT_GT(fi.read_scalar<int64_t>("/input/cached_prefix"), 0);
  }
  fs::remove(in);
  fs::remove(out);
}

TEST(WeightsIo, BadFilesNameFileAndField) {
  const auto path = tmp_path("bad.h5");
  auto fresh = [&] { init_forward_file(path, "tiny", 1, 100); };

  fresh();
  {
    h5::File f(path, h5::Mode::kReadWrite);
    H5Ldelete(f.id(), "/input/history", H5P_DEFAULT);
  }
  expect_bad(path, {path, "/input/history"});

  fresh();
  h5::File(path, h5::Mode::kReadWrite).write<float>("/model/layers/1/W_uvqk",
                                                     std::vector<float>(16 * 50), {16, 50});
  expect_bad(path, {path, "/model/layers/1/W_uvqk", "shape 16x50", "expected 16x64"});

  fresh();
  h5::File(path, h5::Mode::kReadWrite).write<int64_t>("/input/history", {1, 2, 100}, {3});
  expect_bad(path, {path, "/input/history[2]", "100"});

  fresh();
  h5::File(path, h5::Mode::kReadWrite).write<int64_t>("/input/candidates", {-1}, {1});
  expect_bad(path, {path, "/input/candidates[0]"});

  fresh();
  h5::File(path, h5::Mode::kReadWrite).write<int64_t>("/input/history", std::vector<int64_t>(64, 3));
  expect_bad(path, {path, "/input/history", "length 64"});

  fresh();
  h5::File(path, h5::Mode::kReadWrite).write<int64_t>("/input/cached_prefix", {25});
  expect_bad(path, {path, "/input/cached_prefix"});

  fresh();
  h5::File(path, h5::Mode::kReadWrite).set_attr("/model", "heads", int64_t{0});
  expect_bad(path, {path, "/model", "heads"});

  { std::ofstream(path) << "not an HDF5 file\n"; }
  expect_bad(path, {path, "HDF5"});

  EXPECT_THROW(init_forward_file(path, "huge", 1, 100), BadInput);
  EXPECT_THROW(init_forward_file(path, "kuairand", 1, 32'000'000), BadInput);
  fs::remove(path);
}

// A file written by h5py with other types (int32 attributes, float64 datasets, a fixed-length
// bytes config) is accepted and scores like the reference.
TEST(WeightsIo, AcceptsH5pyFile) {
  HELM_REQUIRE(std::system("/usr/bin/python3 -c 'import h5py, numpy' > /dev/null 2>&1") == 0,
               "/usr/bin/python3 with h5py and numpy not available");
  init_blas();
  const auto path = tmp_path("py.h5"), script = tmp_path("write.py");
  std::ofstream(script) << R"(import sys, h5py, numpy as np
rng = np.random.default_rng(0)
D, Lyr, H, dqk, dv, N, I = 16, 2, 2, 8, 8, 64, 50
W = 2 * H * dv + 2 * H * dqk
with h5py.File(sys.argv[1], "w") as f:
    m = f.create_group("model")
    m.attrs["config"] = "custom"
    for k, v in dict(D=D, layers=Lyr, heads=H, d_qk=dqk, d_v=dv, N=N).items():
        m.attrs[k] = np.int32(v)
    m.attrs["items"] = np.uint16(I)
    m.attrs["seed"] = 5
    m["E"] = rng.uniform(-0.1, 0.1, (I, D))
    m["P"] = rng.uniform(-0.1, 0.1, (N, D)).astype(np.float32)
    for l in range(Lyr):
        g = m.create_group(f"layers/{l}")
        g["W_uvqk"] = rng.uniform(-0.25, 0.25, (D, W))
        g["b_uvqk"] = rng.uniform(-0.25, 0.25, W)
        g["rab"] = rng.uniform(-0.1, 0.1, N)
        g["W_o"] = rng.uniform(-0.25, 0.25, (H * dv, D))
        g["b_o"] = rng.uniform(-0.25, 0.25, D)
    m["head/w"] = rng.uniform(-0.25, 0.25, D)
    m["head/b"] = 0.5
    f["input/history"] = np.arange(20, dtype=np.int64)
    f["input/candidates"] = np.array([3, 49, 7], dtype=np.int32)
    f["input/cached_prefix"] = np.int64(12)
)";
  ASSERT_EQ(std::system(("/usr/bin/python3 " + script + " " + path).c_str()), 0);
  const Weights w = load_weights(path);
  EXPECT_EQ(w.cfg.name, "custom");
  EXPECT_EQ(w.cfg.M, 0);
  EXPECT_EQ(w.items, 50);
  EXPECT_EQ(w.head_b, 0.5f);
  run_forward_file(path, path);
  const auto scores = h5::File(path, h5::Mode::kRead).read<float>("/output/scores");
  EXPECT_LE(test::rel_err(scores, reference_of(path)), 1e-5);
  fs::remove(path);
  fs::remove(script);
}
