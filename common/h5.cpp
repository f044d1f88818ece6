#include "common/h5.h"

#include <filesystem>

#include "common/error.h"

namespace helm::h5 {

Id& Id::operator=(Id&& o) noexcept {
  if (this != &o) {
    reset();
    id_ = o.id_;
    o.id_ = H5I_INVALID_HID;
  }
  return *this;
}

void Id::reset() {
  if (id_ < 0) return;
  switch (H5Iget_type(id_)) {
    case H5I_FILE: H5Fclose(id_); break;
    case H5I_GROUP: H5Gclose(id_); break;
    case H5I_DATASET: H5Dclose(id_); break;
    case H5I_DATASPACE: H5Sclose(id_); break;
    case H5I_DATATYPE: H5Tclose(id_); break;
    case H5I_ATTR: H5Aclose(id_); break;
    case H5I_GENPROP_LST: H5Pclose(id_); break;
    default: break;
  }
  id_ = H5I_INVALID_HID;
}

void quiet_errors() {
  static bool done = [] {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    return true;
  }();
  (void)done;
}

template <> hid_t native_type<float>() { return H5T_NATIVE_FLOAT; }
template <> hid_t native_type<double>() { return H5T_NATIVE_DOUBLE; }
template <> hid_t native_type<int64_t>() { return H5T_NATIVE_INT64; }
template <> hid_t native_type<int32_t>() { return H5T_NATIVE_INT32; }
template <> hid_t native_type<uint8_t>() { return H5T_NATIVE_UINT8; }

File::File(const std::string& path, Mode mode) : path_(path) {
  quiet_errors();
  hid_t id = H5I_INVALID_HID;
  const bool present = std::filesystem::exists(path);
  if (mode == Mode::kCreate || (mode == Mode::kOpenOrCreate && !present)) {
    id = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (id < 0) bad_input("{}: cannot create HDF5 file", path);
  } else {
    if (!present) bad_input("{}: no such file", path);
    if (H5Fis_hdf5(path.c_str()) <= 0)
      bad_input("{}: not an HDF5 file (or unreadable)", path);
    id = H5Fopen(path.c_str(), mode == Mode::kRead ? H5F_ACC_RDONLY : H5F_ACC_RDWR, H5P_DEFAULT);
    if (id < 0) bad_input("{}: cannot open HDF5 file", path);
  }
  id_ = Id(id);
}

void File::flush() { H5Fflush(id_, H5F_SCOPE_LOCAL); }

bool File::exists(const std::string& obj) const {
  if (obj == "/" || obj.empty()) return true;
  // H5Lexists fails (rather than returning false) when an intermediate link is missing,
  // so walk the path one link at a time.
  std::string prefix;
  size_t pos = 0;
  while (pos < obj.size()) {
    size_t next = obj.find('/', pos + 1);
    if (next == std::string::npos) next = obj.size();
    prefix = obj.substr(0, next);
    if (prefix.empty() || prefix == "/") {
      pos = next;
      continue;
    }
    if (H5Lexists(id_, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    pos = next;
  }
  return true;
}

Id File::open_object(const std::string& obj) const {
  if (!exists(obj)) bad_input("{}: missing", where(obj));
  Id o(H5Oopen(id_, obj.c_str(), H5P_DEFAULT));
  if (!o.valid()) bad_input("{}: cannot open", where(obj));
  return o;
}

template <typename T>
std::vector<T> File::read(const std::string& dset, std::vector<hsize_t>* dims) const {
  if (!exists(dset)) bad_input("{}: missing dataset", where(dset));
  Id d(H5Dopen2(id_, dset.c_str(), H5P_DEFAULT));
  if (!d.valid()) bad_input("{}: not a dataset", where(dset));
  Id type(H5Dget_type(d));
  const H5T_class_t cls = H5Tget_class(type);
  const bool want_float = std::is_floating_point_v<T>;
  if (!((want_float && cls == H5T_FLOAT) || (!want_float && (cls == H5T_INTEGER))))
    bad_input("{}: expected {} data", where(dset), want_float ? "floating-point" : "integer");
  Id space(H5Dget_space(d));
  const int rank = H5Sget_simple_extent_ndims(space);
  std::vector<hsize_t> shape(static_cast<size_t>(std::max(rank, 0)));
  if (rank > 0) H5Sget_simple_extent_dims(space, shape.data(), nullptr);
  size_t n = 1;
  for (auto s : shape) n *= s;
  std::vector<T> out(n);
  if (n > 0 && H5Dread(d, native_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) < 0)
    bad_input("{}: cannot read (type conversion failed?)", where(dset));
  if (dims) *dims = shape;
  return out;
}

template <typename T>
T File::read_scalar(const std::string& dset) const {
  std::vector<hsize_t> dims;
  auto v = read<T>(dset, &dims);
  if (v.size() != 1) bad_input("{}: expected a scalar, found {} values", where(dset), v.size());
  return v[0];
}

template <typename T>
void File::write(const std::string& dset, const std::vector<T>& data, std::vector<hsize_t> dims) {
  if (dims.empty() && data.size() != 1) dims = {data.size()};
  size_t n = 1;
  for (auto s : dims) n *= s;
  HELM_CHECK(n == data.size(), "{}: {} values for a shape of {}", where(dset), data.size(), n);
  if (exists(dset)) H5Ldelete(id_, dset.c_str(), H5P_DEFAULT);
  Id lcpl(H5Pcreate(H5P_LINK_CREATE));
  H5Pset_create_intermediate_group(lcpl, 1);
  Id space(dims.empty() ? H5Screate(H5S_SCALAR)
                        : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr));
  Id d(H5Dcreate2(id_, dset.c_str(), native_type<T>(), space, lcpl, H5P_DEFAULT, H5P_DEFAULT));
  if (!d.valid()) bad_input("{}: cannot create dataset", where(dset));
  if (n > 0 && H5Dwrite(d, native_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()) < 0)
    bad_input("{}: cannot write dataset", where(dset));
}

#define HELM_H5_INSTANTIATE(T)                                                              \
  template std::vector<T> File::read<T>(const std::string&, std::vector<hsize_t>*) const; \
  template T File::read_scalar<T>(const std::string&) const;                              \
  template void File::write<T>(const std::string&, const std::vector<T>&, std::vector<hsize_t>);
HELM_H5_INSTANTIATE(float)
HELM_H5_INSTANTIATE(double)
HELM_H5_INSTANTIATE(int64_t)
HELM_H5_INSTANTIATE(int32_t)
HELM_H5_INSTANTIATE(uint8_t)
#undef HELM_H5_INSTANTIATE

void File::create_group(const std::string& group) {
  if (exists(group)) return;
  Id lcpl(H5Pcreate(H5P_LINK_CREATE));
  H5Pset_create_intermediate_group(lcpl, 1);
  Id g(H5Gcreate2(id_, group.c_str(), lcpl, H5P_DEFAULT, H5P_DEFAULT));
  if (!g.valid()) bad_input("{}: cannot create group", where(group));
}

bool File::has_attr(const std::string& obj, const std::string& name) const {
  if (!exists(obj)) return false;
  return H5Aexists_by_name(id_, obj.c_str(), name.c_str(), H5P_DEFAULT) > 0;
}

namespace {
Id open_attr(hid_t file, const std::string& where, const std::string& obj, const std::string& name) {
  if (H5Aexists_by_name(file, obj.c_str(), name.c_str(), H5P_DEFAULT) <= 0)
    bad_input("{}: missing attribute '{}'", where, name);
  return Id(H5Aopen_by_name(file, obj.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT));
}
}  // namespace

int64_t File::attr_int(const std::string& obj, const std::string& name) const {
  open_object(obj);
  Id a = open_attr(id_, where(obj), obj, name);
  Id type(H5Aget_type(a));
  if (H5Tget_class(type) != H5T_INTEGER)
    bad_input("{}: attribute '{}' must be an integer", where(obj), name);
  int64_t v = 0;
  if (H5Aread(a, H5T_NATIVE_INT64, &v) < 0) bad_input("{}: cannot read attribute '{}'", where(obj), name);
  return v;
}

double File::attr_double(const std::string& obj, const std::string& name) const {
  open_object(obj);
  Id a = open_attr(id_, where(obj), obj, name);
  Id type(H5Aget_type(a));
  const auto cls = H5Tget_class(type);
  if (cls != H5T_INTEGER && cls != H5T_FLOAT)
    bad_input("{}: attribute '{}' must be a number", where(obj), name);
  double v = 0;
  if (H5Aread(a, H5T_NATIVE_DOUBLE, &v) < 0) bad_input("{}: cannot read attribute '{}'", where(obj), name);
  return v;
}

std::string File::attr_string(const std::string& obj, const std::string& name) const {
  open_object(obj);
  Id a = open_attr(id_, where(obj), obj, name);
  Id type(H5Aget_type(a));
  if (H5Tget_class(type) != H5T_STRING)
    bad_input("{}: attribute '{}' must be a string", where(obj), name);
  if (H5Tis_variable_str(type) > 0) {
    Id mem(H5Tcopy(H5T_C_S1));
    H5Tset_size(mem, H5T_VARIABLE);
    H5Tset_cset(mem, H5Tget_cset(type));
    char* s = nullptr;
    if (H5Aread(a, mem, &s) < 0) bad_input("{}: cannot read attribute '{}'", where(obj), name);
    std::string out = s ? s : "";
    H5free_memory(s);
    return out;
  }
  // Fixed-length: read into n+1 bytes with a NUL-terminated memory type, so a string that fills
  // its whole width (h5py's np.bytes_, NULLPAD) keeps its last character.
  const size_t n = H5Tget_size(type);
  std::string out(n + 1, '\0');
  Id mem(H5Tcopy(H5T_C_S1));
  H5Tset_size(mem, n + 1);
  H5Tset_strpad(mem, H5T_STR_NULLTERM);
  if (H5Aread(a, mem, out.data()) < 0) bad_input("{}: cannot read attribute '{}'", where(obj), name);
  out.resize(out.find('\0'));
  return out;
}

namespace {
void write_attr(hid_t file, const std::string& obj, const std::string& name, hid_t type,
                const void* v) {
  if (H5Aexists_by_name(file, obj.c_str(), name.c_str(), H5P_DEFAULT) > 0)
    H5Adelete_by_name(file, obj.c_str(), name.c_str(), H5P_DEFAULT);
  Id space(H5Screate(H5S_SCALAR));
  Id a(H5Acreate_by_name(file, obj.c_str(), name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT,
                         H5P_DEFAULT));
  HELM_CHECK(a.valid(), "cannot create attribute {} on {}", name, obj);
  H5Awrite(a, type, v);
}
}  // namespace

void File::set_attr(const std::string& obj, const std::string& name, int64_t v) {
  write_attr(id_, obj, name, H5T_NATIVE_INT64, &v);
}
void File::set_attr(const std::string& obj, const std::string& name, double v) {
  write_attr(id_, obj, name, H5T_NATIVE_DOUBLE, &v);
}
void File::set_attr(const std::string& obj, const std::string& name, const std::vector<int64_t>& v) {
  if (H5Aexists_by_name(id_, obj.c_str(), name.c_str(), H5P_DEFAULT) > 0)
    H5Adelete_by_name(id_, obj.c_str(), name.c_str(), H5P_DEFAULT);
  const hsize_t n = v.size();
  Id space(H5Screate_simple(1, &n, nullptr));
  Id a(H5Acreate_by_name(id_, obj.c_str(), name.c_str(), H5T_STD_I64LE, space, H5P_DEFAULT,
                         H5P_DEFAULT, H5P_DEFAULT));
  HELM_CHECK(a.valid(), "cannot create attribute {} on {}", name, obj);
  H5Awrite(a, H5T_NATIVE_INT64, v.data());
}
void File::set_attr(const std::string& obj, const std::string& name, const std::string& v) {
  // Variable-length UTF-8: h5py reads it back as str.
  Id type(H5Tcopy(H5T_C_S1));
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, H5T_CSET_UTF8);
  const char* p = v.c_str();
  write_attr(id_, obj, name, type, &p);
}

}  // namespace helm::h5
