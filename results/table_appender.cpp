#include "results/table_appender.h"

#include <fmt/format.h>

#include <cstring>
#include <stdexcept>

namespace helm::detail {
namespace {
// Disk full, file removed under us...: a run-time failure (exit 1), not the user's input.
[[noreturn]] void fail(const std::string& where, const char* what) {
  throw std::runtime_error(fmt::format("{}: HDF5 {} failed", where, what));
}
}  // namespace

TableAppender::TableAppender(hid_t file, const std::string& file_name, const std::string& path,
                             hid_t file_type, hid_t mem_type, hsize_t chunk_rows, int deflate_level)
    : where_(file_name + ": " + path),
      mem_type_(H5Tcopy(mem_type)),
      row_size_(H5Tget_size(mem_type)),
      chunk_rows_(chunk_rows) {
  const hsize_t zero = 0, unlimited = H5S_UNLIMITED;
  h5::Id space(H5Screate_simple(1, &zero, &unlimited));
  h5::Id dcpl(H5Pcreate(H5P_DATASET_CREATE));
  H5Pset_chunk(dcpl, 1, &chunk_rows_);
  // Shuffle groups the bytes of each field, so slowly varying int64 columns compress well.
  if (deflate_level > 0) {
    H5Pset_shuffle(dcpl);
    H5Pset_deflate(dcpl, static_cast<unsigned>(deflate_level));
  }
  dset_ = h5::Id(H5Dcreate2(file, path.c_str(), file_type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT));
  if (!dset_.valid()) fail(where_, "dataset creation");
  buf_.reserve(chunk_rows_ * row_size_);
}

bool TableAppender::append(const void* rows, size_t n) {
  const hsize_t before = written_;
  const auto* p = static_cast<const std::byte*>(rows);
  while (n > 0) {
    const size_t take = std::min<size_t>(n, chunk_rows_ - buffered());
    buf_.insert(buf_.end(), p, p + take * row_size_);
    p += take * row_size_;
    n -= take;
    if (buffered() == chunk_rows_) flush();
  }
  return written_ != before;
}

void TableAppender::flush() {
  if (buf_.empty()) return;
  write(buf_.data(), buffered());
  buf_.clear();
}

void TableAppender::write(const std::byte* rows, size_t n) {
  const hsize_t start = written_, count = n, total = written_ + n;
  if (H5Dset_extent(dset_, &total) < 0) fail(where_, "extend");
  h5::Id fspace(H5Dget_space(dset_));
  H5Sselect_hyperslab(fspace, H5S_SELECT_SET, &start, nullptr, &count, nullptr);
  h5::Id mspace(H5Screate_simple(1, &count, nullptr));
  if (H5Dwrite(dset_, mem_type_, mspace, fspace, H5P_DEFAULT, rows) < 0) fail(where_, "write");
  written_ = total;
}

}  // namespace helm::detail
