// One node's HBM: a Device, its PagePool, and the two caches sharing it, with a static split.
// Convenience for the node runtime, the simulator and tests; each part stays usable alone.
#pragma once
#include <memory>
#include <string_view>

#include "allocator/device.h"
#include "allocator/emb_cache.h"
#include "allocator/kv_cache.h"
#include "allocator/page_pool.h"

namespace helm {

struct PoolOptions {
  size_t pool_bytes = 0;
  size_t page_bytes = size_t{64} << 10;  // why 64 KiB: see page_pool.h
  double emb_share = 0.5;                // EMB quota = round(emb_share * pages)
  bool bytes = true;                     // false: NullDevice (bookkeeping only, the simulator)
};

class TwoCachePool {
 public:
  TwoCachePool(const PoolOptions& opt, const HostTable& table, const KvLayout& kv_layout,
               EmbCacheOptions emb_opt = {});
  Device& device() { return *device_; }
  PagePool& pool() { return pool_; }
  EmbCache& emb() { return emb_; }
  KvCache& kv() { return kv_; }

 private:
  std::unique_ptr<Device> device_;
  PagePool pool_;
  EmbCache emb_;  // declared after pool_: destroyed first, so pages go back to a live pool
  KvCache kv_;
};

}  // namespace helm
