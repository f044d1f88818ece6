// The workload spec stored in a trace file ("key = value" lines), as `--trace FILE` reads it back.
#include <string>

#include "common/error.h"
#include "workloads/workload.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    helm::spec_from_text(std::string(reinterpret_cast<const char*>(data), size), "fuzz");
  } catch (const helm::BadInput&) {
  }
  return 0;
}
