// --workload replay:PATH: the arrival-timestamp CSV.
#include "common/error.h"
#include "fuzz/fuzz_file.h"
#include "workloads/arrivals.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& path = helm::fuzz::write_input(data, size, ".csv");
  try {
    helm::ReplayArrivals r(path);
  } catch (const helm::BadInput&) {
  }
  return 0;
}
