// Checks of a forward batch shared by every backend (CPU and CUDA), so both reject the same
// malformed input with the same message.
#pragma once
#include <span>

#include "common/error.h"
#include "gr_model/config.h"
#include "gr_model/model.h"

namespace helm {

struct BatchShape {
  int history_tokens = 0;    // new history tokens computed over the batch
  int candidate_tokens = 0;  // candidates scored over the batch
  int tokens_per_page = 0;   // of the first sequence with KV pages; 0 if none has any
};

// Validates every sequence against the model (lengths, outputs, KV layout and page count).
// `one_page_size`: backends that plan one page geometry per batch require it to be uniform.
inline BatchShape check_batch(const ModelConfig& c, std::span<const SeqInput> batch,
                              size_t bytes_per_element, bool one_page_size) {
  BatchShape b;
  for (const SeqInput& s : batch) {
    HELM_CHECK(s.cached_len >= 0 && s.new_tokens >= 0 && s.num_candidates >= 0 &&
                   s.cached_len + s.new_tokens <= c.N - 1,
               "sequence L0={} n={} M={} for N={}", s.cached_len, s.new_tokens, s.num_candidates, c.N);
    HELM_CHECK(s.rows || s.new_tokens + s.num_candidates == 0, "no embedding rows");
    HELM_CHECK(s.scores || s.num_candidates == 0, "no score output");
    if (s.kv) {
      const KvLayout& l = s.kv->layout;
      HELM_CHECK(l.layers == c.layers && l.heads == c.heads && l.d_qk == c.d_qk && l.d_v == c.d_v &&
                     l.tokens_per_page > 0 && l.bytes_per_element == bytes_per_element,
                 "KV layout does not match the model ({} bytes per element expected)",
                 bytes_per_element);
      HELM_CHECK(static_cast<int>(s.kv->pages.size()) >= l.pages_for(s.cached_len + s.new_tokens),
                 "{} KV pages for {} tokens", s.kv->pages.size(), s.cached_len + s.new_tokens);
      HELM_CHECK(!one_page_size || b.tokens_per_page == 0 || b.tokens_per_page == l.tokens_per_page,
                 "one batch, two page sizes ({} and {} tokens)", b.tokens_per_page, l.tokens_per_page);
      if (b.tokens_per_page == 0) b.tokens_per_page = l.tokens_per_page;
    } else {
      HELM_CHECK(s.cached_len == 0, "cached_len {} without KV pages", s.cached_len);
    }
    b.history_tokens += s.new_tokens;
    b.candidate_tokens += s.num_candidates;
  }
  return b;
}

}  // namespace helm
