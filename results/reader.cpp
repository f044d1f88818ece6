#include "results/reader.h"

#include <cstring>
#include <utility>

#include "common/error.h"

namespace helm {
namespace {

struct AttrScan {
  const h5::File* file;
  RootAttributes* out;
  std::string error;  // exceptions must not unwind through HDF5's C frames: carried out here
};

herr_t on_attr(hid_t loc, const char* name, const H5A_info_t*, void* data) {
  auto* scan = static_cast<AttrScan*>(data);
  try {
    h5::Id a(H5Aopen(loc, name, H5P_DEFAULT));
    h5::Id type(H5Aget_type(a)), space(H5Aget_space(a));
    if (H5Sget_simple_extent_npoints(space) != 1) return 0;  // arrays: not ours, skip
    const std::string key = name;
    switch (H5Tget_class(type)) {
      case H5T_INTEGER: scan->out->set(key, scan->file->attr_int("/", key)); break;
      case H5T_FLOAT: scan->out->set(key, scan->file->attr_double("/", key)); break;
      case H5T_STRING: scan->out->set(key, scan->file->attr_string("/", key)); break;
      default: break;
    }
    return 0;
  } catch (const std::exception& e) {
    scan->error = e.what();
    return -1;
  }
}

}  // namespace

ResultsReader::ResultsReader(const std::string& path) : file_(path, h5::Mode::kRead) {
  // h5::File has already turned "missing" and "not HDF5" into BadInput naming the file.
  AttrScan scan{&file_, &attrs_, {}};
  hsize_t idx = 0;
  if (H5Aiterate2(file_.id(), H5_INDEX_NAME, H5_ITER_INC, &idx, on_attr, &scan) < 0)
    bad_input("{}: cannot read the root attributes{}", path,
              scan.error.empty() ? "" : " (" + scan.error + ")");

  const auto version = attrs_.integer("schema_version");
  if (!version)
    bad_input("{}: not a helm-bench results file (no integer root attribute 'schema_version')",
              path);
  if (*version < kOldestSchemaVersion || *version > kSchemaVersion)
    bad_input("{}: schema_version {} (this build reads versions {} to {})", path, *version,
              kOldestSchemaVersion, kSchemaVersion);
  version_ = *version;
  for (const char* t : {Table<RequestRow>::kPath, Table<ControllerRow>::kPath, Table<NodeRow>::kPath})
    if (!file_.exists(t)) bad_input("{}: {}: missing dataset", path, t);
}

template <typename Row>
std::vector<Row> ResultsReader::read_table() const {
  const std::string& path = file_.path();
  const char* name = Table<Row>::kPath;
  if (!file_.exists(name)) bad_input("{}: {}: missing dataset", path, name);
  h5::Id d(H5Dopen2(file_.id(), name, H5P_DEFAULT));
  if (!d.valid()) bad_input("{}: {}: not a dataset", path, name);
  h5::Id ftype(H5Dget_type(d)), space(H5Dget_space(d));
  if (H5Tget_class(ftype) != H5T_COMPOUND) bad_input("{}: {}: not a table (compound)", path, name);
  if (H5Sget_simple_extent_ndims(space) != 1) bad_input("{}: {}: not one-dimensional", path, name);
  // HDF5 converts compounds by member name: check every field we read is there, so a file from
  // another tool fails with the field's name rather than silently reading zeros or failing late.
  // A column added in a later version than the file's is left out of the read and filled with its
  // `absent` value; any other missing column is an error.
  h5::Id full = Table<Row>::mem_type();
  h5::Id mtype(H5Tcreate(H5T_COMPOUND, sizeof(Row)));
  std::vector<std::pair<size_t, double>> fill;  // offset of an absent double column, its value
  for (int i = 0; i < H5Tget_nmembers(full); ++i) {
    const auto m = static_cast<unsigned>(i);
    char* member = H5Tget_member_name(full, m);
    const std::string field = member;
    H5free_memory(member);
    const size_t offset = H5Tget_member_offset(full, m);
    if (H5Tget_member_index(ftype, field.c_str()) < 0) {
      const AddedField* added = added_field(name, field);
      if (added == nullptr || added->since <= version_)
        bad_input("{}: {}: missing field '{}'", path, name, field);
      h5::Id mt(H5Tget_member_type(full, m));
      HELM_CHECK(H5Tget_class(mt) == H5T_FLOAT && H5Tget_size(mt) == sizeof(double),
                 "added column '{}' must be a double", field);
      fill.emplace_back(offset, added->absent);
      continue;
    }
    h5::Id mt(H5Tget_member_type(full, m));
    H5Tinsert(mtype, field.c_str(), offset, mt);
  }
  hsize_t n = 0;
  H5Sget_simple_extent_dims(space, &n, nullptr);
  std::vector<Row> rows(n);
  for (Row& r : rows)
    for (const auto& [offset, value] : fill)
      std::memcpy(reinterpret_cast<std::byte*>(&r) + offset, &value, sizeof value);
  if (n > 0 && H5Dread(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows.data()) < 0)
    bad_input("{}: {}: cannot read (corrupt, or a field of an unconvertible type)", path, name);
  return rows;
}

std::vector<RequestRow> ResultsReader::requests() const { return read_table<RequestRow>(); }
std::vector<ControllerRow> ResultsReader::controller() const { return read_table<ControllerRow>(); }
std::vector<NodeRow> ResultsReader::nodes() const { return read_table<NodeRow>(); }

}  // namespace helm
