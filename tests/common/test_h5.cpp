#include <gtest/gtest.h>

#include <filesystem>

#include "common/error.h"
#include "common/h5.h"

using namespace helm;

TEST(H5, RoundTripAndErrorsNameTheObject) {
  const auto path = (std::filesystem::temp_directory_path() / "helm_test_h5.h5").string();
  {
    h5::File f(path, h5::Mode::kCreate);
    f.write<float>("/a/b/x", {1, 2, 3, 4, 5, 6}, {2, 3});
    f.write<int64_t>("/s", {7});
    f.create_group("/model");
    f.set_attr("/model", "D", int64_t{16});
    f.set_attr("/model", "config", std::string("tiny"));
  }
  h5::File f(path, h5::Mode::kRead);
  std::vector<hsize_t> dims;
  auto x = f.read<float>("/a/b/x", &dims);
  EXPECT_EQ(dims, (std::vector<hsize_t>{2, 3}));
  EXPECT_EQ(x[5], 6.0f);
  EXPECT_EQ(f.read_scalar<int64_t>("/s"), 7);
  EXPECT_EQ(f.attr_int("/model", "D"), 16);
  EXPECT_EQ(f.attr_string("/model", "config"), "tiny");
  EXPECT_FALSE(f.exists("/nope/deeper"));
  try {
    f.read<float>("/nope/deeper");
    FAIL();
  } catch (const BadInput& e) {
    EXPECT_NE(std::string(e.what()).find("/nope/deeper"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos);
  }
  EXPECT_THROW(f.read<int64_t>("/a/b/x"), BadInput);  // float data read as integers
  EXPECT_THROW(h5::File("/nonexistent/file.h5", h5::Mode::kRead), BadInput);
  std::filesystem::remove(path);
}

TEST(H5, FixedLengthStringAttributeKeepsItsLastCharacter) {
  const auto path = (std::filesystem::temp_directory_path() / "helm_test_h5_str.h5").string();
  {
    h5::File f(path, h5::Mode::kCreate);
    f.create_group("/model");
    // A fixed-length, NULLPAD string exactly as wide as its text: what h5py writes for np.bytes_.
    h5::Id type(H5Tcopy(H5T_C_S1));
    H5Tset_size(type, 6);
    H5Tset_strpad(type, H5T_STR_NULLPAD);
    h5::Id space(H5Screate(H5S_SCALAR));
    h5::Id a(H5Acreate_by_name(f.id(), "/model", "config", type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    H5Awrite(a, type, "custom");
  }
  h5::File f(path, h5::Mode::kRead);
  EXPECT_EQ(f.attr_string("/model", "config"), "custom");
  std::filesystem::remove(path);
}
