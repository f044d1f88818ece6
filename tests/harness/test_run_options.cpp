#include <gtest/gtest.h>

#include "common/error.h"
#include "harness/run_options.h"

using namespace helm;

TEST(RunOptions, StaticSplitParsing) {
  EXPECT_EQ(parse_static_split("static:0.25"), (std::vector<double>{0.25}));
  EXPECT_EQ(parse_static_split("static:0,1,0.5"), (std::vector<double>{0, 1, 0.5}));
  EXPECT_EQ(parse_static_split("emb-only"), (std::vector<double>{1.0}));
  EXPECT_EQ(parse_static_split("kv-only"), (std::vector<double>{0.0}));
  EXPECT_THROW(parse_static_split("static:1.5"), BadInput);
  EXPECT_THROW(parse_static_split("static:-0.1"), BadInput);
  EXPECT_THROW(parse_static_split("static:"), BadInput);
  EXPECT_THROW(parse_static_split("static:0.5,x"), BadInput);
  EXPECT_THROW(parse_static_split("magic"), BadInput);
}

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
