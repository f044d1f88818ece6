#include "harness/node/emb_sample.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"

namespace helm {

EmbSample emb_sample(double requested, size_t page_bytes, int dim, uint64_t seed) {
  EmbSample s;
  s.row_bytes = static_cast<size_t>(dim) * sizeof(float);
  s.salt = stream_seed(seed, "emb-sample");
  if (requested >= 1 || s.row_bytes == 0 || s.row_bytes > page_bytes) return s;  // exact
  const size_t exact_rows = page_bytes / s.row_bytes;
  const size_t want = std::max<size_t>(1, static_cast<size_t>(std::llround(requested * double(exact_rows))));
  if (want >= exact_rows) return s;  // rounds to every row: exact
  // The widest row of whole floats that still fits `want` rows in a page; a page may then hold a
  // few more than `want`, which is the rate in effect.
  s.sampled_dim = static_cast<int>(page_bytes / (want * sizeof(float)));
  const size_t rows = page_bytes / (static_cast<size_t>(s.sampled_dim) * sizeof(float));
  s.rate = double(rows) / double(exact_rows);
  s.threshold = static_cast<uint64_t>(std::llround(s.rate * double(uint64_t{1} << 32)));
  return s;
}

void EmbSample::filter(std::vector<ItemId>& ids) const {
  ids.erase(std::remove_if(ids.begin(), ids.end(), [this](ItemId id) { return !keep(id); }), ids.end());
}

void EmbSample::scale(EmbBatchStats& st) const {
  auto up = [this](int64_t n) { return static_cast<int64_t>(std::llround(double(n) / rate)); };
  st.lookups = up(st.lookups);
  st.hits = up(st.hits);
  st.misses = up(st.misses);
  st.admitted = up(st.admitted);
  st.rejected = up(st.rejected);
  st.h2d_bytes = static_cast<int64_t>(std::llround(double(st.misses) * double(row_bytes)));
}

EmbCacheOptions EmbSample::cache_options(size_t exact_pool_rows, size_t table_rows) const {
  EmbCacheOptions o;
  if (exact()) return o;
  // FreqSketch rounds its width up to a power of two (>= 64) and halves every 40 x width records.
  size_t w = 64;
  for (const size_t n = emb_sketch_words(o, exact_pool_rows, table_rows); w < n;) w <<= 1;
  o.sketch_words = std::max<size_t>(64, static_cast<size_t>(std::ceil(rate * double(w))));
  o.sketch_sample = std::max<uint64_t>(1, static_cast<uint64_t>(std::llround(rate * 40.0 * double(w))));
  return o;
}

}  // namespace helm
