#include <gtest/gtest.h>

#include "common/error.h"
#include "harness/cli/run_options.h"

using namespace helm;

TEST(RunOptions, ValidationNamesTheOption) {
  RunOptions o;
  EXPECT_NO_THROW(validate(o));
  o.qps = -1;
  try {
    validate(o);
    FAIL();
  } catch (const BadInput& e) {
    EXPECT_NE(std::string(e.what()).find("--qps"), std::string::npos);
  }
  o = RunOptions{};
  o.duration_s = 0;
  EXPECT_THROW(validate(o), BadInput);
  o = RunOptions{};
  o.tags = {"novalue"};
  EXPECT_THROW(validate(o), BadInput);
}
