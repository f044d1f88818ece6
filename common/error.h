// Errors that cross module boundaries.
//
// BadInput is the user's fault (CLI, config, data files, traces, result files): the CLI prints
// its one-line message and exits with code 2. Its message must name the file and the field.
// Anything else that escapes to main() is a run-time failure (exit code 1).
#pragma once
#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace helm {

struct BadInput : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// bad_input("{}: field 'D' must be positive", path) throws BadInput with the formatted message.
template <typename... Args>
[[noreturn]] void bad_input(fmt::format_string<Args...> f, Args&&... args) {
  throw BadInput(fmt::format(f, std::forward<Args>(args)...));
}

// Internal invariant violated: a bug, not bad input.
#define HELM_CHECK(cond, ...)                                                              \
  do {                                                                                     \
    if (!(cond))                                                                           \
      throw std::logic_error(fmt::format("{}:{}: check failed: {}: {}", __FILE__, __LINE__, \
                                         #cond, fmt::format(__VA_ARGS__)));                \
  } while (0)

}  // namespace helm
