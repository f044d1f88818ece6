// What CI has and some tests need: the shared data sets (../shared/data, or $HELM_SHARED) and
// /usr/bin/python3 with h5py and numpy (scripts/setup.sh installs them). ctest counts a skipped
// test as passed, so a test whose input is missing FAILS, naming what is missing; on a machine
// that knowingly lacks it, HELM_ALLOW_MISSING=1 turns that failure into a skip.
#pragma once
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace helm::test {
inline bool allow_missing() {
  const char* v = std::getenv("HELM_ALLOW_MISSING");
  return v && *v && std::string(v) != "0";
}
}  // namespace helm::test

// In a TEST body: HELM_REQUIRE(std::ifstream(path), "no " << path);
#define HELM_REQUIRE(cond, what)                                                             \
  do {                                                                                       \
    if (!(cond)) {                                                                           \
      if (::helm::test::allow_missing()) GTEST_SKIP() << what;                               \
      FAIL() << what << " (CI has it: install it, or set HELM_ALLOW_MISSING=1 to skip)";     \
    }                                                                                        \
  } while (0)
