#include "results/attributes.h"

#include <fmt/format.h>

namespace helm {

RootAttributes& RootAttributes::set(const std::string& key, AttrValue v) {
  for (auto& [k, val] : items_)
    if (k == key) {
      val = std::move(v);
      return *this;
    }
  items_.emplace_back(key, std::move(v));
  return *this;
}

const AttrValue* RootAttributes::find(const std::string& key) const {
  for (const auto& [k, v] : items_)
    if (k == key) return &v;
  return nullptr;
}

std::optional<std::string> RootAttributes::string(const std::string& key) const {
  const AttrValue* v = find(key);
  if (!v || !std::holds_alternative<std::string>(*v)) return std::nullopt;
  return std::get<std::string>(*v);
}

std::optional<int64_t> RootAttributes::integer(const std::string& key) const {
  const AttrValue* v = find(key);
  if (!v || !std::holds_alternative<int64_t>(*v)) return std::nullopt;
  return std::get<int64_t>(*v);
}

std::optional<double> RootAttributes::number(const std::string& key) const {
  const AttrValue* v = find(key);
  if (!v) return std::nullopt;
  if (const auto* i = std::get_if<int64_t>(v)) return static_cast<double>(*i);
  if (const auto* d = std::get_if<double>(v)) return *d;
  return std::nullopt;
}

std::string RootAttributes::text(const std::string& key) const {
  const AttrValue* v = find(key);
  if (!v) return "";
  return std::visit(
      [](const auto& x) -> std::string {
        if constexpr (std::is_same_v<std::decay_t<decltype(x)>, std::string>) return x;
        else return fmt::format("{}", x);
      },
      *v);
}

}  // namespace helm
