// A thin RAII layer over the HDF5 C API (HighFive is not packaged for Debian 12).
//
// Reading functions throw BadInput naming the file and the object when something is missing or
// has the wrong type or shape: files come from users (h5py, other tools), so their faults are
// bad input, not bugs. HDF5's own error printing is switched off; our messages replace it.
#pragma once
#include <hdf5.h>

#include <cstdint>
#include <string>
#include <vector>

namespace helm::h5 {

// Owns one hid_t and closes it with the matching H5*close.
class Id {
 public:
  Id() = default;
  explicit Id(hid_t id) : id_(id) {}
  Id(const Id&) = delete;
  Id& operator=(const Id&) = delete;
  Id(Id&& o) noexcept : id_(o.id_) { o.id_ = H5I_INVALID_HID; }
  Id& operator=(Id&& o) noexcept;
  ~Id() { reset(); }
  hid_t get() const { return id_; }
  operator hid_t() const { return id_; }
  bool valid() const { return id_ >= 0; }
  void reset();

 private:
  hid_t id_ = H5I_INVALID_HID;
};

enum class Mode { kRead, kReadWrite, kCreate /* truncate */, kOpenOrCreate };

class File {
 public:
  File(const std::string& path, Mode mode);
  const std::string& path() const { return path_; }
  hid_t id() const { return id_; }
  bool exists(const std::string& obj) const;  // "/a/b/c": every link on the way exists
  void flush();

  // Datasets of arithmetic T (float, double, int64_t, int32_t, uint8_t).
  template <typename T>
  std::vector<T> read(const std::string& dset, std::vector<hsize_t>* dims = nullptr) const;
  template <typename T>
  void write(const std::string& dset, const std::vector<T>& data, std::vector<hsize_t> dims = {});
  template <typename T>
  T read_scalar(const std::string& dset) const;

  // Attributes on an object (group or dataset), by path ("/" for the root).
  bool has_attr(const std::string& obj, const std::string& name) const;
  int64_t attr_int(const std::string& obj, const std::string& name) const;
  double attr_double(const std::string& obj, const std::string& name) const;
  std::string attr_string(const std::string& obj, const std::string& name) const;
  void set_attr(const std::string& obj, const std::string& name, int64_t v);
  void set_attr(const std::string& obj, const std::string& name, double v);
  void set_attr(const std::string& obj, const std::string& name, const std::string& v);
  void set_attr(const std::string& obj, const std::string& name, const std::vector<int64_t>& v);
  void create_group(const std::string& group);  // with intermediate groups

 private:
  Id open_object(const std::string& obj) const;
  std::string where(const std::string& obj) const { return path_ + ": " + obj; }
  std::string path_;
  Id id_;
};

// The HDF5 memory type for T.
template <typename T>
hid_t native_type();

// Switch off HDF5's automatic error stack printing (once per process).
void quiet_errors();

}  // namespace helm::h5
