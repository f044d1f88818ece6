#include <gtest/gtest.h>

#include "common/error.h"
#include "harness/cli/cli.h"
#include "harness/cli/run_options.h"

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

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

namespace {
// Parses `args` (after the subcommand) as `sim` would, with the run options.
cli::Parsed parse_args(std::vector<std::string> args) {
  args.insert(args.begin(), "sim");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  RunOptions o;
  cli::po::options_description desc;
  add_run_options(desc, o);
  return cli::parse("sim", "test", desc, static_cast<int>(args.size()), argv.data());
}

std::string bad_input_message(std::vector<std::string> args) {
  try {
    parse_args(std::move(args));
  } catch (const BadInput& e) {
    return e.what();
  }
  return "(accepted)";
}
}  // namespace

// Boost's error formatter replaces "%value%" by the value until none is left, so a value holding
// that token used to keep the parser busy (and growing) until killed.
TEST(CliParse, RefusesTheParsersOwnPlaceholderTokens) {
  EXPECT_NE(bad_input_message({"--qps", "4%value%"}).find("argument 2: '%value%'"), std::string::npos);
  EXPECT_NE(bad_input_message({"--no-such-%canonical_option%"}).find("'%canonical_option%'"),
            std::string::npos);
  const std::string path = ::testing::TempDir() + "placeholder.ini";
  {
    // The input fuzz_config found (fuzz/regressions/config/), which timed out under ASan.
    std::ofstream f(path);
    f << "# a config\nqps = 4argument ('%value%')0\nduration = rr\ntag = a=l#i";
  }
  const std::string msg = bad_input_message({"--config", path});
  EXPECT_NE(msg.find(path + ":2: '%value%'"), std::string::npos) << msg;
  std::remove(path.c_str());
}

TEST(CliParse, PercentSignsOutsideTokensStayValues) {
  auto p = parse_args({"--tag", "note=50%", "--tag", "x=%a b%", "--qps", "40"});
  EXPECT_EQ(p.vm["tag"].as<std::vector<std::string>>().size(), 2u);
  EXPECT_EQ(p.vm["qps"].as<double>(), 40.0);
  // Malformed values still get Boost's own message.
  EXPECT_NE(bad_input_message({"--qps", "4%valu"}).find("'--qps'"), std::string::npos);
}
