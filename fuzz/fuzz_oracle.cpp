// --memory-policy oracle:FILE: the per-window schedule CSV (the policy file that exists today).
#include "common/error.h"
#include "controller/policies.h"
#include "fuzz/fuzz_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& path = helm::fuzz::write_input(data, size, ".csv");
  helm::PolicyContext ctx;
  ctx.node = size > 0 ? data[0] % 4 : 0;
  ctx.nodes = 4;
  try {
    helm::policies::make_oracle(path, ctx);
  } catch (const helm::BadInput&) {
  }
  return 0;
}
