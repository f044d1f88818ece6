#include "allocator/two_cache_pool.h"

#include <charconv>
#include <string>

#include "common/error.h"

namespace helm {

namespace {
std::unique_ptr<Device> make_device(const PoolOptions& o) {
  if (o.bytes) return std::make_unique<CpuDevice>(o.pool_bytes, o.page_bytes);
  return std::make_unique<NullDevice>(o.pool_bytes, o.page_bytes);
}
}  // namespace

TwoCachePool::TwoCachePool(const PoolOptions& opt, const HostTable& table,
                           const KvLayout& kv_layout, EmbCacheOptions emb_opt)
    : device_(make_device(opt)),
      pool_(device_->num_pages(), opt.emb_share),
      emb_(pool_, *device_, table, emb_opt),
      kv_(pool_, *device_, kv_layout) {}

}  // namespace helm
