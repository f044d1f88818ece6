// kv-only: the whole pool to the KV cache (the other extreme of the static sweep).
#include "common/error.h"
#include "controller/policies.h"

namespace helm::policies {

std::unique_ptr<MemoryPolicy> make_kv_only(std::string_view arg, const PolicyContext&) {
  if (!arg.empty()) bad_input("--memory-policy: kv-only takes no argument (got '{}')", arg);
  return std::make_unique<FixedShare>(0.0);
}

}  // namespace helm::policies
