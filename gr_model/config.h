// Model configurations of MODEL.md (the shape table) and their derived sizes.
//
// A ModelConfig is plain data: the named configs are fixed, and a weight file may carry any
// other shape (its attributes define it). `validate` is the one place that decides whether a
// shape is usable; every path that builds a config from user input calls it.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "allocator/kv_layout.h"

namespace helm {

struct ModelConfig {
  std::string name;
  int D = 0;       // model width
  int layers = 0;  // HSTU layers
  int heads = 0;   // H
  int d_qk = 0;    // per head
  int d_v = 0;     // per head
  int N = 0;       // maximum sequence length: history cap N-1 plus one candidate slot
  int M = 0;       // candidates per request (sizes profiles and benchmarks; 0 = unspecified)

  int history_cap() const { return N - 1; }
  // Columns of [U V Q K]: 2 H d_v + 2 H d_qk.
  int uvqk_width() const { return 2 * heads * d_v + 2 * heads * d_qk; }
  // Column offsets of the four parts inside a [U V Q K] row.
  int u_col() const { return 0; }
  int v_col() const { return heads * d_v; }
  int q_col() const { return 2 * heads * d_v; }
  int k_col() const { return 2 * heads * d_v + heads * d_qk; }
  // K and V floats one history token keeps, over all layers.
  size_t kv_floats_per_token() const {
    return static_cast<size_t>(layers) * heads * (d_qk + d_v);
  }
  // Bytes per cached token: 4 per element in fp32 (CPU backend), 2 in bf16 (GPUs).
  size_t kv_bytes_per_token(size_t bytes_per_element = 4) const {
    return kv_floats_per_token() * bytes_per_element;
  }
};

// The named config (tiny, small, ml-20m, amazon-books, kuairand); BadInput listing the valid
// names for anything else.
const ModelConfig& model_config(std::string_view name);
std::vector<std::string> model_config_names();

// BadInput "<where>: <field> must be ... (found X)" for the first unusable field.
void validate(const ModelConfig& cfg, const std::string& where);

// The KV page layout of this model (fp32) with `tokens_per_page` tokens per page.
inline KvLayout kv_layout(const ModelConfig& c, int tokens_per_page) {
  return KvLayout{c.layers, c.heads, c.d_qk, c.d_v, tokens_per_page, 4};
}

}  // namespace helm
