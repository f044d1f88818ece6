// `helm-bench forward`: run the model on /model + /input of an HDF5 file (MODEL.md), write
// /output/scores. The way anyone checks this model against a reference implementation.
#include <iostream>

#include "common/blas.h"
#include "common/error.h"
#include "gr_model/weights_io.h"
#include "harness/cli/cli.h"
#include "harness/cli/commands.h"
#include "harness/node/cuda/cuda_forward_file.h"
#include "harness/node/cuda/gpu_probe.h"

namespace helm {

int cmd_forward(int argc, char** argv) {
  namespace po = cli::po;
  std::string in, out, init, backend = "cpu", precision = "fp32";
  uint64_t seed = 1;
  int64_t items = 1000;
  po::options_description desc("forward options");
  desc.add_options()
      ("in", po::value(&in)->required(), "HDF5 file with /model and /input (MODEL.md)")
      ("out", po::value(&out), "where /output/scores goes (default: the input file)")
      ("init", po::value(&init), "first write seeded random weights of this config (and a random input) into --in")
      ("seed", po::value(&seed)->default_value(seed), "weights seed for --init")
      ("items", po::value(&items)->default_value(items), "catalogue size for --init")
      ("backend", po::value(&backend)->default_value(backend), "cpu | cuda (compare the two files' /output/scores)")
      ("precision", po::value(&precision)->default_value(precision), "cuda: fp32 | tf32 | bf16");
  auto p = cli::parse("forward", "--in FILE.h5 [--out OUT.h5] [--init CONFIG --seed S]", desc, argc, argv);
  if (p.help) return 0;
  if (backend != "cpu" && backend != "cuda") bad_input("--backend: '{}' is not cpu or cuda", backend);
  if (backend == "cuda")
    if (const std::string why = cuda_unavailable_reason(); !why.empty()) bad_input("--backend cuda: {}", why);
  if (items <= 0) bad_input("--items: must be positive (got {})", items);
  init_blas();
  if (!init.empty()) init_forward_file(in, init, seed, items);
  if (backend == "cuda") run_forward_file_cuda(in, out.empty() ? in : out, precision);
  else run_forward_file(in, out.empty() ? in : out);
  std::cout << "forward: scores written to " << (out.empty() ? in : out) << ":/output/scores\n";
  return 0;
}

}  // namespace helm
