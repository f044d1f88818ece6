// emb-only: the whole pool to the embedding cache (an extreme of the static sweep).
#include "common/error.h"
#include "controller/policies.h"

namespace helm::policies {

std::unique_ptr<MemoryPolicy> make_emb_only(std::string_view arg, const PolicyContext&) {
  if (!arg.empty()) bad_input("--memory-policy: emb-only takes no argument (got '{}')", arg);
  return std::make_unique<FixedShare>(1.0);
}

}  // namespace helm::policies
