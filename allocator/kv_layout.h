// Where a user's K/V live inside KV pages. Shared by the allocator (which owns pages) and the
// model (which reads and writes them), so both agree on the bytes without knowing each other.
//
// A KV page holds `tokens_per_page` consecutive tokens of one user, for every layer:
//   [layer 0: K[T][H*d_qk], V[T][H*d_v]] [layer 1: ...] ...   (fp32 on the CPU backend)
// Token t of a user lives in page t / T at slot t % T. A head's K columns inside a page form a
// row-major block with leading dimension H*d_qk, so attention can run sgemm on a page in place.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace helm {

struct KvLayout {
  int layers = 0, heads = 0, d_qk = 0, d_v = 0;
  int tokens_per_page = 0;
  size_t bytes_per_element = 4;  // fp32 here; bf16 (2) on GPUs: recorded in every result

  size_t k_row() const { return static_cast<size_t>(heads) * d_qk; }  // floats per token (K)
  size_t v_row() const { return static_cast<size_t>(heads) * d_v; }
  size_t layer_floats() const { return tokens_per_page * (k_row() + v_row()); }
  size_t page_floats() const { return layers * layer_floats(); }
  size_t bytes_per_token() const { return layers * (k_row() + v_row()) * bytes_per_element; }
  // Layout for a page of `page_bytes`: as many whole tokens as fit (at least 1 is required).
  static KvLayout for_page(int layers, int heads, int d_qk, int d_v, size_t page_bytes,
                           size_t bytes_per_element = 4) {
    KvLayout l{layers, heads, d_qk, d_v, 0, bytes_per_element};
    l.tokens_per_page = static_cast<int>(page_bytes / l.bytes_per_token());
    return l;
  }
  float* k(float* page, int layer, int slot) const {
    return page + layer * layer_floats() + slot * k_row();
  }
  float* v(float* page, int layer, int slot) const {
    return page + layer * layer_floats() + tokens_per_page * k_row() + slot * v_row();
  }
  int pages_for(int64_t tokens) const {
    return static_cast<int>((tokens + tokens_per_page - 1) / tokens_per_page);
  }
};

// One user's K/V as the model sees it: pages in token order. `pages.size()` must cover every
// token the model will read or write.
struct KvView {
  KvLayout layout;
  std::vector<float*> pages;
};

}  // namespace helm
