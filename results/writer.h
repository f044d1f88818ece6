// ResultsWriter: one HDF5 results file per run (DESIGN.md "Results file").
//
// Creates the file, writes the root attributes, and grows /requests, /controller and /nodes by
// appends while the run goes. Rows are buffered and written a chunk at a time; each chunk write
// also flushes the file's metadata. Call flush() periodically (e.g. every second) to persist the
// partial chunks too: a run killed between writes reads back everything flushed or written. Not
// thread-safe: serial HDF5 wants one owning thread (rank 0's writer thread, off the pacing loop).
//
// While the writer is open, HDF5 1.10's file lock keeps other processes (h5py) from opening the
// file unless they set HDF5_USE_FILE_LOCKING=FALSE.
#pragma once
#include <memory>
#include <span>
#include <string>

#include "results/attributes.h"
#include "results/schema.h"

namespace helm {

struct WriterOptions {
  hsize_t chunk_rows = 4096;  // rows per chunk, and per write
  int deflate_level = 2;      // 0 = uncompressed; 1..9 (higher costs rank 0 CPU for little gain)
};

class ResultsWriter {
 public:
  // Truncates `path`. "schema_version" is always written (as kSchemaVersion), whatever attrs say.
  // Throws BadInput when the file cannot be created (a bad --out path).
  ResultsWriter(const std::string& path, const RootAttributes& attrs, WriterOptions opts = {});
  ~ResultsWriter();  // close(), swallowing errors (destructors must not throw)
  ResultsWriter(const ResultsWriter&) = delete;
  ResultsWriter& operator=(const ResultsWriter&) = delete;

  void append(std::span<const RequestRow> rows);
  void append(std::span<const ControllerRow> rows);
  void append(std::span<const NodeRow> rows);
  void flush();  // buffered rows to the file, then H5Fflush
  // Adds or replaces a root attribute (e.g. the footer's figures at the end of the run).
  void set_attr(const std::string& key, const AttrValue& value);
  void set_attrs(const RootAttributes& attrs);
  // A one-dimensional int64 attribute (e.g. one value per rank; the reader's scan skips arrays).
  void set_attr_array(const std::string& key, const std::vector<int64_t>& values);
  void close();  // flush and close; further calls are errors. Idempotent.

  const std::string& path() const { return path_; }
  hsize_t rows_requests() const;
  hsize_t rows_controller() const;
  hsize_t rows_nodes() const;

 private:
  struct Impl;
  std::string path_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace helm
