// Each interaction-log loader (HELM_FUZZ_FORMAT: movielens, kuairand, amazon2018, amazon2023,
// taobao) on arbitrary bytes, strict and with skip_bad_rows.
#include "common/error.h"
#include "fuzz/fuzz_file.h"
#include "workloads/loaders.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const bool skip = size > 0 && (data[0] & 1);
  const std::string& path = helm::fuzz::write_input(data, size, ".csv");
  try {
    helm::load_log({HELM_FUZZ_FORMAT, path}, skip);
  } catch (const helm::BadInput&) {
  }
  return 0;
}
