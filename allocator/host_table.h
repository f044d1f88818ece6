// The full item-embedding table in host memory: what the EMB cache copies rows from on a miss.
//
// Two kinds: a dense table (rows loaded from a weight file, or materialised for small catalogues)
// and a generated table whose row i is a pure function of (seed, i), so a 32M-item catalogue
// costs no memory until rows are touched. A generated table and a dense table written from it
// (`helm-bench forward --init`) hold the same numbers.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

namespace helm {

using ItemId = int64_t;

class HostTable {
 public:
  virtual ~HostTable() = default;
  virtual int64_t rows() const = 0;
  virtual int dim() const = 0;
  // Copies row `item` (0 <= item < rows()) into dst[0..dim()).
  virtual void read(ItemId item, float* dst) const = 0;
  // Pointer to row `item` where the table is materialised, else nullptr.
  virtual const float* row_ptr(ItemId item) const { return nullptr; }
  size_t row_bytes() const { return static_cast<size_t>(dim()) * sizeof(float); }
};

class DenseHostTable final : public HostTable {
 public:
  DenseHostTable(int64_t rows, int dim, std::vector<float> data);
  int64_t rows() const override { return rows_; }
  int dim() const override { return dim_; }
  void read(ItemId item, float* dst) const override;
  const float* row_ptr(ItemId item) const override { return data_.data() + item * dim_; }
  const std::vector<float>& data() const { return data_; }

 private:
  int64_t rows_;
  int dim_;
  std::vector<float> data_;
};

// Row i, element j = uniform(-scale, scale) from hash(seed, i, j): deterministic everywhere.
class GeneratedHostTable final : public HostTable {
 public:
  GeneratedHostTable(int64_t rows, int dim, uint64_t seed, float scale);
  int64_t rows() const override { return rows_; }
  int dim() const override { return dim_; }
  void read(ItemId item, float* dst) const override;

 private:
  int64_t rows_;
  int dim_;
  uint64_t seed_;
  float scale_;
};

// The whole generated table as dense data (for files and tests; small catalogues only).
std::vector<float> materialise(const HostTable& t);

}  // namespace helm
