// Internal to results/: an unlimited, chunked, compressed 1-D dataset of compound rows that grows
// by appends. Rows are buffered and written a whole chunk at a time, so an append is a memcpy in
// the common case; flush() writes the partial chunk too (it is rewritten when it fills up).
// Not thread-safe (serial HDF5): one thread owns the writer.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "common/h5.h"

namespace helm::detail {

class TableAppender {
 public:
  // Creates `path` in `file`: rows of `file_type` on disk, appended from `mem_type` structs.
  TableAppender(hid_t file, const std::string& file_name, const std::string& path,
                hid_t file_type, hid_t mem_type, hsize_t chunk_rows, int deflate_level);
  // Returns whether rows went to the file (a chunk filled): the caller then flushes the file's
  // metadata, so the file on disk never points at space that later writes reuse.
  bool append(const void* rows, size_t n);
  void flush();  // buffered rows go to the file (not H5Fflush: the writer does that once)
  hsize_t rows() const { return written_ + buffered(); }

 private:
  size_t buffered() const { return buf_.size() / row_size_; }
  void write(const std::byte* rows, size_t n);
  std::string where_;
  h5::Id dset_;
  h5::Id mem_type_;
  size_t row_size_;
  hsize_t chunk_rows_;
  hsize_t written_ = 0;
  std::vector<std::byte> buf_;
};

}  // namespace helm::detail
