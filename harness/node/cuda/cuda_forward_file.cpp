#include "harness/node/cuda/cuda_forward_file.h"

#include <filesystem>
#include <vector>

#include "common/error.h"
#include "common/h5.h"
#include "gr_model/weights_io.h"
#ifdef HELM_HAVE_CUDA
#include "gr_model/cuda/cuda_model.h"
#endif

namespace helm {

void run_forward_file_cuda(const std::string& in, const std::string& out, const std::string& precision) {
#ifdef HELM_HAVE_CUDA
  const CudaPrecision prec = parse_precision(precision);
  const Weights w = load_weights(in);
  std::vector<int64_t> hist, cand;
  int64_t L0 = 0;
  {
    h5::File f(in, h5::Mode::kRead);
    hist = f.read<int64_t>("/input/history");
    cand = f.read<int64_t>("/input/candidates");
    if (f.exists("/input/cached_prefix")) L0 = f.read_scalar<int64_t>("/input/cached_prefix");
  }
  const ModelConfig& c = w.cfg;
  const int64_t L = static_cast<int64_t>(hist.size());
  if (L < 1 || L > c.history_cap())
    bad_input("{}: /input/history: length {} outside [1, N-1 = {}]", in, L, c.history_cap());
  if (L0 < 0 || L0 > L) bad_input("{}: /input/cached_prefix: {} outside [0, {}]", in, L0, L);
  for (const auto* ids : {&hist, &cand})
    for (size_t i = 0; i < ids->size(); ++i)
      if ((*ids)[i] < 0 || (*ids)[i] >= w.items)
        bad_input("{}: {}[{}]: item id {} out of range [0, {})", in, ids == &hist ? "/input/history" : "/input/candidates",
                  i, (*ids)[i], w.items);
  const int n_hist = static_cast<int>(L), M = static_cast<int>(cand.size()), D = c.D;
  std::vector<float> emb(static_cast<size_t>(n_hist + M) * D);
  std::vector<const float*> rows(static_cast<size_t>(n_hist + M));
  for (int t = 0; t < n_hist + M; ++t) {
    w.E->read(t < n_hist ? hist[static_cast<size_t>(t)] : cand[static_cast<size_t>(t - n_hist)],
              emb.data() + static_cast<size_t>(t) * D);
    rows[static_cast<size_t>(t)] = emb.data() + static_cast<size_t>(t) * D;
  }
  const CudaHstuModel model(w, prec, 0);
  CudaWorkspace ws(0);
  CudaOwnedKv kv(model.kv_layout(64), n_hist);
  std::vector<float> scores(static_cast<size_t>(M));
  const int l0 = static_cast<int>(L0);
  if (l0 > 0) {  // the earlier visit: history only, into the K/V pages
    SeqInput first{0, l0, 0, rows.data(), kv.view(), nullptr};
    model.forward(std::span(&first, 1), ws);
  }
  SeqInput second{l0, n_hist - l0, M, rows.data() + l0, kv.view(), scores.data()};
  model.forward(std::span(&second, 1), ws);
  h5::File f(out, std::filesystem::exists(out) ? h5::Mode::kReadWrite : h5::Mode::kCreate);
  f.write("/output/scores", scores, {static_cast<hsize_t>(scores.size())});
#else
  (void)in, (void)out, (void)precision;
  bad_input("--backend cuda: this helm-bench was built without CUDA");
#endif
}

}  // namespace helm
