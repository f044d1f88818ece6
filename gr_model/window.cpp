#include "gr_model/window.h"

#include "common/rng.h"

namespace helm {
namespace {
constexpr uint64_t kPrefixSeed = 0x68656C6D2D6B7631ull;  // "helm-kv1"
}

uint64_t prefix_hash_extend(uint64_t h, const ItemId* ids, int64_t n) {
  for (int64_t i = 0; i < n; ++i) h = hash64(h, static_cast<uint64_t>(ids[i]));
  return h;
}

uint64_t prefix_hash(const ItemId* ids, int64_t n) {
  return prefix_hash_extend(hash64(kPrefixSeed, 0), ids, n);
}

}  // namespace helm
