#include "allocator/host_table.h"

#include <cstring>

#include "common/error.h"
#include "common/rng.h"

namespace helm {

DenseHostTable::DenseHostTable(int64_t rows, int dim, std::vector<float> data)
    : rows_(rows), dim_(dim), data_(std::move(data)) {
  HELM_CHECK(static_cast<int64_t>(data_.size()) == rows * dim, "dense table: {} floats for {}x{}",
             data_.size(), rows, dim);
}

void DenseHostTable::read(ItemId item, float* dst) const {
  std::memcpy(dst, data_.data() + item * dim_, row_bytes());
}

GeneratedHostTable::GeneratedHostTable(int64_t rows, int dim, uint64_t seed, float scale)
    : rows_(rows), dim_(dim), seed_(seed), scale_(scale) {}

void GeneratedHostTable::read(ItemId item, float* dst) const {
  // One splitmix stream per row: cheap, and independent of the order rows are touched.
  uint64_t s = hash64(seed_, static_cast<uint64_t>(item));
  for (int j = 0; j < dim_; ++j) {
    const double u = static_cast<double>(splitmix64(s) >> 11) * 0x1.0p-53;  // [0,1)
    dst[j] = static_cast<float>((2.0 * u - 1.0) * scale_);
  }
}

std::vector<float> materialise(const HostTable& t) {
  std::vector<float> out(static_cast<size_t>(t.rows()) * t.dim());
  for (int64_t i = 0; i < t.rows(); ++i) t.read(i, out.data() + i * t.dim());
  return out;
}

}  // namespace helm
