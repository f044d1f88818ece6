#include "gr_model/config.h"

#include <fmt/format.h>

#include <array>

#include "common/error.h"

namespace helm {
namespace {
// MODEL.md, "Shapes". N = history cap + 1 candidate slot.
const std::array<ModelConfig, 5>& configs() {
  static const std::array<ModelConfig, 5> table{{
      {"tiny", 16, 2, 2, 8, 8, 64, 8},
      {"small", 64, 2, 2, 32, 32, 512, 32},
      {"ml-20m", 256, 4, 4, 64, 64, 201, 20},
      {"amazon-books", 64, 4, 4, 16, 16, 51, 20},
      {"kuairand", 512, 3, 4, 128, 128, 8001, 256},
  }};
  return table;
}
}  // namespace

std::vector<std::string> model_config_names() {
  std::vector<std::string> out;
  for (const auto& c : configs()) out.push_back(c.name);
  return out;
}

const ModelConfig& model_config(std::string_view name) {
  for (const auto& c : configs())
    if (c.name == name) return c;
  bad_input("unknown model config '{}' (valid: {})", name,
            fmt::join(model_config_names(), ", "));
}

void validate(const ModelConfig& c, const std::string& where) {
  auto positive = [&](const char* field, long long v) {
    if (v <= 0) bad_input("{}: {} must be positive (found {})", where, field, v);
  };
  positive("D", c.D);
  positive("layers", c.layers);
  positive("heads", c.heads);
  positive("d_qk", c.d_qk);
  positive("d_v", c.d_v);
  if (c.N < 2) bad_input("{}: N must be at least 2 (history cap N-1 >= 1; found {})", where, c.N);
  if (c.M < 0) bad_input("{}: M must not be negative (found {})", where, c.M);
  // Keeps every row/offset computation inside int and the weights reasonably sized.
  constexpr long long kMaxDim = 1 << 16;
  const long long dims[] = {c.D, c.layers, c.heads, c.d_qk, c.d_v, c.N};
  const char* names[] = {"D", "layers", "heads", "d_qk", "d_v", "N"};
  for (int i = 0; i < 6; ++i)
    if (dims[i] > kMaxDim) bad_input("{}: {} = {} is larger than {}", where, names[i], dims[i], kMaxDim);
  if (static_cast<long long>(c.heads) * std::max(c.d_qk, c.d_v) > kMaxDim)
    bad_input("{}: heads x d_qk/d_v is larger than {}", where, kMaxDim);
}

}  // namespace helm
