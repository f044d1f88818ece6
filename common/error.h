// Errors that cross module boundaries.
//
// BadInput is the user's fault (CLI, config, data files, traces, result files): the CLI prints
// its one-line message and exits with code 2. Its message must name the file and the field.
// Anything else that escapes to main() is a run-time failure (exit code 1).
#pragma once
#include <fmt/format.h>

#include <stdexcept>
#include <string>
#include <string_view>

namespace helm {

struct BadInput : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// bad_input("{}: field 'D' must be positive", path) throws BadInput with the formatted message.
template <typename... Args>
[[noreturn]] void bad_input(fmt::format_string<Args...> f, Args&&... args) {
  throw BadInput(fmt::format(f, std::forward<Args>(args)...));
}

// A message as one printable line: control bytes and bytes that are not valid UTF-8 (a binary
// file quoted in an error) become \xNN, so the CLI's one-line error stays one line on any input.
inline std::string one_line(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  auto hex = [&](unsigned char c) { out += fmt::format("\\x{:02x}", c); };
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) {
      hex(c), ++i;
      continue;
    }
    if (c < 0x80) {
      out += static_cast<char>(c), ++i;
      continue;
    }
    const size_t len = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
    bool ok = len > 0 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xc0) == 0x80;
    if (!ok) {
      hex(c), ++i;
      continue;
    }
    out.append(s.substr(i, len)), i += len;
  }
  return out;
}

// A quoted piece of a data file in a message: at most `max` bytes, then "...".
inline std::string excerpt(std::string_view s, size_t max = 60) {
  return s.size() <= max ? std::string(s) : std::string(s.substr(0, max)) + "...";
}

// Internal invariant violated: a bug, not bad input.
#define HELM_CHECK(cond, ...)                                                              \
  do {                                                                                     \
    if (!(cond))                                                                           \
      throw std::logic_error(fmt::format("{}:{}: check failed: {}: {}", __FILE__, __LINE__, \
                                         #cond, fmt::format(__VA_ARGS__)));                \
  } while (0)

}  // namespace helm
