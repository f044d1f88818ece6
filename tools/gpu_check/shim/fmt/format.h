// A minimal stand-in for {fmt} used by the GPU check only: the GPU machine has no fmt package.
// Covers what the compiled project sources use: fmt::format with "{}" fields (format specs are
// accepted and ignored), fmt::format_string, fmt::join. Messages only; no numeric formatting.
#pragma once
#include <cstddef>
#include <iterator>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace fmt {

template <typename... Args>
struct basic_format_string {
  std::string_view str;
  template <typename S, typename = std::enable_if_t<std::is_convertible_v<const S&, std::string_view>>>
  constexpr basic_format_string(const S& s) : str(s) {}
  template <typename... Other>
  constexpr basic_format_string(basic_format_string<Other...> o) : str(o.str) {}
};
template <typename... Args>
using format_string = basic_format_string<std::type_identity_t<Args>...>;

template <typename It>
struct join_view {
  It begin, end;
  std::string_view sep;
};
template <typename Range>
auto join(const Range& r, std::string_view sep) {
  return join_view<decltype(std::begin(r))>{std::begin(r), std::end(r), sep};
}
template <typename It>
std::ostream& operator<<(std::ostream& os, const join_view<It>& j) {
  for (It i = j.begin; i != j.end; ++i) os << (i == j.begin ? "" : j.sep) << *i;
  return os;
}

namespace detail {
template <typename T>
std::string to_string(const T& v) {
  std::ostringstream os;
  if constexpr (std::is_enum_v<T>)
    os << static_cast<std::underlying_type_t<T>>(v);
  else
    os << v;
  return os.str();
}
inline std::string substitute(std::string_view f, const std::vector<std::string>& args) {
  std::string out;
  size_t next = 0;
  for (size_t i = 0; i < f.size(); ++i) {
    const char c = f[i];
    if (c == '{' && i + 1 < f.size() && f[i + 1] == '{') { out += '{'; ++i; continue; }
    if (c == '}' && i + 1 < f.size() && f[i + 1] == '}') { out += '}'; ++i; continue; }
    if (c == '{') {
      const size_t close = f.find('}', i);
      if (close == std::string_view::npos) { out.append(f.substr(i)); break; }
      if (next < args.size()) out += args[next++];
      i = close;
      continue;
    }
    out += c;
  }
  return out;
}
}  // namespace detail

template <typename... Args>
std::string format(format_string<Args...> f, Args&&... args) {
  return detail::substitute(f.str, {detail::to_string(args)...});
}

}  // namespace fmt
