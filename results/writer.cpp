#include "results/writer.h"

#include <stdexcept>

#include "common/error.h"
#include "results/table_appender.h"

namespace helm {

namespace {
// A killed run must leave a readable file. HDF5 (without SWMR) is consistent on disk only right
// after a flush: a chunk rewritten later (the partial chunk a flush wrote, completed) moves and
// frees its old space, and if a later chunk reuses that space before the next flush, the index
// on disk points at foreign bytes ("inflate() failed": seen in tests). Hence a metadata flush
// after every chunk write (see append), and no reuse of freed holes (strategy NONE; space freed
// at the end of the file is still reclaimed, so the file does not grow: measured). What remains
// is the window of one write + flush: a kill inside it can spoil the last chunk.
std::string create(const std::string& path) {
  h5::quiet_errors();
  h5::Id fcpl(H5Pcreate(H5P_FILE_CREATE));
  H5Pset_file_space_strategy(fcpl, H5F_FSPACE_STRATEGY_NONE, 0, 0);
  h5::Id f(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl, H5P_DEFAULT));
  if (!f.valid()) bad_input("{}: cannot create the results file", path);
  return path;
}

void put(h5::File& f, const std::string& key, const AttrValue& v) {
  std::visit([&](const auto& x) { f.set_attr("/", key, x); }, v);
}
}  // namespace

// Member order matters: tables close their datasets before the file closes.
struct ResultsWriter::Impl {
  h5::File file;
  detail::TableAppender requests, controller, nodes;

  template <typename Row>
  static detail::TableAppender table(const h5::File& f, const WriterOptions& o) {
    h5::Id ft = Table<Row>::file_type(), mt = Table<Row>::mem_type();
    return detail::TableAppender(f.id(), f.path(), Table<Row>::kPath, ft, mt, o.chunk_rows,
                                 o.deflate_level);
  }
  Impl(const std::string& path, const WriterOptions& o)
      : file(create(path), h5::Mode::kReadWrite),
        requests(table<RequestRow>(file, o)),
        controller(table<ControllerRow>(file, o)),
        nodes(table<NodeRow>(file, o)) {}
};


ResultsWriter::ResultsWriter(const std::string& path, const RootAttributes& attrs,
                             WriterOptions opts)
    : path_(path) {
  if (opts.chunk_rows == 0) bad_input("{}: chunk_rows must be positive", path);
  if (opts.deflate_level < 0 || opts.deflate_level > 9)
    bad_input("{}: deflate level must be in 0..9", path);
  impl_ = std::make_unique<Impl>(path, opts);
  for (const auto& [k, v] : attrs.items())
    if (k != "schema_version") put(impl_->file, k, v);
  impl_->file.set_attr("/", "schema_version", kSchemaVersion);
  flush();  // a run killed at once still leaves a file with its provenance
}

ResultsWriter::~ResultsWriter() {
  try {
    close();
  } catch (...) {
  }
}

namespace {
[[noreturn]] void closed(const std::string& path) {
  throw std::logic_error(path + ": ResultsWriter used after close()");
}
}  // namespace

void ResultsWriter::append(std::span<const RequestRow> rows) {
  if (!impl_) closed(path_);
  if (impl_->requests.append(rows.data(), rows.size())) impl_->file.flush();
}
void ResultsWriter::append(std::span<const ControllerRow> rows) {
  if (!impl_) closed(path_);
  if (impl_->controller.append(rows.data(), rows.size())) impl_->file.flush();
}
void ResultsWriter::append(std::span<const NodeRow> rows) {
  if (!impl_) closed(path_);
  if (impl_->nodes.append(rows.data(), rows.size())) impl_->file.flush();
}

void ResultsWriter::flush() {
  if (!impl_) closed(path_);
  impl_->requests.flush();
  impl_->controller.flush();
  impl_->nodes.flush();
  impl_->file.flush();
}

void ResultsWriter::set_attr(const std::string& key, const AttrValue& value) {
  if (!impl_) closed(path_);
  if (key == "schema_version") bad_input("{}: attribute 'schema_version' is reserved", path_);
  put(impl_->file, key, value);
}

void ResultsWriter::set_attr_array(const std::string& key, const std::vector<int64_t>& values) {
  if (!impl_) closed(path_);
  impl_->file.set_attr("/", key, values);
}

void ResultsWriter::set_attrs(const RootAttributes& attrs) {
  for (const auto& [k, v] : attrs.items()) set_attr(k, v);
}

void ResultsWriter::close() {
  if (!impl_) return;
  // Release impl_ even if the final flush throws, so the destructor does not retry.
  std::unique_ptr<Impl> impl = std::move(impl_);
  impl->requests.flush();
  impl->controller.flush();
  impl->nodes.flush();
}

hsize_t ResultsWriter::rows_requests() const { return impl_ ? impl_->requests.rows() : 0; }
hsize_t ResultsWriter::rows_controller() const { return impl_ ? impl_->controller.rows() : 0; }
hsize_t ResultsWriter::rows_nodes() const { return impl_ ? impl_->nodes.rows() : 0; }

}  // namespace helm
