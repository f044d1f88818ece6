#include "results/file_status.h"

#include <filesystem>

#include "common/h5.h"
#include "results/schema.h"

namespace helm {

const char* to_string(FileState s) {
  switch (s) {
    case FileState::kMissing: return "missing";
    case FileState::kUnreadable: return "unreadable";
    case FileState::kIncomplete: return "incomplete";
    case FileState::kComplete: return "complete";
  }
  return "?";
}

ResultsFileStatus results_file_status(const std::string& path) {
  ResultsFileStatus st;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    st.why = "no such file";
    return st;
  }
  st.state = FileState::kUnreadable;
  try {
    const h5::File f(path, h5::Mode::kRead);
    if (!f.has_attr("/", "schema_version")) {
      st.why = "not a helm-bench results file (no schema_version)";
      return st;
    }
    if (!f.exists("/requests")) {
      st.why = "no /requests table";
      return st;
    }
    h5::Id d(H5Dopen2(f.id(), "/requests", H5P_DEFAULT));
    h5::Id space(d.valid() ? H5Dget_space(d) : H5I_INVALID_HID);
    hsize_t dims[1] = {0};
    if (!space.valid() || H5Sget_simple_extent_ndims(space) != 1 ||
        H5Sget_simple_extent_dims(space, dims, nullptr) < 0) {
      st.why = "/requests is unreadable";
      return st;
    }
    st.rows = static_cast<int64_t>(dims[0]);
    st.state = FileState::kIncomplete;
    if (!f.has_attr("/", "footer_exactly_once") || !f.has_attr("/", "footer_valid")) {
      st.why = "no footer (the run did not finish)";
      return st;
    }
    st.state = FileState::kComplete;
    st.verdict = f.attr_int("/", "footer_exactly_once") == 0 ? "FAIL"
                 : f.attr_int("/", "footer_valid") == 0      ? "INVALID"
                                                             : "PASS";
  } catch (const std::exception& e) {
    st.why = e.what();
  }
  return st;
}

}  // namespace helm
