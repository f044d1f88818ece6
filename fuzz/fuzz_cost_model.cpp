// --cost-model FILE: the simulator's cost-model JSON.
#include "common/error.h"
#include "fuzz/fuzz_file.h"
#include "gr_model/cost_model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& path = helm::fuzz::write_input(data, size, ".json");
  try {
    helm::load_cost_model(path);
  } catch (const helm::BadInput&) {
  }
  return 0;
}
