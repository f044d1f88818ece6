#include "allocator/two_cache_pool.h"

#include <charconv>
#include <string>

#include "common/error.h"

namespace helm {

double parse_static_split(std::string_view spec) {
  constexpr std::string_view kPrefix = "static:";
  if (spec.substr(0, kPrefix.size()) != kPrefix)
    bad_input("--memory-policy: '{}' is not static:R", spec);
  const std::string num(spec.substr(kPrefix.size()));
  size_t used = 0;
  double r = -1;
  try {
    r = std::stod(num, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != num.size() || !(r >= 0.0 && r <= 1.0))
    bad_input("--memory-policy: EMB share '{}' in '{}' is not a number in [0, 1]", num, spec);
  return r;
}

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
